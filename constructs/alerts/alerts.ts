import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import { policyDocument } from "../core/iam";
import { limitedName, NAME_LIMITS, type ResourceNaming } from "../core/naming";
import { suppress } from "../core/suppressions";
import { invalid, isUnresolved } from "../core/validation";
import type { KeyReference } from "../internal/references";

/** Properties of {@link Alerts}. */
export interface AlertsProps {
  /** Project and environment resource names derive from. */
  readonly naming: ResourceNaming;
  /**
   * Key the topic is encrypted with. Its policy must let CloudWatch Alarms and EventBridge use it
   * (an `AppKey` does), or notifications are silently dropped.
   */
  readonly encryptionKey: KeyReference;
  /**
   * Address subscribed to the topic; AWS emails it a confirmation link after the first apply.
   * @default - no subscription: the topic and every alarm still exist (their state shows in the
   *   CloudWatch console), and anything subscribed to the topic later receives them
   */
  readonly email?: string;
}

/** A statistic CloudWatch computes over a period. */
export type AlarmStatistic = "Average" | "Sum" | "Minimum" | "Maximum" | "SampleCount";

/** How an alarm compares the statistic with its threshold. */
export type AlarmComparison =
  | "GreaterThanOrEqualToThreshold"
  | "GreaterThanThreshold"
  | "LessThanThreshold"
  | "LessThanOrEqualToThreshold";

/** What an alarm watches: a kind of AWS resource and the CloudWatch dimensions naming one of them. */
export interface AlarmTarget {
  /** The kind of resource; a row applies to the targets of its kind. */
  readonly kind:
    | "ecsService"
    | "loadBalancer"
    | "targetGroup"
    | "lambdaFunction"
    | "dbInstance"
    | "dbCluster"
    | "cacheNode"
    | "queue"
    | "deadLetterQueue"
    | "canary";
  /**
   * Stable key of the target in the settings (a service's key): part of each alarm's id and name, so
   * every target gets its own alarm. Empty for a platform's only target of its kind (the id and name
   * are then the row's key alone).
   */
  readonly key: string;
  /** The metric dimensions that name the target (`{ ClusterName, ServiceName }`). */
  readonly dimensions: Readonly<Record<string, string>>;
  /**
   * This target's thresholds, by row key, where the row's own does not fit it (a database's
   * connection limit follows its instance class).
   * @default - each row's threshold
   */
  readonly thresholds?: Readonly<Record<string, number>>;
}

/** What an alarm measures and when it fires: shared by catalogue rows and single alarms. */
export interface AlarmMetric {
  /** What the alarm means and what to do, shown in the notification. */
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  /** The statistic; give this or {@link AlarmMetric.percentile}. */
  readonly statistic?: AlarmStatistic;
  /** A percentile (99 for p99) instead of a statistic. */
  readonly percentile?: number;
  readonly comparison: AlarmComparison;
  readonly threshold: number;
  /** Seconds per period: 10, 30 or a multiple of 60. */
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  /**
   * Breaching periods (of `evaluationPeriods`) that fire the alarm ("M out of N").
   * @default evaluationPeriods
   */
  readonly datapointsToAlarm?: number;
  /** How periods without data count. */
  readonly treatMissingData: "breaching" | "notBreaching" | "ignore" | "missing";
}

/**
 * One row of an alarm catalogue: a metric of a kind of target, a statistic (or percentile), a threshold,
 * a period times evaluation periods, and how missing data counts. Declared once, it becomes one alarm
 * per target ({@link Alerts.watch}); `{target}` in its description is replaced by the target's key.
 */
export interface AlarmRow extends AlarmMetric {
  /** Stable key of the row (`cpu-high`): with the target's key, the alarm's id and name. */
  readonly key: string;
  /** The kind of target the row watches. */
  readonly kind: AlarmTarget["kind"];
}

