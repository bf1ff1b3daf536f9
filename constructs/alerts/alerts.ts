import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import { policyDocument } from "../core/iam";
import { limitedName, NAME_LIMITS, type ResourceNaming } from "../core/naming";
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

/** One CloudWatch alarm on the critical topic. */
export interface CriticalAlarmOptions {
  /** Alarm name suffix: the alarm is `<project>-<environment>-<name>`. */
  readonly name: string;
  /** What the alarm means and what to do, shown in the notification. */
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: "Average" | "Sum" | "Minimum" | "Maximum" | "SampleCount";
  readonly comparison:
    | "GreaterThanOrEqualToThreshold"
    | "GreaterThanThreshold"
    | "LessThanThreshold"
    | "LessThanOrEqualToThreshold";
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  /** How periods without data count. */
  readonly treatMissingData: "breaching" | "notBreaching" | "ignore" | "missing";
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

  /** Adds an alarm that notifies the topic when it fires (ALARM) and when it clears (OK). */
  public addAlarm(id: string, options: CriticalAlarmOptions): CloudwatchMetricAlarm {
    const alarmName = limitedName(NAME_LIMITS.alarm, this.naming, options.name);
    this.alarmNames.push(alarmName);
    return new CloudwatchMetricAlarm(this, id, {
      alarmName,
      alarmDescription: options.description,
      namespace: options.namespace,
      metricName: options.metricName,
      dimensions: { ...options.dimensions },
      statistic: options.statistic,
      comparisonOperator: options.comparison,
      threshold: options.threshold,
      period: options.periodSeconds,
      evaluationPeriods: options.evaluationPeriods,
      treatMissingData: options.treatMissingData,
      alarmActions: [this.topicArn],
      okActions: [this.topicArn],
    });
  }

  /** The seed's "ECS no running tasks": running task count < 1 for 10 minutes (5 min x 2). Needs Container Insights. */
  public alarmOnNoRunningTasks(service: {
    readonly clusterName: string;
    readonly serviceName: string;
  }): CloudwatchMetricAlarm {
    return this.addAlarm("ecs-no-running-tasks", {
      name: "ecs-no-running-tasks",
      description:
        "The bot service has had no running task for 10 minutes. Check the ECS service events and the task logs.",
      namespace: "ECS/ContainerInsights",
      metricName: "RunningTaskCount",
      dimensions: { ClusterName: service.clusterName, ServiceName: service.serviceName },
      statistic: "Maximum",
      comparison: "LessThanThreshold",
      threshold: 1,
      periodSeconds: 300,
      evaluationPeriods: 2,
      // No data from Container Insights means no task is reporting.
      treatMissingData: "breaching",
    });
  }

  /** The seed's "ALB target 5xx errors": 10+ target HTTP 5xx responses (5 min x 2). */
  public alarmOnTarget5xx(alb: { readonly albArnSuffix: string }): CloudwatchMetricAlarm {
    return this.addAlarm("alb-target-5xx", {
      name: "alb-target-5xx",
      description:
        "The API's targets returned 10 or more HTTP 5xx responses in each of two 5-minute periods.",
      namespace: "AWS/ApplicationELB",
      metricName: "HTTPCode_Target_5XX_Count",
      dimensions: { LoadBalancer: alb.albArnSuffix },
      statistic: "Sum",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 10,
      periodSeconds: 300,
      evaluationPeriods: 2,
      treatMissingData: "notBreaching",
    });
  }

  /** The seed's "ALB unhealthy hosts": any unhealthy target for 10 minutes (5 min x 2). */
  public alarmOnUnhealthyHosts(alb: {
    readonly albArnSuffix: string;
    readonly targetGroupArnSuffix: string;
  }): CloudwatchMetricAlarm {
    return this.addAlarm("alb-unhealthy-hosts", {
      name: "alb-unhealthy-hosts",
      description:
        "The API's target group has had an unhealthy target for 10 minutes. Check the health check path and the task logs.",
      namespace: "AWS/ApplicationELB",
      metricName: "UnHealthyHostCount",
      dimensions: { LoadBalancer: alb.albArnSuffix, TargetGroup: alb.targetGroupArnSuffix },
      statistic: "Maximum",
      comparison: "GreaterThanThreshold",
      threshold: 0,
      periodSeconds: 300,
      evaluationPeriods: 2,
      treatMissingData: "notBreaching",
    });
  }
}
