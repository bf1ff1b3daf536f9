import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { type PolicyStatement, policyDocument } from "../core/iam";
import { limitedName, NAME_LIMITS, type ResourceNaming, resourceName } from "../core/naming";
import { requireIntegerInRange } from "../core/validation";
import type { KeyReference, QueueSender, TopicPublisher } from "../internal/references";

/** Properties of an {@link AppKey}. */
export interface AppKeyProps {
  /** Project and environment the key's alias and description derive from. */
  readonly naming: ResourceNaming;
  /**
   * Days KMS waits before deleting the key once its deletion is scheduled (7 to 30).
   * Data encrypted with a deleted key is lost, so the longest window is the default.
   * @default 30
   */
  readonly deletionWindowDays?: number;
}

/**
 * The environment's general-purpose customer-managed KMS key (the seed's `app_general` key):
 * symmetric, rotated yearly by KMS, named `alias/<project>-<env>-app-general`.
 *
 * Its key policy is derived from what is wired to it:
 * - the account root principal gets every KMS action, which lets IAM policies in this account grant
 *   use of the key (without it, no role could be granted anything on the key). Secrets Manager, ECR,
 *   Lambda and Amazon Managed Prometheus use the key on behalf of a role, so that role's IAM policy,
 *   made effective by this statement, is all they need;
 * - each log group registered with {@link AppKey.grantLogGroup} lets CloudWatch Logs of this region
 *   use the key for that log group only (`kms:EncryptionContext:aws:logs:arn` lists their ARNs);
 * - each topic registered with {@link AppKey.grantTopicPublishers} lets the services that publish to
 *   it use the key for that topic only (`kms:EncryptionContext:aws:sns:topicArn`); CloudWatch
 *   Alarms are further limited to sources of this account. EventBridge's KMS requests carry no
 *   `aws:SourceAccount`, so its grant is limited by the topic ARN (which names this account) alone:
 *   a source condition there would drop every event.
 *
 * - each queue registered with {@link AppKey.grantQueueSenders} lets EventBridge use the key for that
 *   queue only (`kms:EncryptionContext:aws:sqs:arn`), and each bus registered with
 *   {@link AppKey.grantEventBus} lets EventBridge encrypt that bus's events only
 *   (`kms:EncryptionContext:aws:events:event-bus:arn`; `DescribeKey`, which carries no context, by
 *   `aws:SourceArn`).
 *
 * Nothing registered, no service statement: a key no log group or topic uses grants no service
 * anything. In a key policy, `Resource: "*"` means "this key"; it grants nothing on other keys.
 */
export class AppKey extends Construct implements KeyReference {
  /** ARN of the key; use it for `kms_key_id` of log groups, SNS topics and secrets, and in IAM policies. */
  readonly keyArn: string;
  /** ID of the key. */
  readonly keyId: string;
  /** Alias of the key: `alias/<project>-<env>-app-general`. */
  readonly aliasName: string;
  private readonly accountId: string;
  private readonly partition: string;
  private readonly region: string;
  private readonly logGroupNames = new Set<string>();
  private readonly topicsOf: Record<TopicPublisher, Set<string>> = {
    "cloudwatch-alarms": new Set(),
    eventbridge: new Set(),
  };
  private readonly eventQueues = new Set<string>();
  private readonly eventBuses = new Set<string>();

  constructor(scope: Construct, id: string, props: AppKeyProps) {
    super(scope, id);
    const deletionWindowDays = props.deletionWindowDays ?? 30;
    requireIntegerInRange(
      "deletionWindowDays",
      deletionWindowDays,
      7,
      30,
      "KMS accepts a deletion window of 7 to 30 days",
    );

    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");
    const region = new DataAwsRegion(this, "region");

    this.accountId = account.accountId;
    this.partition = partition.partition;
    this.region = region.name;
    const logsPrincipal = `logs.${region.name}.${partition.dnsSuffix}`;

    const key = new KmsKey(this, "key", {
      description: `${resourceName(props.naming)} general application key (alert topic, log groups, secrets)`,
      keyUsage: "ENCRYPT_DECRYPT",
      customerMasterKeySpec: "SYMMETRIC_DEFAULT",
      enableKeyRotation: true,
      deletionWindowInDays: deletionWindowDays,
      policy: Lazy.stringValue({ produce: () => policyDocument(this.statements(logsPrincipal)) }),
    });

    this.aliasName = `alias/${limitedName(NAME_LIMITS.kmsAlias, props.naming, "app-general")}`;
    new KmsAlias(this, "alias", { name: this.aliasName, targetKeyId: key.keyId });

    this.keyArn = key.arn;
    this.keyId = key.keyId;
  }

