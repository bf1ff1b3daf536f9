import { invalid, isUnresolved } from "../../core/validation";
import {
  cloudWatchTargets,
  type DashboardSection,
  layoutPanels,
  type PanelSpec,
  prometheusTargets,
} from "./builder";
import type { DashboardModel, DataSourceRef } from "./model";

/** Grafana uids: at most 40 letters, digits, `-` and `_`. */
const GRAFANA_UID = /^[A-Za-z0-9_-]{1,40}$/;

/** The load balancer in front of the service, for the request, error and latency panels. */
export interface LoadBalancerMetrics {
  /** `arn_suffix` of the ALB (`app/<name>/<id>`), the `LoadBalancer` dimension. */
  readonly loadBalancerArnSuffix: string;
  /** `arn_suffix` of the target group (`targetgroup/<name>/<id>`), the `TargetGroup` dimension. */
  readonly targetGroupArnSuffix: string;
}

/** Properties of {@link ServiceOverviewDashboard}. */
export interface ServiceOverviewDashboardProps {
  /** Dashboard uid (part of its URL): at most 40 letters, digits, `-` and `_`. */
  readonly uid: string;
  /** Dashboard title. */
  readonly title: string;
  /**
   * Dashboard tags.
   * @default []
   */
  readonly tags?: readonly string[];
  /** AWS region of the metrics (CloudWatch queries name it explicitly). */
  readonly region: string;
  /** The CloudWatch data source (ECS, ALB and AMP usage metrics). */
  readonly cloudWatch: DataSourceRef;
  /** The Amazon Managed Prometheus data source (PromQL panels). */
  readonly prometheus: DataSourceRef;
  /** ECS cluster of the service (`ClusterName` dimension). */
  readonly ecsClusterName: string;
  /** ECS service (`ServiceName` dimension). */
  readonly ecsServiceName: string;
  /** AMP workspace id (`ws-...`), the `ResourceId` dimension of its usage metrics. */
  readonly prometheusWorkspaceId: string;
  /**
   * The service's load balancer.
   * @default - no load balancer section
   */
  readonly loadBalancer?: LoadBalancerMetrics;
  /**
   * Default time range.
   * @default { from: "now-6h", to: "now" }
   */
  readonly timeRange?: { readonly from: string; readonly to: string };
  /**
   * Auto-refresh interval.
   * @default "1m"
   */
  readonly refresh?: string;
}

/**
 * The starter dashboard of a service: ECS CPU, memory and task count; the load balancer's
 * requests, target 5xx, p95/p99 latency and target health (when there is one); and the metrics
 * pipeline (AMP ingestion rate and active series from CloudWatch usage metrics, scrape targets up
 * from PromQL). Returns the model; serialize it with `JSON.stringify`.
 */
export function ServiceOverviewDashboard(props: ServiceOverviewDashboardProps): DashboardModel {
  if (!isUnresolved(props.uid) && !GRAFANA_UID.test(props.uid)) {
    throw invalid(
      "uid",
      "must be at most 40 letters, digits, - and _ (Grafana's uid rule)",
      props.uid,
      "Shorten it or drop the other characters.",
    );
  }
  const { cloudWatch, prometheus, region } = props;
  const ecs = { ClusterName: props.ecsClusterName, ServiceName: props.ecsServiceName };

  const service: DashboardSection = {
    title: "Service (ECS)",
    panels: [
      {
        title: "CPU utilization",
        description:
          "AWS/ECS CPUUtilization of the service: average and busiest task, percent of reserved CPU.",
        unit: "percent",
        min: 0,
        datasource: cloudWatch,
        targets: cloudWatchTargets(cloudWatch, region, [
          {
            namespace: "AWS/ECS",
            metricName: "CPUUtilization",
            dimensions: ecs,
            statistic: "Average",
            label: "average",
          },
          {
            namespace: "AWS/ECS",
            metricName: "CPUUtilization",
            dimensions: ecs,
            statistic: "Maximum",
            label: "maximum",
          },
        ]),
      },
      {
        title: "Memory utilization",
        description:
          "AWS/ECS MemoryUtilization of the service: average and largest task, percent of reserved memory.",
        unit: "percent",
        min: 0,
        datasource: cloudWatch,
        targets: cloudWatchTargets(cloudWatch, region, [
          {
            namespace: "AWS/ECS",
            metricName: "MemoryUtilization",
            dimensions: ecs,
            statistic: "Average",
            label: "average",
          },
          {
            namespace: "AWS/ECS",
            metricName: "MemoryUtilization",
            dimensions: ecs,
            statistic: "Maximum",
            label: "maximum",
          },
        ]),
      },
      {
        title: "Tasks",
        description:
          "ECS/ContainerInsights RunningTaskCount and DesiredTaskCount. These exist only with Container Insights enabled on the cluster.",
        unit: "short",
        min: 0,
        datasource: cloudWatch,
        targets: cloudWatchTargets(cloudWatch, region, [
          {
            namespace: "ECS/ContainerInsights",
            metricName: "RunningTaskCount",
            dimensions: ecs,
            statistic: "Average",
            label: "running",
          },
          {
            namespace: "ECS/ContainerInsights",
            metricName: "DesiredTaskCount",
            dimensions: ecs,
            statistic: "Average",
            label: "desired",
          },
        ]),
      },
    ],
  };

  const sections: DashboardSection[] = [service];
  if (props.loadBalancer) sections.push(loadBalancerSection(props.loadBalancer, cloudWatch, region));
  sections.push(pipelineSection(props.prometheusWorkspaceId, cloudWatch, prometheus, region));

  return {
    uid: props.uid,
    title: props.title,
    description:
      "Starter dashboard managed from code (cdktf); changes made in the UI are replaced on the next apply.",
    tags: [...(props.tags ?? [])],
    timezone: "browser",
    editable: false,
    graphTooltip: 1,
    schemaVersion: 39,
    time: props.timeRange ?? { from: "now-6h", to: "now" },
    refresh: props.refresh ?? "1m",
    panels: layoutPanels(sections),
    templating: { list: [] },
    annotations: { list: [] },
  };
}