/** One CloudWatch alarm on the critical topic. */
export interface CriticalAlarmOptions extends AlarmMetric {
  /** Alarm name suffix: the alarm is `<project>-<environment>-<name>`. */
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/**
 * Critical alerts: an SNS topic encrypted with the given key, that only CloudWatch Alarms and
 * EventBridge of this account may publish to, an optional email subscription, and alarms that
 * notify it when they fire and when they clear.
 */
export class Alerts extends Construct {
  /** ARN of the critical alerts topic. */
  public readonly topicArn: string;
  /** Name of the topic: `<project>-<environment>-critical-alerts`. */
  public readonly topicName: string;
  /** Names of the alarms added so far. */
  public readonly alarmNames: string[] = [];
  private readonly alarmIds = new Set<string>();
  private readonly naming: ResourceNaming;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    if (
      props.email !== undefined &&
      !isUnresolved(props.email) &&
      !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.email)
    ) {
      throw invalid(
        "email",
        "must be an email address",
        props.email,
        "Set it to the address that should receive critical alerts.",
      );
    }
    this.naming = props.naming;
    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");
    this.topicName = limitedName(NAME_LIMITS.snsTopic, props.naming, "critical-alerts");
    const topic = new SnsTopic(this, "topic", {
      name: this.topicName,
      displayName: `${props.naming.projectName} ${props.naming.environment} critical alerts`,
      kmsMasterKeyId: props.encryptionKey.keyArn,
    });
    props.encryptionKey.grantTopicPublishers(this.topicName, ["cloudwatch-alarms", "eventbridge"]);
    new SnsTopicPolicy(this, "topic-policy", {
      arn: topic.arn,
      policy: policyDocument([
        {
          sid: "CloudWatchAlarmsPublish",
          principals: { Service: "cloudwatch.amazonaws.com" },
          actions: ["sns:Publish"],
          resources: [topic.arn],
          conditions: {
            StringEquals: { "aws:SourceAccount": account.accountId },
            ArnLike: {
              "aws:SourceArn": `arn:${partition.partition}:cloudwatch:*:${account.accountId}:alarm:*`,
            },
          },
        },
        {
          sid: "EventBridgePublish",
          principals: { Service: "events.amazonaws.com" },
          actions: ["sns:Publish"],
          resources: [topic.arn],
          conditions: { StringEquals: { "aws:SourceAccount": account.accountId } },
        },
      ]),
    });
    if (props.email !== undefined) {
      new SnsTopicSubscription(this, "email", {
        topicArn: topic.arn,
        protocol: "email",
        endpoint: props.email,
      });
    }
    this.topicArn = topic.arn;
  }

  /**
   * Sends ECS's `SERVICE_TASK_PLACEMENT_FAILURE` events of a cluster to the topic (an EventBridge rule on
   * the default bus). ECS never moves a Fargate Spot service to on-demand by itself: when Spot has no
   * capacity, the service emits these events while it waits below its desired count, and this is how a
   * person hears of it (then raises the on-demand base or weight of the capacity strategy).
   */
  public notifyOnPlacementFailures(
    cluster: { readonly clusterArn: string },
    key = "placement-failures",
  ): void {
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(key)) {
      throw invalid(
        "key",
        "must be 1-40 lowercase letters, digits and hyphens",
        key,
        "Use the cluster's key.",
      );
    }
    const rule = new CloudwatchEventRule(this, `${key}-rule`, {
      name: limitedName(NAME_LIMITS.eventRule, this.naming, key),
      description: "ECS could not place tasks of a service (no Fargate Spot capacity, or no capacity at all)",
      eventPattern: JSON.stringify({
        source: ["aws.ecs"],
        "detail-type": ["ECS Service Action"],
        detail: { clusterArn: [cluster.clusterArn], eventName: ["SERVICE_TASK_PLACEMENT_FAILURE"] },
      }),
    });
    const target = new CloudwatchEventTarget(this, `${key}-target`, {
      rule: rule.name,
      arn: this.topicArn,
      retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86400 },
    });
    suppress(
      target,
      "EVB-002",
      "A lost placement-failure notification needs no dead-letter queue: EventBridge retries it for 24 hours, and ECS emits the event again on every failed placement while the service stays below its desired count.",
      { arn: this.topicArn },
    );
  }

  /**
   * Adds an alarm that notifies the topic when it fires (ALARM) and when it clears (OK). Ids and names
   * are unique: a second alarm with either is refused.
   */
  public addAlarm(id: string, options: CriticalAlarmOptions): CloudwatchMetricAlarm {
    validateAlarm(id, options);
    const alarmName = limitedName(NAME_LIMITS.alarm, this.naming, options.name);
    if (this.alarmIds.has(id) || this.alarmNames.includes(alarmName)) {
      throw invalid(
        "alarm",
        "must have an id and a name no other alarm of the topic has",
        this.alarmIds.has(id) ? id : alarmName,
        "Give each row a unique key, and each target a unique key.",
      );
    }
    this.alarmIds.add(id);
    this.alarmNames.push(alarmName);
    return new CloudwatchMetricAlarm(this, id, {
      alarmName,
      alarmDescription: options.description,
      namespace: options.namespace,
      metricName: options.metricName,
      dimensions: { ...options.dimensions },
      ...(options.percentile !== undefined
        ? { extendedStatistic: `p${options.percentile}` }
        : { statistic: options.statistic }),
      comparisonOperator: options.comparison,
      threshold: options.threshold,
      period: options.periodSeconds,
      evaluationPeriods: options.evaluationPeriods,
      ...(options.datapointsToAlarm !== undefined ? { datapointsToAlarm: options.datapointsToAlarm } : {}),
      treatMissingData: options.treatMissingData,
      alarmActions: [this.topicArn],
      okActions: [this.topicArn],
    });
  }

  /**
   * One alarm per target and row of its kind: the catalogue declared once ("CPU above 85 % for 15
   * minutes") becomes an alarm for every target passed. Each alarm's id and name are
   * `<row key>-<target key>` (the row's key alone for a target with an empty key).
   */
  public watch(targets: readonly AlarmTarget[], rows: readonly AlarmRow[]): CloudwatchMetricAlarm[] {
    const keys = new Set<string>();
    for (const row of rows) {
      if (keys.has(row.key)) {
        throw invalid("rows", "must have unique keys", row.key, "Rename one of the rows.");
      }
      keys.add(row.key);
      // Every row is checked, whether or not a target of its kind is passed this time.
      if (!ALARM_KINDS.includes(row.kind)) {
        throw invalid(
          `${row.key}.kind`,
          `must be one of ${ALARM_KINDS.join(", ")}`,
          row.kind,
          "Pick one of those kinds.",
        );
      }
      validateAlarm(row.key, { ...row, name: row.key, dimensions: {} });
    }
    return targets.flatMap((target) =>
      rows
        .filter((row) => row.kind === target.kind)
        .map((row) => {
          const id = target.key === "" ? row.key : `${row.key}-${target.key}`;
          const threshold = target.thresholds?.[row.key] ?? row.threshold;
          return this.addAlarm(id, {
            ...row,
            name: id,
            threshold,
            description: row.description
              .replaceAll("{target}", target.key)
              .replaceAll("{threshold}", String(threshold)),
            dimensions: target.dimensions,
          });
        }),
    );
  }

  /** The seed's "ECS no running tasks": running task count < 1 for 10 minutes (5 min x 2). Needs Container Insights. */
  public alarmOnNoRunningTasks(service: {
    readonly clusterName: string;
    readonly serviceName: string;
  }): CloudwatchMetricAlarm {
    return this.watch(
      [
        {
          kind: "ecsService",
          key: "",
          dimensions: { ClusterName: service.clusterName, ServiceName: service.serviceName },
        },
      ],
      [NO_RUNNING_TASKS],
    )[0]!;
  }

  /** The seed's "ALB target 5xx errors": 10+ target HTTP 5xx responses (5 min x 2). */
  public alarmOnTarget5xx(alb: { readonly albArnSuffix: string }): CloudwatchMetricAlarm {
    return this.watch(
      [{ kind: "loadBalancer", key: "", dimensions: { LoadBalancer: alb.albArnSuffix } }],
      [TARGET_5XX],
    )[0]!;
  }

  /** The seed's "ALB unhealthy hosts": any unhealthy target for 10 minutes (5 min x 2). */
  public alarmOnUnhealthyHosts(alb: {
    readonly albArnSuffix: string;
    readonly targetGroupArnSuffix: string;
  }): CloudwatchMetricAlarm {
    return this.watch(
      [
        {
          kind: "targetGroup",
          key: "",
          dimensions: { LoadBalancer: alb.albArnSuffix, TargetGroup: alb.targetGroupArnSuffix },
        },
      ],
      [UNHEALTHY_HOSTS],
    )[0]!;
  }
}

