import { describe, expect, test } from "vitest";
import { type AlarmRow, type AlarmTarget, Alerts, SERVICE_ALARMS, WEB_ALARMS } from "../../constructs/alerts";
import { key, naming, RecordingKey } from "../support/fixtures";
import { onlyResource, parsed, resourcesOf, synthScope } from "../support/synth";

const service = { clusterName: "meeting-notes-staging-bot", serviceName: "meeting-notes-staging-bot" };
const alb = {
  albArnSuffix: "app/meeting-notes-staging-api/abc",
  targetGroupArnSuffix: "targetgroup/meeting-notes-staging-api/def",
};
const build = (withAlb: boolean) =>
  synthScope((s) => {
    const alerts = new Alerts(s, "alerts", { naming, encryptionKey: key, email: "oncall@example.com" });
    alerts.alarmOnNoRunningTasks(service);
    if (withAlb) {
      alerts.alarmOnTarget5xx(alb);
      alerts.alarmOnUnhealthyHosts(alb);
    }
  });
const alarm = (json: ReturnType<typeof build>, name: string) =>
  Object.values(resourcesOf(json, "aws_cloudwatch_metric_alarm")).find(
    (a) => a.alarm_name === `meeting-notes-staging-${name}`,
  );

describe("Alerts", () => {
  const json = build(true);

  test("without an email: the same encrypted topic and its policy, no subscription", () => {
    const quiet = synthScope((s) => {
      new Alerts(s, "alerts", { naming, encryptionKey: key }).alarmOnNoRunningTasks(service);
    });
    expect(onlyResource(quiet, "aws_sns_topic")).toMatchObject({
      name: "meeting-notes-staging-critical-alerts",
      kms_master_key_id: key.keyArn,
    });
    expect(Object.keys(resourcesOf(quiet, "aws_sns_topic_policy"))).toHaveLength(1);
    expect(resourcesOf(quiet, "aws_sns_topic_subscription")).toEqual({});
    expect(onlyResource(quiet, "aws_cloudwatch_metric_alarm").alarm_actions).toEqual([
      expect.stringMatching(/aws_sns_topic\.alerts_topic/),
    ]);
  });

  test("the topic is encrypted with the given key, and the email is subscribed", () => {
    expect(onlyResource(json, "aws_sns_topic")).toMatchObject({
      name: "meeting-notes-staging-critical-alerts",
      kms_master_key_id: key.keyArn,
    });
    expect(onlyResource(json, "aws_sns_topic_subscription")).toMatchObject({
      protocol: "email",
      endpoint: "oncall@example.com",
    });
  });

  test("only CloudWatch Alarms and EventBridge of this account may publish", () => {
    const statements = parsed(onlyResource(json, "aws_sns_topic_policy").policy).Statement;
    expect(statements.map((s: any) => [s.Principal.Service, s.Action])).toEqual([
      ["cloudwatch.amazonaws.com", "sns:Publish"],
      ["events.amazonaws.com", "sns:Publish"],
    ]);
    for (const s of statements)
      expect(s.Condition.StringEquals["aws:SourceAccount"]).toMatch(/aws_caller_identity/);
  });

  test.each([
    [
      "ecs-no-running-tasks",
      {
        namespace: "ECS/ContainerInsights",
        metric_name: "RunningTaskCount",
        comparison_operator: "LessThanThreshold",
        threshold: 1,
        period: 300,
        evaluation_periods: 2,
      },
    ],
    [
      "alb-target-5xx",
      {
        namespace: "AWS/ApplicationELB",
        metric_name: "HTTPCode_Target_5XX_Count",
        statistic: "Sum",
        comparison_operator: "GreaterThanOrEqualToThreshold",
        threshold: 10,
        period: 300,
        evaluation_periods: 2,
      },
    ],
    [
      "alb-unhealthy-hosts",
      {
        namespace: "AWS/ApplicationELB",
        metric_name: "UnHealthyHostCount",
        comparison_operator: "GreaterThanThreshold",
        threshold: 0,
        period: 300,
        evaluation_periods: 2,
      },
    ],
  ])("the seed's %s alarm, with alarm and OK actions to the topic", (name, expected) => {
    const a = alarm(json, name);
    expect(a).toMatchObject(expected);
    expect(a.alarm_actions).toEqual([expect.stringMatching(/^\$\{aws_sns_topic\..+\.arn\}$/)]);
    expect(a.ok_actions).toEqual(a.alarm_actions);
  });

  test("the alarms use the service and load balancer dimensions", () => {
    expect(alarm(json, "ecs-no-running-tasks").dimensions).toEqual({
      ClusterName: service.clusterName,
      ServiceName: service.serviceName,
    });
    expect(alarm(json, "alb-unhealthy-hosts").dimensions).toEqual({
      LoadBalancer: alb.albArnSuffix,
      TargetGroup: alb.targetGroupArnSuffix,
    });
  });

  test("without a load balancer only the ECS alarm exists", () => {
    expect(
      Object.values(resourcesOf(build(false), "aws_cloudwatch_metric_alarm")).map((a) => a.alarm_name),
    ).toEqual(["meeting-notes-staging-ecs-no-running-tasks"]);
  });

  test("rejects an address that is not an email", () => {
    expect(() =>
      synthScope((s) => new Alerts(s, "a", { naming, encryptionKey: key, email: "oncall" })),
    ).toThrow(
      '`email` must be an email address, got "oncall". Set it to the address that should receive critical alerts.',
    );
  });
});