function loadBalancerSection(
  lb: LoadBalancerMetrics,
  cloudWatch: DataSourceRef,
  region: string,
): DashboardSection {
  const alb = { LoadBalancer: lb.loadBalancerArnSuffix };
  const targetGroup = { TargetGroup: lb.targetGroupArnSuffix, LoadBalancer: lb.loadBalancerArnSuffix };
  const ns = "AWS/ApplicationELB";
  const panels: PanelSpec[] = [
    {
      title: "Requests",
      description: "AWS/ApplicationELB RequestCount: requests the load balancer served, per minute.",
      unit: "short",
      min: 0,
      width: 6,
      datasource: cloudWatch,
      targets: cloudWatchTargets(cloudWatch, region, [
        {
          namespace: ns,
          metricName: "RequestCount",
          dimensions: alb,
          statistic: "Sum",
          label: "requests",
          periodSeconds: 60,
        },
      ]),
    },
    {
      title: "Target 5xx responses",
      description: "AWS/ApplicationELB HTTPCode_Target_5XX_Count: 5xx answers from the service, per minute.",
      unit: "short",
      min: 0,
      width: 6,
      datasource: cloudWatch,
      targets: cloudWatchTargets(cloudWatch, region, [
        {
          namespace: ns,
          metricName: "HTTPCode_Target_5XX_Count",
          dimensions: alb,
          statistic: "Sum",
          label: "5xx",
          periodSeconds: 60,
        },
      ]),
    },
    {
      title: "Target response time",
      description:
        "AWS/ApplicationELB TargetResponseTime: p95 and p99 seconds from request sent to the service to response.",
      unit: "s",
      min: 0,
      width: 6,
      datasource: cloudWatch,
      targets: cloudWatchTargets(cloudWatch, region, [
        { namespace: ns, metricName: "TargetResponseTime", dimensions: alb, statistic: "p95", label: "p95" },
        { namespace: ns, metricName: "TargetResponseTime", dimensions: alb, statistic: "p99", label: "p99" },
      ]),
    },
    {
      title: "Target health",
      description:
        "AWS/ApplicationELB HealthyHostCount (minimum) and UnHealthyHostCount (maximum) of the target group.",
      unit: "short",
      min: 0,
      width: 6,
      datasource: cloudWatch,
      targets: cloudWatchTargets(cloudWatch, region, [
        {
          namespace: ns,
          metricName: "HealthyHostCount",
          dimensions: targetGroup,
          statistic: "Minimum",
          label: "healthy",
        },
        {
          namespace: ns,
          metricName: "UnHealthyHostCount",
          dimensions: targetGroup,
          statistic: "Maximum",
          label: "unhealthy",
        },
      ]),
    },
  ];
  return { title: "Load balancer (ALB)", panels };
}

function pipelineSection(
  workspaceId: string,
  cloudWatch: DataSourceRef,
  prometheus: DataSourceRef,
  region: string,
): DashboardSection {
  // Amazon Managed Prometheus vends its usage as AWS/Usage ResourceCount, one series per quota resource.
  const usage = (resource: string) => ({
    Service: "Prometheus",
    Type: "Resource",
    Resource: resource,
    Class: "None",
    ResourceId: workspaceId,
  });
  return {
    title: "Metrics pipeline (Amazon Managed Prometheus)",
    panels: [
      {
        title: "AMP ingestion rate",
        description:
          "Samples per second the workspace ingests (AWS/Usage ResourceCount, resource IngestionRate).",
        unit: "cps",
        min: 0,
        datasource: cloudWatch,
        targets: cloudWatchTargets(cloudWatch, region, [
          {
            namespace: "AWS/Usage",
            metricName: "ResourceCount",
            dimensions: usage("IngestionRate"),
            statistic: "Average",
            label: "samples/s",
          },
        ]),
      },
      {
        title: "AMP active series",
        description: "Active series in the workspace (AWS/Usage ResourceCount, resource ActiveSeries).",
        unit: "short",
        min: 0,
        datasource: cloudWatch,
        targets: cloudWatchTargets(cloudWatch, region, [
          {
            namespace: "AWS/Usage",
            metricName: "ResourceCount",
            dimensions: usage("ActiveSeries"),
            statistic: "Average",
            label: "active series",
          },
        ]),
      },
      {
        title: "Scrape targets up",
        description:
          "PromQL sum by (job) (up): targets each collector scraped successfully. Empty until a collector writes to the workspace.",
        unit: "short",
        min: 0,
        datasource: prometheus,
        targets: prometheusTargets(prometheus, [{ expr: "sum by (job) (up)", legendFormat: "{{job}}" }]),
      },
    ],
  };
}