/** The seed's "ECS no running tasks" row. */
export const NO_RUNNING_TASKS: AlarmRow = {
  key: "ecs-no-running-tasks",
  kind: "ecsService",
  description:
    "The bot service has had no running task for 10 minutes. Check the ECS service events and the task logs.",
  namespace: "ECS/ContainerInsights",
  metricName: "RunningTaskCount",
  statistic: "Maximum",
  comparison: "LessThanThreshold",
  threshold: 1,
  periodSeconds: 300,
  evaluationPeriods: 2,
  // No data from Container Insights means no task is reporting.
  treatMissingData: "breaching",
};

/** The seed's "ALB target 5xx errors" row. */
export const TARGET_5XX: AlarmRow = {
  key: "alb-target-5xx",
  kind: "loadBalancer",
  description: "The API's targets returned 10 or more HTTP 5xx responses in each of two 5-minute periods.",
  namespace: "AWS/ApplicationELB",
  metricName: "HTTPCode_Target_5XX_Count",
  statistic: "Sum",
  comparison: "GreaterThanOrEqualToThreshold",
  threshold: 10,
  periodSeconds: 300,
  evaluationPeriods: 2,
  treatMissingData: "notBreaching",
};

/** The seed's "ALB unhealthy hosts" row. */
export const UNHEALTHY_HOSTS: AlarmRow = {
  key: "alb-unhealthy-hosts",
  kind: "targetGroup",
  description:
    "The API's target group has had an unhealthy target for 10 minutes. Check the health check path and the task logs.",
  namespace: "AWS/ApplicationELB",
  metricName: "UnHealthyHostCount",
  statistic: "Maximum",
  comparison: "GreaterThanThreshold",
  threshold: 0,
  periodSeconds: 300,
  evaluationPeriods: 2,
  treatMissingData: "notBreaching",
};

