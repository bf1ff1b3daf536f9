import type { AlarmRow } from "../../constructs/alerts";
import type { AtomicEnvironment } from "./settings";

/**
 * The seed's alarm table (seed 003, "Configured Alarms") as alarm rows, thresholds from the settings
 * (the seed's values by default). The platform's stack watches its targets with these rows and builds
 * its dashboard from the same rows (`alarmGraphs`), so the alarms, the dashboard and the seed agree.
 */
export function atomicAlarmRows(alarms: AtomicEnvironment["alarms"]): AlarmRow[] {
  const fiveMinutes = 300;
  return [
    {
      key: "alb-5xx",
      kind: "loadBalancer",
      description:
        "The load balancer answered {threshold} or more HTTP 5xx itself within 5 minutes (no healthy target, or targets refusing connections).",
      namespace: "AWS/ApplicationELB",
      metricName: "HTTPCode_ELB_5XX_Count",
      statistic: "Sum",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: alarms.alb5xxCount,
      periodSeconds: fiveMinutes,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
    },
    {
      key: "unhealthy-hosts",
      kind: "targetGroup",
      description:
        "The {target} target group has had an unhealthy host for two consecutive 5-minute periods. Check the service's health check and logs.",
      namespace: "AWS/ApplicationELB",
      metricName: "UnHealthyHostCount",
      statistic: "Maximum",
      comparison: "GreaterThanThreshold",
      threshold: 0,
      periodSeconds: fiveMinutes,
      evaluationPeriods: 2,
      treatMissingData: "notBreaching",
    },
    {
      key: "target-5xx",
      kind: "targetGroup",
      description:
        "The {target} service returned {threshold} or more HTTP 5xx within 5 minutes. Check its logs.",
      namespace: "AWS/ApplicationELB",
      metricName: "HTTPCode_Target_5XX_Count",
      statistic: "Sum",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: alarms.target5xxCount,
      periodSeconds: fiveMinutes,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
    },
    {
      key: "latency-p90",
      kind: "targetGroup",
      description: "The {target} service's P90 response time has been above {threshold} s for 15 minutes.",
      namespace: "AWS/ApplicationELB",
      metricName: "TargetResponseTime",
      percentile: 90,
      comparison: "GreaterThanThreshold",
      // Every target group carries its own (services.<name>.latencyP90Seconds); this is the fallback.
      threshold: 2,
      periodSeconds: fiveMinutes,
      evaluationPeriods: 3,
      treatMissingData: "notBreaching",
    },
    {
      key: "cpu-high",
      kind: "ecsService",
      description:
        "The {target} service's average CPU has been above {threshold} % for 15 minutes. Scale it out or give its tasks more CPU.",
      namespace: "AWS/ECS",
      metricName: "CPUUtilization",
      statistic: "Average",
      comparison: "GreaterThanThreshold",
      threshold: alarms.serviceCpuPercent,
      periodSeconds: fiveMinutes,
      evaluationPeriods: 3,
      treatMissingData: "notBreaching",
    },
    {
      key: "db-cpu-high",
      kind: "dbInstance",
      description: "The database's average CPU has been above {threshold} % for 15 minutes.",
      namespace: "AWS/RDS",
      metricName: "CPUUtilization",
      statistic: "Average",
      comparison: "GreaterThanThreshold",
      threshold: alarms.databaseCpuPercent,
      periodSeconds: fiveMinutes,
      evaluationPeriods: 3,
      treatMissingData: "notBreaching",
    },
    {
      key: "db-free-storage-low",
      kind: "dbInstance",
      description: `The database has less than ${alarms.databaseFreeStorageGiB} GB of free storage. Raise its storage or its autoscaling limit.`,
      namespace: "AWS/RDS",
      metricName: "FreeStorageSpace",
      statistic: "Minimum",
      comparison: "LessThanThreshold",
      threshold: alarms.databaseFreeStorageGiB * 1024 ** 3,
      periodSeconds: fiveMinutes,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
    },
    {
      key: "db-freeable-memory-low",
      kind: "dbInstance",
      description: `The database has had less than ${alarms.databaseFreeableMemoryMiB} MB of freeable memory for 10 minutes.`,
      namespace: "AWS/RDS",
      metricName: "FreeableMemory",
      statistic: "Minimum",
      comparison: "LessThanThreshold",
      threshold: alarms.databaseFreeableMemoryMiB * 1024 ** 2,
      periodSeconds: fiveMinutes,
      evaluationPeriods: 2,
      treatMissingData: "notBreaching",
    },
    {
      key: "db-connections-high",
      kind: "dbInstance",
      description: "The database has averaged more than {threshold} connections for 15 minutes.",
      namespace: "AWS/RDS",
      metricName: "DatabaseConnections",
      statistic: "Average",
      comparison: "GreaterThanThreshold",
      threshold: alarms.databaseConnections,
      periodSeconds: fiveMinutes,
      evaluationPeriods: 3,
      treatMissingData: "notBreaching",
    },
  ];
}

/** The seed's services whose CPU it alarms on. */
export const CPU_ALARMED_SERVICES = ["app", "functions", "hasura", "supertokens"] as const;