  grantLogGroup(logGroupName: string): void {
    this.logGroupNames.add(logGroupName);
  }

  grantTopicPublishers(topicName: string, publishers: readonly TopicPublisher[]): void {
    for (const publisher of publishers) this.topicsOf[publisher].add(topicName);
  }

  grantQueueSenders(queueName: string, senders: readonly QueueSender[]): void {
    if (senders.includes("eventbridge")) this.eventQueues.add(queueName);
  }

  grantEventBus(busName: string): void {
    this.eventBuses.add(busName);
  }

  private statements(logsPrincipal: string): PolicyStatement[] {
    const one = (values: Set<string>) => {
      const sorted = [...values].sort();
      return sorted.length === 1 ? sorted[0] : sorted;
    };
    const topicActions = ["kms:Decrypt", "kms:GenerateDataKey*"];
    const topicArns = (names: Set<string>) =>
      new Set([...names].map((name) => `arn:${this.partition}:sns:${this.region}:${this.accountId}:${name}`));
    const alarmTopics = topicArns(this.topicsOf["cloudwatch-alarms"]);
    const eventTopics = topicArns(this.topicsOf.eventbridge);
    const queueArns = new Set(
      [...this.eventQueues].map(
        (name) => `arn:${this.partition}:sqs:${this.region}:${this.accountId}:${name}`,
      ),
    );
    const busArns = new Set(
      [...this.eventBuses].map(
        (name) => `arn:${this.partition}:events:${this.region}:${this.accountId}:event-bus/${name}`,
      ),
    );
    const logGroupArns = new Set(
      [...this.logGroupNames].map(
        (name) => `arn:${this.partition}:logs:${this.region}:${this.accountId}:log-group:${name}`,
      ),
    );
    return [
      {
        sid: "AccountRootFullAccess",
        principals: { AWS: `arn:${this.partition}:iam::${this.accountId}:root` },
        actions: ["kms:*"],
        resources: ["*"],
      },
      ...(alarmTopics.size > 0
        ? [
            {
              sid: "CloudWatchAlarmsPublishToEncryptedTopics",
              principals: { Service: "cloudwatch.amazonaws.com" },
              actions: topicActions,
              resources: ["*"],
              conditions: {
                StringEquals: {
                  "aws:SourceAccount": this.accountId,
                  "kms:EncryptionContext:aws:sns:topicArn": one(alarmTopics),
                },
              },
            },
          ]
        : []),
      ...(eventTopics.size > 0
        ? [
            {
              sid: "EventBridgePublishToEncryptedTopics",
              principals: { Service: "events.amazonaws.com" },
              actions: topicActions,
              resources: ["*"],
              conditions: { StringEquals: { "kms:EncryptionContext:aws:sns:topicArn": one(eventTopics) } },
            },
          ]
        : []),
      ...(queueArns.size > 0
        ? [
            {
              sid: "EventBridgeSendToEncryptedQueues",
              principals: { Service: "events.amazonaws.com" },
              actions: ["kms:Decrypt", "kms:GenerateDataKey"],
              resources: ["*"],
              conditions: { StringEquals: { "kms:EncryptionContext:aws:sqs:arn": one(queueArns) } },
            },
          ]
        : []),
      ...(busArns.size > 0
        ? [
            {
              sid: "EventBridgeDescribeKeyForEventBuses",
              principals: { Service: "events.amazonaws.com" },
              actions: ["kms:DescribeKey"],
              resources: ["*"],
              conditions: { StringEquals: { "aws:SourceArn": one(busArns) } },
            },
            {
              sid: "EventBridgeEncryptEventBuses",
              principals: { Service: "events.amazonaws.com" },
              actions: ["kms:Decrypt", "kms:GenerateDataKey"],
              resources: ["*"],
              conditions: {
                StringEquals: { "kms:EncryptionContext:aws:events:event-bus:arn": one(busArns) },
              },
            },
          ]
        : []),
      ...(logGroupArns.size > 0
        ? [
            {
              sid: "CloudWatchLogsEncryptLogGroups",
              principals: { Service: logsPrincipal },
              actions: [
                "kms:Encrypt*",
                "kms:Decrypt*",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:Describe*",
              ],
              resources: ["*"],
              conditions: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": one(logGroupArns) } },
            },
          ]
        : []),
    ];
  }
}