const ALARM_KEY = /^[a-z][a-z0-9-]{0,62}$/;
const ALARM_KINDS: readonly AlarmTarget["kind"][] = [
  "ecsService",
  "loadBalancer",
  "targetGroup",
  "lambdaFunction",
  "dbInstance",
  "dbCluster",
  "cacheNode",
  "queue",
  "deadLetterQueue",
  "canary",
];
const COMPARISONS: readonly AlarmComparison[] = [
  "GreaterThanOrEqualToThreshold",
  "GreaterThanThreshold",
  "LessThanThreshold",
  "LessThanOrEqualToThreshold",
];
const MISSING_DATA = ["breaching", "notBreaching", "ignore", "missing"];

/** CloudWatch's rules for an alarm, checked before Terraform sees it. */
function validateAlarm(id: string, o: CriticalAlarmOptions): void {
  if (!ALARM_KEY.test(id)) {
    throw invalid(
      "key",
      "must be lowercase letters, digits and hyphens, starting with a letter (at most 63)",
      id,
      "Rename the row or the target.",
    );
  }
  if (!COMPARISONS.includes(o.comparison)) {
    throw invalid(
      `${id}.comparison`,
      `must be one of ${COMPARISONS.join(", ")}`,
      o.comparison,
      "Pick one of those.",
    );
  }
  if (typeof o.threshold !== "number" || !Number.isFinite(o.threshold)) {
    throw invalid(
      `${id}.threshold`,
      "must be a finite number",
      o.threshold,
      "Give the threshold as a number.",
    );
  }
  if (!MISSING_DATA.includes(o.treatMissingData)) {
    throw invalid(
      `${id}.treatMissingData`,
      `must be one of ${MISSING_DATA.join(", ")}`,
      o.treatMissingData,
      "Pick one of those.",
    );
  }
  if ((o.statistic === undefined) === (o.percentile === undefined)) {
    throw invalid(
      `${id}.statistic`,
      "must be given, or percentile instead, but not both",
      { statistic: o.statistic, percentile: o.percentile },
      "Give one of statistic (Average, Sum, ...) or percentile (99 for p99).",
    );
  }
  if (o.percentile !== undefined && !(o.percentile > 0 && o.percentile < 100)) {
    throw invalid(
      `${id}.percentile`,
      "must be above 0 and below 100",
      o.percentile,
      "Use for example 99 for p99.",
    );
  }
  const p = o.periodSeconds;
  if (!(p === 10 || p === 30 || (Number.isInteger(p) && p >= 60 && p % 60 === 0))) {
    throw invalid(
      `${id}.periodSeconds`,
      "must be 10, 30 or a multiple of 60",
      p,
      "Use 60, 300 or 3600, say.",
    );
  }
  if (!Number.isInteger(o.evaluationPeriods) || o.evaluationPeriods < 1) {
    throw invalid(
      `${id}.evaluationPeriods`,
      "must be a whole number of at least 1",
      o.evaluationPeriods,
      "Use 1 or more.",
    );
  }
  const limit = p < 3600 ? 86_400 : 7 * 86_400;
  if (p * o.evaluationPeriods > limit) {
    throw invalid(
      `${id}.evaluationPeriods`,
      `must keep periodSeconds x evaluationPeriods within ${limit === 86_400 ? "one day (periods under an hour)" : "seven days"}`,
      o.evaluationPeriods,
      "Use fewer or shorter periods.",
    );
  }
  const m = o.datapointsToAlarm;
  if (m !== undefined && (!Number.isInteger(m) || m < 1 || m > o.evaluationPeriods)) {
    throw invalid(
      `${id}.datapointsToAlarm`,
      `must be a whole number from 1 to evaluationPeriods (${o.evaluationPeriods})`,
      m,
      "Lower it, or raise evaluationPeriods.",
    );
  }
}
