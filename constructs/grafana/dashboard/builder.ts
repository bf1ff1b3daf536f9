import { invalid, requireIntegerInRange } from "../../core/validation";
import type {
  CloudWatchMetricTarget,
  DataSourceRef,
  Panel,
  PrometheusTarget,
  Target,
  TimeSeriesPanel,
} from "./model";

/** Columns of Grafana's dashboard grid. */
export const GRID_COLUMNS = 24;

/** One CloudWatch metric to plot. */
export interface CloudWatchQuery {
  /** CloudWatch namespace, for example `AWS/ECS`. */
  readonly namespace: string;
  /** Metric name in that namespace, for example `CPUUtilization`. */
  readonly metricName: string;
  /** Dimension values that select the series (tokens are fine). */
  readonly dimensions: Readonly<Record<string, string>>;
  /** `Average`, `Sum`, `Minimum`, `Maximum` or a percentile such as `p99`. */
  readonly statistic: string;
  /** Legend label of the series. */
  readonly label: string;
  /**
   * Period in seconds.
   * @default - chosen by Grafana from the time range
   */
  readonly periodSeconds?: number;
}

/** One PromQL expression to plot. */
export interface PrometheusQuery {
  /** The PromQL expression. */
  readonly expr: string;
  /** Legend format, for example `{{job}}`. */
  readonly legendFormat: string;
}

/** `A`, `B`, ... `Z`: Grafana's query reference IDs. */
function refId(index: number): string {
  if (index >= 26)
    throw invalid("targets", "must hold at most 26 queries per panel", index + 1, "Split the panel.");
  return String.fromCharCode(65 + index);
}

/** CloudWatch targets for one data source and region, with reference IDs A, B, ... */
export function cloudWatchTargets(
  datasource: DataSourceRef,
  region: string,
  queries: readonly CloudWatchQuery[],
): CloudWatchMetricTarget[] {
  return queries.map((q, i) => ({
    refId: refId(i),
    datasource,
    queryMode: "Metrics",
    metricQueryType: 0,
    metricEditorMode: 0,
    region,
    namespace: q.namespace,
    metricName: q.metricName,
    dimensions: { ...q.dimensions },
    matchExact: true,
    statistic: q.statistic,
    period: q.periodSeconds === undefined ? "" : String(q.periodSeconds),
    label: q.label,
    id: "",
    expression: "",
  }));
}

/** PromQL targets for one data source, with reference IDs A, B, ... */
export function prometheusTargets(
  datasource: DataSourceRef,
  queries: readonly PrometheusQuery[],
): PrometheusTarget[] {
  return queries.map((q, i) => ({
    refId: refId(i),
    datasource,
    expr: q.expr,
    legendFormat: q.legendFormat,
    range: true,
    instant: false,
    editorMode: "code",
  }));
}

/** A time series panel before layout. */
export interface PanelSpec {
  /** Panel title. */
  readonly title: string;
  /** What the panel shows and how to read it (shown in the panel's info tooltip). */
  readonly description: string;
  /** Grafana unit id, for example `percent`, `s`, `short`, `cps`. */
  readonly unit: string;
  /**
   * Lower bound of the y axis.
   * @default - from the data
   */
  readonly min?: number;
  /** The data source every target of the panel queries. */
  readonly datasource: DataSourceRef;
  /** The panel's queries; each must use the panel's data source. */
  readonly targets: readonly Target[];
  /**
   * Width in grid columns.
   * @default 8 (three panels a line)
   */
  readonly width?: number;
  /**
   * Height in grid rows.
   * @default 8
   */
  readonly height?: number;
}

/** A titled group of panels: a row header followed by its panels, left to right, wrapping at 24 columns. */
export interface DashboardSection {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

/**
 * Places sections on the grid: each starts with a row panel, and its panels flow left to right,
 * wrapping to a new line when the next one does not fit. Panel ids are 1, 2, 3, ... in order.
 */
export function layoutPanels(sections: readonly DashboardSection[]): Panel[] {
  const panels: Panel[] = [];
  let nextId = 1;
  let y = 0;
  for (const section of sections) {
    panels.push({
      id: nextId++,
      type: "row",
      title: section.title,
      collapsed: false,
      gridPos: { x: 0, y, w: GRID_COLUMNS, h: 1 },
      panels: [],
    });
    y += 1;
    let x = 0;
    let lineHeight = 0;
    for (const spec of section.panels) {
      const w = spec.width ?? 8;
      const h = spec.height ?? 8;
      requireIntegerInRange("width", w, 1, GRID_COLUMNS, "Grafana's grid has 24 columns");
      requireIntegerInRange("height", h, 1, 100);
      for (const target of spec.targets) {
        if (target.datasource !== spec.datasource && target.datasource.uid !== spec.datasource.uid) {
          throw invalid(
            "targets",
            `must all use the panel's data source (panel "${spec.title}")`,
            target.datasource.uid,
            "Give the panel one data source, or split it.",
          );
        }
      }
      if (x + w > GRID_COLUMNS) {
        x = 0;
        y += lineHeight;
        lineHeight = 0;
      }
      const panel: TimeSeriesPanel = {
        id: nextId++,
        type: "timeseries",
        title: spec.title,
        description: spec.description,
        gridPos: { x, y, w, h },
        datasource: spec.datasource,
        targets: spec.targets,
        fieldConfig: {
          defaults: spec.min === undefined ? { unit: spec.unit } : { unit: spec.unit, min: spec.min },
          overrides: [],
        },
        options: {
          legend: { displayMode: "list", placement: "bottom", showLegend: true },
          tooltip: { mode: "multi", sort: "none" },
        },
      };
      panels.push(panel);
      x += w;
      lineHeight = Math.max(lineHeight, h);
    }
    y += lineHeight;
  }
  return panels;
}
