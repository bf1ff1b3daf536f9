import { describe, expect, test } from "vitest";
import { Alerts } from "../../constructs/alerts";
import { key, naming } from "../support/fixtures";
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
