import { Token } from "cdktf";
import { describe, expect, test } from "vitest";
import {
  AMAZON_PROMETHEUS_DATA_SOURCE_TYPE,
  CLOUDWATCH_DATA_SOURCE_TYPE,
  type CloudWatchMetricTarget,
  cloudWatchTargets,
  type DashboardModel,
  type DataSourceRef,
  layoutPanels,
  type PanelSpec,
  type PrometheusTarget,
  prometheusTargets,
  ServiceOverviewDashboard,
  type ServiceOverviewDashboardProps,
  type TimeSeriesPanel,
} from "../../constructs/grafana";

const CW: DataSourceRef = { type: CLOUDWATCH_DATA_SOURCE_TYPE, uid: "cw-uid" };
const AMP: DataSourceRef = { type: AMAZON_PROMETHEUS_DATA_SOURCE_TYPE, uid: "amp-uid" };

const BASE: ServiceOverviewDashboardProps = {
  uid: "meeting-notes-staging-service",
  title: "meeting-notes staging: service overview",
  region: "eu-west-1",
  cloudWatch: CW,
  prometheus: AMP,
  ecsClusterName: "meeting-notes-staging",
  ecsServiceName: "meeting-notes-staging-bot",
  prometheusWorkspaceId: "ws-1234abcd",
};
const LOAD_BALANCER = {
  loadBalancerArnSuffix: "app/meeting-notes-staging/0123456789abcdef",
  targetGroupArnSuffix: "targetgroup/meeting-notes-staging/fedcba9876543210",
};

/**
 * Metric names that exist in each namespace, from the AWS documentation: "Amazon ECS CloudWatch
 * metrics", "Amazon ECS Container Insights metrics", "CloudWatch metrics for your Application Load
 * Balancer" and "Use CloudWatch metrics to monitor Amazon Managed Service for Prometheus resources".
 */
const REAL_METRICS: Record<string, readonly string[]> = {
  "AWS/ECS": ["CPUUtilization", "MemoryUtilization", "CPUReservation", "MemoryReservation", "GPUReservation"],
  "ECS/ContainerInsights": [
    "RunningTaskCount",
    "DesiredTaskCount",
    "PendingTaskCount",
    "CpuUtilized",
    "CpuReserved",
    "MemoryUtilized",
    "MemoryReserved",
    "NetworkRxBytes",
    "NetworkTxBytes",
    "DeploymentCount",
    "TaskSetCount",
  ],
  "AWS/ApplicationELB": [
    "RequestCount",
    "HTTPCode_Target_5XX_Count",
    "HTTPCode_Target_4XX_Count",
    "HTTPCode_ELB_5XX_Count",
    "TargetResponseTime",
    "HealthyHostCount",
    "UnHealthyHostCount",
    "ActiveConnectionCount",
    "NewConnectionCount",
  ],
  "AWS/Usage": ["ResourceCount", "CallCount", "ThrottleCount"],
};

/** Dimensions each namespace publishes (same sources). */
const REAL_DIMENSIONS: Record<string, readonly string[]> = {
  "AWS/ECS": ["ClusterName", "ServiceName"],
  "ECS/ContainerInsights": ["ClusterName", "ServiceName", "TaskDefinitionFamily"],
  "AWS/ApplicationELB": ["LoadBalancer", "TargetGroup", "AvailabilityZone"],
  "AWS/Usage": ["Service", "Type", "Resource", "Class", "ResourceId"],
};

/** `Resource` values Amazon Managed Prometheus publishes per workspace under AWS/Usage ResourceCount. */
const AMP_USAGE_RESOURCES = [
  "IngestionRate",
  "ActiveSeries",
  "ActiveAlerts",
  "QueryMetricsTPS",
  "RemoteWriteTPS",
];

const STATISTIC = /^(Average|Sum|Minimum|Maximum|SampleCount|p\d{1,2}(\.\d+)?)$/;

const timeSeries = (model: DashboardModel) =>
  model.panels.filter((p): p is TimeSeriesPanel => p.type === "timeseries");
const cloudWatchQueries = (model: DashboardModel) =>
  timeSeries(model)
    .flatMap((p) => p.targets)
    .filter((t): t is CloudWatchMetricTarget => "namespace" in t);
const titles = (model: DashboardModel) => model.panels.map((p) => `${p.type}:${p.title}`);