describe("the alarm catalogue (Alerts.watch)", () => {
  const CPU_HIGH: AlarmRow = {
    key: "cpu-high",
    kind: "ecsService",
    description: "CPU of {target} above 85 % for 15 minutes.",
    namespace: "AWS/ECS",
    metricName: "CPUUtilization",
    statistic: "Average",
    comparison: "GreaterThanThreshold",
    threshold: 85,
    periodSeconds: 300,
    evaluationPeriods: 3,
    treatMissingData: "notBreaching",
  };
  const LATENCY_P99: AlarmRow = {
    key: "latency-p99",
    kind: "loadBalancer",
    description: "p99 latency above 2 s in 3 of 5 minutes.",
    namespace: "AWS/ApplicationELB",
    metricName: "TargetResponseTime",
    percentile: 99,
    comparison: "GreaterThanThreshold",
    threshold: 2,
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    treatMissingData: "notBreaching",
  };
  const services: AlarmTarget[] = ["api", "worker"].map((k) => ({
    kind: "ecsService",
    key: k,
    dimensions: { ClusterName: "c", ServiceName: `meeting-notes-staging-${k}` },
  }));
  const watch = (targets: readonly AlarmTarget[], rows: readonly AlarmRow[]) =>
    synthScope((s) => {
      new Alerts(s, "alerts", { naming, encryptionKey: key }).watch(targets, rows);
    });

  test("a row declared once becomes an alarm per target of its kind, named by row and target, notifying on ALARM and OK", () => {
    const json = watch(
      [...services, { kind: "loadBalancer", key: "public", dimensions: { LoadBalancer: "app/x/1" } }],
      [CPU_HIGH, LATENCY_P99],
    );
    const alarms = resourcesOf(json, "aws_cloudwatch_metric_alarm");
    expect(
      Object.values(alarms)
        .map((a) => a.alarm_name)
        .sort(),
    ).toEqual([
      "meeting-notes-staging-cpu-high-api",
      "meeting-notes-staging-cpu-high-worker",
      "meeting-notes-staging-latency-p99-public",
    ]);
    const api = Object.values(alarms).find((a) => a.alarm_name.endsWith("cpu-high-api"));
    expect(api).toMatchObject({
      alarm_description: "CPU of api above 85 % for 15 minutes.",
      dimensions: { ClusterName: "c", ServiceName: "meeting-notes-staging-api" },
      statistic: "Average",
      period: 300,
      evaluation_periods: 3,
    });
    expect(api.alarm_actions).toEqual(api.ok_actions);
    expect(api.alarm_actions).toEqual([expect.stringMatching(/^\$\{aws_sns_topic\./)]);
    expect(Object.keys(alarms).some((id) => id.includes("cpu-high-api"))).toBe(true);
  });

  test("a percentile becomes an extended statistic; M of N becomes datapoints_to_alarm", () => {
    const json = watch(
      [{ kind: "loadBalancer", key: "public", dimensions: { LoadBalancer: "app/x/1" } }],
      [LATENCY_P99],
    );
    const alarm = onlyResource(json, "aws_cloudwatch_metric_alarm");
    expect(alarm.extended_statistic).toBe("p99");
    expect(alarm.statistic).toBeUndefined();
    expect(alarm.datapoints_to_alarm).toBe(3);
  });

  test.each<[string, AlarmRow[], readonly AlarmTarget[], string]>([
    [
      "two rows with one key",
      [CPU_HIGH, { ...CPU_HIGH, threshold: 95 }],
      services,
      '`rows` must have unique keys, got "cpu-high". Rename one of the rows.',
    ],
    [
      "two targets with one key",
      [CPU_HIGH],
      [services[0]!, { ...services[1]!, key: "api" }],
      '`alarm` must have an id and a name no other alarm of the topic has, got "cpu-high-api". Give each row a unique key, and each target a unique key.',
    ],
    [
      "a statistic and a percentile",
      [{ ...CPU_HIGH, percentile: 90 }],
      services,
      '`cpu-high.statistic` must be given, or percentile instead, but not both, got {"statistic":"Average","percentile":90}. Give one of statistic (Average, Sum, ...) or percentile (99 for p99).',
    ],
    [
      "a period CloudWatch does not offer",
      [{ ...CPU_HIGH, periodSeconds: 90 }],
      services,
      "`cpu-high.periodSeconds` must be 10, 30 or a multiple of 60, got 90. Use 60, 300 or 3600, say.",
    ],
    [
      "an evaluation range over a day",
      [{ ...CPU_HIGH, periodSeconds: 300, evaluationPeriods: 289 }],
      services,
      "`cpu-high.evaluationPeriods` must keep periodSeconds x evaluationPeriods within one day (periods under an hour), got 289. Use fewer or shorter periods.",
    ],
    [
      "more datapoints than periods",
      [{ ...LATENCY_P99, datapointsToAlarm: 6 }],
      [{ kind: "loadBalancer", key: "public", dimensions: { LoadBalancer: "app/x/1" } }],
      "`latency-p99.datapointsToAlarm` must be a whole number from 1 to evaluationPeriods (5), got 6. Lower it, or raise evaluationPeriods.",
    ],
  ])("refuses %s", (_what, rows, targets, message) => {
    expect(() => watch(targets, rows)).toThrow(message);
  });

  test("a row applies only to targets of its kind", () => {
    const json = watch(services, [LATENCY_P99]);
    expect(resourcesOf(json, "aws_cloudwatch_metric_alarm")).toEqual({});
  });
});

describe("alarm rows are checked whether or not a target of their kind is passed", () => {
  const row: AlarmRow = {
    key: "errors",
    kind: "lambdaFunction",
    description: "Errors.",
    namespace: "AWS/Lambda",
    metricName: "Errors",
    statistic: "Sum",
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: 1,
    periodSeconds: 300,
    evaluationPeriods: 1,
    treatMissingData: "notBreaching",
  };
  test.each<[string, Partial<AlarmRow>, string]>([
    [
      "an unknown kind",
      { kind: "database" as never },
      '`errors.kind` must be one of ecsService, loadBalancer, targetGroup, lambdaFunction, dbInstance, dbCluster, cacheNode, queue, deadLetterQueue, canary, got "database". Pick one of those kinds.',
    ],
    [
      "an unknown comparison",
      { comparison: "Above" as never },
      '`errors.comparison` must be one of GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold, got "Above". Pick one of those.',
    ],
    [
      "a threshold that is not a number",
      { threshold: Number.NaN },
      "`errors.threshold` must be a finite number, got NaN. Give the threshold as a number.",
    ],
    [
      "an unknown missing-data mode",
      { treatMissingData: "zero" as never },
      '`errors.treatMissingData` must be one of breaching, notBreaching, ignore, missing, got "zero". Pick one of those.',
    ],
  ])("refuses %s", (_what, patch, message) => {
    expect(() =>
      synthScope((s) => {
        new Alerts(s, "alerts", { naming, encryptionKey: key }).watch([], [{ ...row, ...patch }]);
      }),
    ).toThrow(message);
  });
});

describe("Alerts key grant", () => {
  test("asks its key to let CloudWatch Alarms and EventBridge publish to the topic, by its literal name", () => {
    const recording = new RecordingKey();
    synthScope((s) => {
      new Alerts(s, "alerts", { naming, encryptionKey: recording });
    });
    expect(recording.topics).toEqual([
      { name: "meeting-notes-staging-critical-alerts", publishers: ["cloudwatch-alarms", "eventbridge"] },
    ]);
    expect(recording.logGroups).toEqual([]);
  });
});

describe("the shared alarm catalogue", () => {
  const services: AlarmTarget[] = ["api", "worker"].map((k) => ({
    kind: "ecsService",
    key: k,
    dimensions: { ClusterName: "c", ServiceName: `s-${k}` },
  }));
  const json = synthScope((s) => {
    new Alerts(s, "alerts", { naming, encryptionKey: key }).watch(
      [...services, { kind: "loadBalancer", key: "api", dimensions: { LoadBalancer: "app/x/1" } }],
      [...SERVICE_ALARMS, ...WEB_ALARMS],
    );
  });
  const alarms = Object.values(resourcesOf(json, "aws_cloudwatch_metric_alarm"));

  test("SERVICE_ALARMS: CPU and memory above 85 % for 3 x 5 minutes, one alarm per service", () => {
    const cpu = alarms.filter((a) => a.metric_name === "CPUUtilization");
    expect(cpu.map((a) => a.alarm_name).sort()).toEqual([
      "meeting-notes-staging-cpu-high-api",
      "meeting-notes-staging-cpu-high-worker",
    ]);
    for (const metric of ["CPUUtilization", "MemoryUtilization"]) {
      expect(alarms.filter((a) => a.metric_name === metric)[0]).toMatchObject({
        namespace: "AWS/ECS",
        statistic: "Average",
        comparison_operator: "GreaterThanThreshold",
        threshold: 85,
        period: 300,
        evaluation_periods: 3,
      });
    }
    expect(cpu.find((a) => a.alarm_name.endsWith("worker")).dimensions).toEqual({
      ClusterName: "c",
      ServiceName: "s-worker",
    });
    expect(cpu.find((a) => a.alarm_name.endsWith("worker")).alarm_description).toContain(
      "The worker service's",
    );
  });

  test("WEB_ALARMS: the load balancer's own 5xx and its targets' 5xx on load balancers; no target group passed, no unhealthy-hosts alarm", () => {
    expect(
      alarms
        .filter((a) => a.namespace === "AWS/ApplicationELB")
        .map((a) => a.metric_name)
        .sort(),
    ).toEqual(["HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count"]);
  });
});

describe("Alerts.notifyOnPlacementFailures", () => {
  const CLUSTER = "arn:aws:ecs:us-east-1:123456789012:cluster/atomic-prod-cluster";
  const json = synthScope((s) => {
    new Alerts(s, "alerts", { naming, encryptionKey: key }).notifyOnPlacementFailures({
      clusterArn: CLUSTER,
    });
  });

  test("ECS's task placement failures of that cluster go to the topic, with retries", () => {
    const rule = onlyResource(json, "aws_cloudwatch_event_rule");
    expect(rule.name).toBe("meeting-notes-staging-placement-failures");
    expect(rule.event_bus_name).toBeUndefined();
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["ECS Service Action"],
      detail: { clusterArn: [CLUSTER], eventName: ["SERVICE_TASK_PLACEMENT_FAILURE"] },
    });
    expect(onlyResource(json, "aws_cloudwatch_event_target")).toMatchObject({
      arn: expect.stringContaining("aws_sns_topic.alerts_topic"),
      retry_policy: { maximum_retry_attempts: 185, maximum_event_age_in_seconds: 86400 },
    });
  });
});
