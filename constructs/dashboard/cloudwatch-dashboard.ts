import { CloudwatchDashboard as CloudwatchDashboardResource } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { Construct } from "constructs";
import { limitedName, type ResourceNaming } from "../core/naming";
import { invalid, requireIntegerInRange } from "../core/validation";

/** One metric line of a graph. */
export interface DashboardMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions?: Readonly<Record<string, string>>;
  /** `Average`, `Sum`, `Maximum`, `Minimum`, `SampleCount` or a percentile such as `p99`. */
  readonly stat: string;
  /** Legend label. @default - CloudWatch's (metric and dimensions) */
  readonly label?: string;
}

/** A graph of metrics over time. */
export interface DashboardGraph {
  readonly title: string;
  readonly metrics: readonly DashboardMetric[];
  /** Seconds per data point (60 or a multiple). @default 300 */
  readonly periodSeconds?: number;
  /** Stack the lines (task counts, message counts). @default false */
  readonly stacked?: boolean;
  /** Horizontal lines: an alarm's threshold. @default - none */
  readonly thresholds?: readonly { readonly value: number; readonly label: string }[];
}

/** A titled row of graphs. */
export interface DashboardSection {
  readonly title: string;
  readonly graphs: readonly DashboardGraph[];
}

/** Properties of {@link CloudwatchDashboard}. */
export interface CloudwatchDashboardProps {
  /** Project and environment: the dashboard is `<project>-<environment>-<name>`. */
  readonly naming: ResourceNaming;
  /** Name suffix. @default "overview" */
  readonly name?: string;
  /** The region the metrics are in (every widget names it). */
  readonly region: string;
  /** Sections, top to bottom; each a header and its graphs, three to a row. */
  readonly sections: readonly DashboardSection[];
  /** Alarms whose state the first row shows. @default - no alarm row */
  readonly alarmArns?: readonly string[];
}

const STATS = /^(Average|Sum|Maximum|Minimum|SampleCount|p\d{1,2}(\.\d+)?)$/;
const COLUMNS = 3;
const WIDTH = 24 / COLUMNS;
const HEIGHT = 6;
/** CloudWatch's limit of alarms in one alarm status widget. */
const MAX_ALARMS_PER_WIDGET = 100;

/**
 * A CloudWatch dashboard built from data: an optional alarm status row, then one header and a grid of
 * graphs per section. Its `url` is the console address (an output), so nobody has to look it up.
 */
export class CloudwatchDashboard extends Construct {
  /** Name of the dashboard. */
  public readonly dashboardName: string;
  /** Console URL of the dashboard. */
  public readonly url: string;
  public readonly resource: CloudwatchDashboardResource;

  constructor(scope: Construct, id: string, props: CloudwatchDashboardProps) {
    super(scope, id);
    validate(props);
    this.dashboardName = limitedName(255, props.naming, props.name ?? "overview");
    const widgets: Record<string, unknown>[] = [];
    let y = 0;
    const alarms = props.alarmArns ?? [];
    for (let i = 0; i < alarms.length; i += MAX_ALARMS_PER_WIDGET) {
      widgets.push({
        type: "alarm",
        x: 0,
        y,
        width: 24,
        height: HEIGHT,
        properties: {
          title: i === 0 ? "Alarms" : `Alarms (${i / MAX_ALARMS_PER_WIDGET + 1})`,
          alarms: alarms.slice(i, i + MAX_ALARMS_PER_WIDGET),
          sortBy: "stateUpdatedTimestamp",
        },
      });
      y += HEIGHT;
    }
    for (const section of props.sections) {
      widgets.push({
        type: "text",
        x: 0,
        y,
        width: 24,
        height: 1,
        properties: { markdown: `## ${section.title}` },
      });
      y += 1;
      section.graphs.forEach((graph, i) => {
        widgets.push({
          type: "metric",
          x: (i % COLUMNS) * WIDTH,
          y: y + Math.floor(i / COLUMNS) * HEIGHT,
          width: WIDTH,
          height: HEIGHT,
          properties: {
            title: graph.title,
            region: props.region,
            view: "timeSeries",
            stacked: graph.stacked ?? false,
            period: graph.periodSeconds ?? 300,
            ...(graph.thresholds && graph.thresholds.length > 0
              ? {
                  annotations: {
                    horizontal: graph.thresholds.map((t) => ({ value: t.value, label: t.label })),
                  },
                }
              : {}),
            metrics: graph.metrics.map((m) => [
              m.namespace,
              m.metricName,
              ...Object.entries(m.dimensions ?? {}).flat(),
              { stat: m.stat, ...(m.label ? { label: m.label } : {}) },
            ]),
          },
        });
      });
      y += Math.ceil(section.graphs.length / COLUMNS) * HEIGHT;
    }
    this.resource = new CloudwatchDashboardResource(this, "dashboard", {
      dashboardName: this.dashboardName,
      dashboardBody: JSON.stringify({ widgets }),
    });
    this.url = `https://${props.region}.console.aws.amazon.com/cloudwatch/home?region=${props.region}#dashboards/dashboard/${this.dashboardName}`;
  }
}