describe("ServiceOverviewDashboard", () => {
  test("without a load balancer: the service and metrics pipeline sections", () => {
    expect(titles(ServiceOverviewDashboard(BASE))).toEqual([
      "row:Service (ECS)",
      "timeseries:CPU utilization",
      "timeseries:Memory utilization",
      "timeseries:Tasks",
      "row:Metrics pipeline (Amazon Managed Prometheus)",
      "timeseries:AMP ingestion rate",
      "timeseries:AMP active series",
      "timeseries:Scrape targets up",
    ]);
  });

  test("with a load balancer: requests, target 5xx, latency and target health between them", () => {
    expect(titles(ServiceOverviewDashboard({ ...BASE, loadBalancer: LOAD_BALANCER }))).toEqual([
      "row:Service (ECS)",
      "timeseries:CPU utilization",
      "timeseries:Memory utilization",
      "timeseries:Tasks",
      "row:Load balancer (ALB)",
      "timeseries:Requests",
      "timeseries:Target 5xx responses",
      "timeseries:Target response time",
      "timeseries:Target health",
      "row:Metrics pipeline (Amazon Managed Prometheus)",
      "timeseries:AMP ingestion rate",
      "timeseries:AMP active series",
      "timeseries:Scrape targets up",
    ]);
  });

  test.each([
    ["without", BASE],
    ["with", { ...BASE, loadBalancer: LOAD_BALANCER }],
  ])(
    "%s a load balancer, every CloudWatch query names a real metric, dimension and statistic",
    (_, props) => {
      const queries = cloudWatchQueries(ServiceOverviewDashboard(props));
      expect(queries.length).toBeGreaterThan(0);
      for (const q of queries) {
        expect(REAL_METRICS[q.namespace], q.namespace).toBeDefined();
        expect(REAL_METRICS[q.namespace], `${q.namespace} ${q.metricName}`).toContain(q.metricName);
        for (const dimension of Object.keys(q.dimensions)) {
          expect(REAL_DIMENSIONS[q.namespace], `${q.namespace} ${dimension}`).toContain(dimension);
        }
        expect(q.statistic).toMatch(STATISTIC);
        expect(q.region).toBe("eu-west-1");
        expect(q.matchExact).toBe(true);
        expect(q).toMatchObject({ queryMode: "Metrics", metricQueryType: 0, metricEditorMode: 0 });
      }
    },
  );

  test("ECS panels select the service by cluster and service name", () => {
    const ecs = cloudWatchQueries(ServiceOverviewDashboard(BASE)).filter((q) => q.namespace.includes("ECS"));
    expect(ecs.map((q) => `${q.namespace} ${q.metricName} ${q.statistic}`)).toEqual([
      "AWS/ECS CPUUtilization Average",
      "AWS/ECS CPUUtilization Maximum",
      "AWS/ECS MemoryUtilization Average",
      "AWS/ECS MemoryUtilization Maximum",
      "ECS/ContainerInsights RunningTaskCount Average",
      "ECS/ContainerInsights DesiredTaskCount Average",
    ]);
    for (const q of ecs) {
      expect(q.dimensions).toEqual({
        ClusterName: "meeting-notes-staging",
        ServiceName: "meeting-notes-staging-bot",
      });
    }
  });

  test("load balancer panels use the ALB's arn suffix, and the target group's for target health", () => {
    const alb = cloudWatchQueries(ServiceOverviewDashboard({ ...BASE, loadBalancer: LOAD_BALANCER })).filter(
      (q) => q.namespace === "AWS/ApplicationELB",
    );
    expect(alb.map((q) => [q.metricName, q.statistic, q.dimensions])).toEqual([
      ["RequestCount", "Sum", { LoadBalancer: LOAD_BALANCER.loadBalancerArnSuffix }],
      ["HTTPCode_Target_5XX_Count", "Sum", { LoadBalancer: LOAD_BALANCER.loadBalancerArnSuffix }],
      ["TargetResponseTime", "p95", { LoadBalancer: LOAD_BALANCER.loadBalancerArnSuffix }],
      ["TargetResponseTime", "p99", { LoadBalancer: LOAD_BALANCER.loadBalancerArnSuffix }],
      [
        "HealthyHostCount",
        "Minimum",
        {
          TargetGroup: LOAD_BALANCER.targetGroupArnSuffix,
          LoadBalancer: LOAD_BALANCER.loadBalancerArnSuffix,
        },
      ],
      [
        "UnHealthyHostCount",
        "Maximum",
        {
          TargetGroup: LOAD_BALANCER.targetGroupArnSuffix,
          LoadBalancer: LOAD_BALANCER.loadBalancerArnSuffix,
        },
      ],
    ]);
  });

  test("AMP usage panels read AWS/Usage ResourceCount of the workspace", () => {
    const usage = cloudWatchQueries(ServiceOverviewDashboard(BASE)).filter(
      (q) => q.namespace === "AWS/Usage",
    );
    expect(usage).toHaveLength(2);
    for (const q of usage) {
      expect(q.metricName).toBe("ResourceCount");
      expect(q.dimensions).toMatchObject({
        Service: "Prometheus",
        Type: "Resource",
        Class: "None",
        ResourceId: "ws-1234abcd",
      });
      expect(AMP_USAGE_RESOURCES).toContain(q.dimensions.Resource);
    }
    expect(usage.map((q) => q.dimensions.Resource)).toEqual(["IngestionRate", "ActiveSeries"]);
  });

  test("the PromQL panel queries the Prometheus data source", () => {
    const panel = timeSeries(ServiceOverviewDashboard(BASE)).find((p) => p.title === "Scrape targets up")!;
    expect(panel.datasource).toEqual(AMP);
    expect(panel.targets).toEqual([
      {
        refId: "A",
        datasource: AMP,
        expr: "sum by (job) (up)",
        legendFormat: "{{job}}",
        range: true,
        instant: false,
        editorMode: "code",
      },
    ]);
  });

  test("every target uses its panel's data source, one of the two given", () => {
    for (const panel of timeSeries(ServiceOverviewDashboard({ ...BASE, loadBalancer: LOAD_BALANCER }))) {
      expect([CW, AMP]).toContainEqual(panel.datasource);
      for (const target of panel.targets) expect(target.datasource).toEqual(panel.datasource);
      expect(panel.targets.map((t) => t.refId)).toEqual(["A", "B"].slice(0, panel.targets.length));
    }
  });

  test("panels sit inside the 24-column grid without overlapping, with unique ids", () => {
    const panels = ServiceOverviewDashboard({ ...BASE, loadBalancer: LOAD_BALANCER }).panels;
    expect(panels.map((p) => p.id)).toEqual(panels.map((_, i) => i + 1));
    for (const p of panels) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    for (const [i, a] of panels.entries()) {
      for (const b of panels.slice(i + 1)) {
        const apart =
          a.gridPos.x + a.gridPos.w <= b.gridPos.x ||
          b.gridPos.x + b.gridPos.w <= a.gridPos.x ||
          a.gridPos.y + a.gridPos.h <= b.gridPos.y ||
          b.gridPos.y + b.gridPos.h <= a.gridPos.y;
        expect(apart, `${a.title} / ${b.title}`).toBe(true);
      }
    }
  });

  test("defaults: no tags, the last 6 hours, refreshed every minute, read-only, schema 39", () => {
    const model = ServiceOverviewDashboard(BASE);
    expect(model).toMatchObject({
      uid: "meeting-notes-staging-service",
      title: "meeting-notes staging: service overview",
      tags: [],
      time: { from: "now-6h", to: "now" },
      refresh: "1m",
      editable: false,
      schemaVersion: 39,
      timezone: "browser",
      templating: { list: [] },
      annotations: { list: [] },
    });
  });

  test("tags, time range and refresh can be set", () => {
    const model = ServiceOverviewDashboard({
      ...BASE,
      tags: ["cdktf", "staging"],
      timeRange: { from: "now-24h", to: "now" },
      refresh: "5m",
    });
    expect(model).toMatchObject({
      tags: ["cdktf", "staging"],
      time: { from: "now-24h", to: "now" },
      refresh: "5m",
    });
  });

  test("survives a JSON round trip unchanged (nothing undefined, nothing that is not JSON)", () => {
    const model = ServiceOverviewDashboard({ ...BASE, loadBalancer: LOAD_BALANCER });
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });

  test("no string holds a Terraform template sequence that a literal would not survive", () => {
    const json = JSON.stringify(ServiceOverviewDashboard({ ...BASE, loadBalancer: LOAD_BALANCER }));
    expect(json).not.toMatch(/[$%]\{/);
  });

  test.each([
    [
      "has a space",
      `\`uid\` must be at most 40 letters, digits, - and _ (Grafana's uid rule), got "has a space". Shorten it or drop the other characters.`,
    ],
    [
      "a".repeat(41),
      `\`uid\` must be at most 40 letters, digits, - and _ (Grafana's uid rule), got "${"a".repeat(41)}". Shorten it or drop the other characters.`,
    ],
    [
      "",
      `\`uid\` must be at most 40 letters, digits, - and _ (Grafana's uid rule), got "". Shorten it or drop the other characters.`,
    ],
  ])("rejects the uid %j", (uid, message) => {
    expect(() => ServiceOverviewDashboard({ ...BASE, uid })).toThrow(message);
  });

  test("an unresolved uid is not checked", () => {
    const uid = Token.asString({ resolve: () => "x" });
    expect(ServiceOverviewDashboard({ ...BASE, uid }).uid).toBe(uid);
  });
});

describe("dashboard builder", () => {
  const spec = (title: string, width?: number, datasource: DataSourceRef = CW): PanelSpec => ({
    title,
    description: title,
    unit: "short",
    datasource,
    width,
    targets: cloudWatchTargets(datasource, "us-east-1", [
      {
        namespace: "AWS/ECS",
        metricName: "CPUUtilization",
        dimensions: {},
        statistic: "Average",
        label: "avg",
      },
    ]),
  });

  test("layoutPanels starts each section with a row and wraps panels at 24 columns", () => {
    const panels = layoutPanels([
      { title: "One", panels: [spec("a", 12), spec("b", 12), spec("c", 12)] },
      { title: "Two", panels: [spec("d")] },
    ]);
    expect(panels.map((p) => [p.title, p.gridPos])).toEqual([
      ["One", { x: 0, y: 0, w: 24, h: 1 }],
      ["a", { x: 0, y: 1, w: 12, h: 8 }],
      ["b", { x: 12, y: 1, w: 12, h: 8 }],
      ["c", { x: 0, y: 9, w: 12, h: 8 }],
      ["Two", { x: 0, y: 17, w: 24, h: 1 }],
      ["d", { x: 0, y: 18, w: 8, h: 8 }],
    ]);
  });

  test("a unit and a lower bound go to the field defaults", () => {
    const [, panel] = layoutPanels([{ title: "S", panels: [{ ...spec("a"), unit: "percent", min: 0 }] }]);
    expect((panel as TimeSeriesPanel).fieldConfig).toEqual({
      defaults: { unit: "percent", min: 0 },
      overrides: [],
    });
  });

  test.each([
    [
      25,
      "`width` must be a whole number from 1 to 24 (Grafana's grid has 24 columns), got 25. Set it to a whole number from 1 to 24.",
    ],
    [
      0,
      "`width` must be a whole number from 1 to 24 (Grafana's grid has 24 columns), got 0. Set it to a whole number from 1 to 24.",
    ],
  ])("rejects the panel width %j", (width, message) => {
    expect(() => layoutPanels([{ title: "S", panels: [spec("a", width)] }])).toThrow(message);
  });

  test("rejects a target that queries another data source than its panel", () => {
    const mixed: PanelSpec = {
      ...spec("Mixed"),
      targets: prometheusTargets(AMP, [{ expr: "up", legendFormat: "" }]),
    };
    expect(() => layoutPanels([{ title: "S", panels: [mixed] }])).toThrow(
      '`targets` must all use the panel\'s data source (panel "Mixed"), got "amp-uid". Give the panel one data source, or split it.',
    );
  });

  test("cloudWatchTargets writes the period in seconds as a string, or empty for automatic", () => {
    const [auto, fixed] = cloudWatchTargets(CW, "us-east-1", [
      {
        namespace: "AWS/ECS",
        metricName: "CPUUtilization",
        dimensions: { ClusterName: "c" },
        statistic: "Average",
        label: "a",
      },
      {
        namespace: "AWS/ECS",
        metricName: "CPUUtilization",
        dimensions: { ClusterName: "c" },
        statistic: "Sum",
        label: "b",
        periodSeconds: 60,
      },
    ]);
    expect(auto).toMatchObject({ refId: "A", period: "", label: "a", id: "", expression: "" });
    expect(fixed).toMatchObject({ refId: "B", period: "60", statistic: "Sum" });
  });

  test("at most 26 queries fit a panel (reference ids A to Z)", () => {
    const queries = Array.from({ length: 27 }, (_, i) => ({ expr: `up${i}`, legendFormat: "" }));
    expect(
      prometheusTargets(AMP, queries.slice(0, 26))
        .map((t: PrometheusTarget) => t.refId)
        .at(-1),
    ).toBe("Z");
    expect(() => prometheusTargets(AMP, queries)).toThrow(
      "`targets` must hold at most 26 queries per panel, got 27. Split the panel.",
    );
  });
});
