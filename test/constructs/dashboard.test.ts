import { describe, expect, test } from "vitest";
import { type AlarmTarget, SERVICE_ALARMS, WEB_ALARMS } from "../../constructs/alerts";
import { alarmGraphs, CloudwatchDashboard, type CloudwatchDashboardProps } from "../../constructs/dashboard";
import { naming } from "../support/fixtures";
import { onlyResource, synthScope } from "../support/synth";

const graph = (title: string) => ({
  title,
  metrics: [
    { namespace: "AWS/SQS", metricName: "NumberOfMessagesSent", dimensions: { QueueName: "q" }, stat: "Sum" },
  ],
});
const build = (props: Partial<CloudwatchDashboardProps> = {}) =>
  synthScope((s) => {
    new CloudwatchDashboard(s, "dashboard", {
      naming,
      region: "eu-west-1",
      sections: [{ title: "Queues", graphs: [graph("a"), graph("b"), graph("c"), graph("d")] }],
      ...props,
    });
  });
const body = (json: ReturnType<typeof build>) =>
  JSON.parse(onlyResource(json, "aws_cloudwatch_dashboard").dashboard_body) as { widgets: any[] };

describe("CloudwatchDashboard", () => {
  test("a header per section, then its graphs three to a row, each metric as CloudWatch writes it", () => {
    const json = build({ alarmArns: ["arn:aws:cloudwatch:eu-west-1:123456789012:alarm:x"] });
    const widgets = body(json).widgets;
    expect(onlyResource(json, "aws_cloudwatch_dashboard").dashboard_name).toBe(
      "meeting-notes-staging-overview",
    );
    expect(widgets.map((w) => [w.type, w.x, w.y, w.width])).toEqual([
      ["alarm", 0, 0, 24],
      ["text", 0, 6, 24],
      ["metric", 0, 7, 8],
      ["metric", 8, 7, 8],
      ["metric", 16, 7, 8],
      ["metric", 0, 13, 8],
    ]);
    expect(widgets[2].properties).toMatchObject({
      region: "eu-west-1",
      period: 300,
      metrics: [["AWS/SQS", "NumberOfMessagesSent", "QueueName", "q", { stat: "Sum" }]],
    });
  });

  test("its console URL names the region and the dashboard", () => {
    let url = "";
    synthScope((s) => {
      url = new CloudwatchDashboard(s, "d", {
        naming,
        region: "eu-west-1",
        sections: [{ title: "x", graphs: [graph("a")] }],
      }).url;
    });
    expect(url).toBe(
      "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/meeting-notes-staging-overview",
    );
  });

  test.each([
    [
      "two graphs with one title",
      { sections: [{ title: "x", graphs: [graph("a"), graph("a")] }] },
      /title` must be unique/,
    ],
    [
      "an unknown statistic",
      {
        sections: [
          { title: "x", graphs: [{ ...graph("a"), metrics: [{ ...graph("a").metrics[0]!, stat: "Mean" }] }] },
        ],
      },
      /must be Average, Sum/,
    ],
    [
      "a period that is not whole minutes",
      { sections: [{ title: "x", graphs: [{ ...graph("a"), periodSeconds: 90 }] }] },
      /must be a multiple of 60/,
    ],
    ["no sections", { sections: [] }, /`sections` must hold at least one section/],
  ])("refuses %s", (_, props, message) => {
    expect(() => build(props as Partial<CloudwatchDashboardProps>)).toThrow(message);
  });
});

describe("alarmGraphs", () => {
  const targets: AlarmTarget[] = [
    { kind: "ecsService", key: "app", dimensions: { ClusterName: "c", ServiceName: "app" } },
    {
      kind: "ecsService",
      key: "hasura",
      dimensions: { ClusterName: "c", ServiceName: "hasura" },
      thresholds: { "cpu-high": 70 },
    },
    {
      kind: "targetGroup",
      key: "app",
      dimensions: { LoadBalancer: "app/x/1", TargetGroup: "targetgroup/app/1" },
    },
  ];
  const titles = {
    "cpu-high": "CPU (%)",
    "memory-high": "Memory (%)",
    "target-5xx": "Target 5xx",
    "unhealthy-hosts": "Unhealthy hosts",
    "alb-5xx": "ALB 5xx",
  };
  const graphs = alarmGraphs([...SERVICE_ALARMS, ...WEB_ALARMS], targets, titles);

  test("one graph per row with targets of its kind: the alarm's metric, statistic, period and threshold", () => {
    expect(graphs.map((g) => g.title)).toEqual(["CPU (%)", "Memory (%)", "Unhealthy hosts"]);
    const cpu = graphs[0]!;
    const row = SERVICE_ALARMS[0]!;
    expect(cpu.periodSeconds).toBe(row.periodSeconds);
    expect(cpu.metrics).toEqual([
      {
        namespace: row.namespace,
        metricName: row.metricName,
        dimensions: targets[0]!.dimensions,
        stat: row.statistic,
        label: "app",
      },
      {
        namespace: row.namespace,
        metricName: row.metricName,
        dimensions: targets[1]!.dimensions,
        stat: row.statistic,
        label: "hasura",
      },
    ]);
    // A target with its own threshold draws it too.
    expect(cpu.thresholds).toEqual([
      { value: row.threshold, label: `alarm (${row.threshold})` },
      { value: 70, label: "alarm (70)" },
    ]);
  });

  test("the thresholds become the widget's horizontal annotations", () => {
    const json = synthScope((s) => {
      new CloudwatchDashboard(s, "d", {
        naming,
        region: "eu-west-1",
        sections: [{ title: "Services", graphs }],
      });
    });
    const widgets = JSON.parse(onlyResource(json, "aws_cloudwatch_dashboard").dashboard_body)
      .widgets as any[];
    expect(widgets[3].properties.annotations).toEqual({
      horizontal: [{ value: WEB_ALARMS[2]!.threshold, label: "alarm" }],
    });
  });

  test("a row without a title is refused", () => {
    expect(() => alarmGraphs(SERVICE_ALARMS, targets, {})).toThrow(
      '`titles` must name the graph of every row, got "cpu-high"',
    );
  });
});
