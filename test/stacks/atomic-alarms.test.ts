/**
 * Atomic Calendar's alarms against the seed's table (seed 003, "Configured Alarms"), row by row, and
 * the alarms the rows become for the seed's targets.
 */
import { describe, expect, test } from "vitest";
import { type AlarmTarget, Alerts } from "../../constructs/alerts";
import { atomicAlarmRows, CPU_ALARMED_SERVICES } from "../../stacks/atomic/alarms";
import { environmentSchema } from "../../stacks/atomic/settings";
import { key, naming } from "../support/fixtures";
import { resourcesOf, synthScope } from "../support/synth";

const defaults = environmentSchema.shape.alarms.parse(undefined);
const rows = atomicAlarmRows(defaults);
const row = (k: string) => rows.find((r) => r.key === k)!;
const window = (k: string) => row(k).periodSeconds * row(k).evaluationPeriods;

/** The seed's table: what it says, and what the row must be. */
const SEED_TABLE: [string, string, Record<string, unknown>, number][] = [
  [
    "ALB: High 5XX Errors",
    "5 or more HTTP 5XX server-side errors within a 5-minute period",
    {
      kind: "loadBalancer",
      metricName: "HTTPCode_ELB_5XX_Count",
      statistic: "Sum",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 5,
    },
    300,
  ],
  [
    "ALB: Unhealthy Hosts (per Target Group)",
    "more than 0 unhealthy hosts for 2 consecutive 5-minute periods",
    {
      kind: "targetGroup",
      metricName: "UnHealthyHostCount",
      comparison: "GreaterThanThreshold",
      threshold: 0,
      evaluationPeriods: 2,
    },
    600,
  ],
  [
    "ALB: High Target 5XX Errors (per Target Group)",
    "3 or more HTTP 5XX errors within a 5-minute period",
    {
      kind: "targetGroup",
      metricName: "HTTPCode_Target_5XX_Count",
      statistic: "Sum",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 3,
    },
    300,
  ],
  [
    "ALB: High Target Latency (per Target Group)",
    "P90 response time exceeds a threshold for 15 minutes",
    {
      kind: "targetGroup",
      metricName: "TargetResponseTime",
      percentile: 90,
      comparison: "GreaterThanThreshold",
    },
    900,
  ],
  [
    "ECS: High CPU Utilization (per Service)",
    "average CPU utilization exceeds 85% for a continuous 15-minute period",
    {
      kind: "ecsService",
      metricName: "CPUUtilization",
      statistic: "Average",
      comparison: "GreaterThanThreshold",
      threshold: 85,
    },
    900,
  ],
  [
    "RDS: High CPU Utilization",
    "average CPU utilization exceeds 85% for a continuous 15-minute period",
    { kind: "dbInstance", metricName: "CPUUtilization", statistic: "Average", threshold: 85 },
    900,
  ],
  [
    "RDS: Low Free Storage Space",
    "available storage space drops below 10GB",
    {
      kind: "dbInstance",
      metricName: "FreeStorageSpace",
      comparison: "LessThanThreshold",
      threshold: 10 * 1024 ** 3,
    },
    300,
  ],
  [
    "RDS: Low Freeable Memory",
    "freeable memory drops below 200MB for a continuous 10-minute period",
    {
      kind: "dbInstance",
      metricName: "FreeableMemory",
      comparison: "LessThanThreshold",
      threshold: 200 * 1024 ** 2,
    },
    600,
  ],
  [
    "RDS: High Database Connections",
    "average number of database connections exceeds a threshold (150 for db.t3.small) for 15 minutes",
    {
      kind: "dbInstance",
      metricName: "DatabaseConnections",
      statistic: "Average",
      comparison: "GreaterThanThreshold",
      threshold: 150,
    },
    900,
  ],
];
const KEYS = [
  "alb-5xx",
  "unhealthy-hosts",
  "target-5xx",
  "latency-p90",
  "cpu-high",
  "db-cpu-high",
  "db-free-storage-low",
  "db-freeable-memory-low",
  "db-connections-high",
];

describe("the seed's alarm table, row by row", () => {
  test("one row per line of the table, in its order", () => {
    expect(rows.map((r) => r.key)).toEqual(KEYS);
  });

  test.each(SEED_TABLE.map((line, i) => [line[0], line[1], line[2], line[3], KEYS[i]!] as const))(
    "%s: %s",
    (_, __, expected, seconds, k) => {
      expect(row(k)).toMatchObject(expected);
      expect(window(k)).toBe(seconds);
    },
  );

  test("thresholds are settings, the seed's values their defaults", () => {
    const changed = atomicAlarmRows({ ...defaults, alb5xxCount: 20, databaseFreeStorageGiB: 5 });
    expect(changed.find((r) => r.key === "alb-5xx")!.threshold).toBe(20);
    expect(changed.find((r) => r.key === "db-free-storage-low")!.threshold).toBe(5 * 1024 ** 3);
  });
});

describe("the rows for the seed's targets", () => {
  const ROUTED = ["app", "supertokens", "hasura", "functions", "handshake", "oauth", "optaplanner"];
  const targets: AlarmTarget[] = [
    { kind: "loadBalancer", key: "", dimensions: { LoadBalancer: "app/atomic-prod/1" } },
    ...ROUTED.map(
      (s): AlarmTarget => ({
        kind: "targetGroup",
        key: s,
        dimensions: { LoadBalancer: "app/atomic-prod/1", TargetGroup: `targetgroup/${s}/1` },
        thresholds: { "latency-p90": s === "app" ? 1 : 2 },
      }),
    ),
    ...CPU_ALARMED_SERVICES.map(
      (s): AlarmTarget => ({ kind: "ecsService", key: s, dimensions: { ClusterName: "c", ServiceName: s } }),
    ),
    { kind: "dbInstance", key: "", dimensions: { DBInstanceIdentifier: "atomic-prod-postgres" } },
  ];
  const json = synthScope((s) => {
    new Alerts(s, "alerts", { naming, encryptionKey: key, email: "ops@example.com" }).watch(targets, rows);
  });
  const alarms = Object.values(resourcesOf(json, "aws_cloudwatch_metric_alarm"));

  test("1 load balancer alarm, 3 for each of the 7 target groups, CPU on 4 services, 4 on the database", () => {
    expect(alarms).toHaveLength(1 + 3 * 7 + 4 + 4);
  });

  test("P90 latency per service threshold, as an extended statistic", () => {
    const app = alarms.find((a) => a.alarm_name === "meeting-notes-staging-latency-p90-app");
    expect(app).toMatchObject({
      extended_statistic: "p90",
      threshold: 1,
      period: 300,
      evaluation_periods: 3,
    });
    expect(alarms.find((a) => a.alarm_name === "meeting-notes-staging-latency-p90-oauth").threshold).toBe(2);
  });
});