/** The parts of an alarm row and its targets a graph needs (`AlarmRow`, `AlarmTarget` of constructs/alerts). */
export interface GraphedAlarmRow {
  readonly key: string;
  readonly kind: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly statistic?: string;
  readonly percentile?: number;
  readonly threshold: number;
  readonly periodSeconds: number;
}
export interface GraphedAlarmTarget {
  readonly kind: string;
  readonly key: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly thresholds?: Readonly<Record<string, number>>;
}

/**
 * The graphs of an alarm catalogue: one per row, a line per target of its kind, with the statistic and
 * period the alarm evaluates and its threshold drawn (a target's own threshold when it has one). A
 * dashboard built from the rows an `Alerts.watch` call uses shows exactly what the alarms watch, and a
 * changed row changes both. `titles` names the graphs by row key.
 */
export function alarmGraphs(
  rows: readonly GraphedAlarmRow[],
  targets: readonly GraphedAlarmTarget[],
  titles: Readonly<Record<string, string>>,
): DashboardGraph[] {
  return rows.flatMap((row) => {
    const watched = targets.filter((t) => t.kind === row.kind);
    if (watched.length === 0) return [];
    const title = titles[row.key];
    if (title === undefined) {
      throw invalid("titles", "must name the graph of every row", row.key, `Add a title for ${row.key}.`);
    }
    const stat = row.percentile !== undefined ? `p${row.percentile}` : (row.statistic ?? "Average");
    const thresholds = [...new Set(watched.map((t) => t.thresholds?.[row.key] ?? row.threshold))];
    return [
      {
        title,
        periodSeconds: row.periodSeconds,
        metrics: watched.map((t) => ({
          namespace: row.namespace,
          metricName: row.metricName,
          dimensions: t.dimensions,
          stat,
          label: t.key === "" ? row.metricName : t.key,
        })),
        thresholds: thresholds.map((value) => ({
          value,
          label: thresholds.length === 1 ? "alarm" : `alarm (${value})`,
        })),
      },
    ];
  });
}

function validate(props: CloudwatchDashboardProps): void {
  if (props.sections.length === 0) {
    throw invalid("sections", "must hold at least one section", [], "Add the graphs the dashboard shows.");
  }
  const titles = new Set<string>();
  for (const [s, section] of props.sections.entries()) {
    if (section.graphs.length === 0) {
      throw invalid(
        `sections[${s}].graphs`,
        "must not be empty",
        section.title,
        "Add graphs or drop the section.",
      );
    }
    for (const [g, graph] of section.graphs.entries()) {
      const at = `sections[${s}].graphs[${g}]`;
      if (titles.has(graph.title)) {
        throw invalid(
          `${at}.title`,
          "must be unique on the dashboard",
          graph.title,
          "Name the graph after what it shows.",
        );
      }
      titles.add(graph.title);
      if (graph.metrics.length === 0 || graph.metrics.length > 100) {
        throw invalid(
          `${at}.metrics`,
          "must hold 1-100 metrics (CloudWatch's limit per graph)",
          graph.metrics.length,
          "Split the graph.",
        );
      }
      const period = graph.periodSeconds ?? 300;
      requireIntegerInRange(`${at}.periodSeconds`, period, 60, 86400);
      if (period % 60 !== 0) {
        throw invalid(`${at}.periodSeconds`, "must be a multiple of 60", period, "Use 60, 300 or 3600.");
      }
      for (const metric of graph.metrics) {
        if (!STATS.test(metric.stat)) {
          throw invalid(
            `${at}.metrics.stat`,
            "must be Average, Sum, Maximum, Minimum, SampleCount or a percentile such as p99",
            metric.stat,
            "Use one of those.",
          );
        }
      }
    }
  }
}
