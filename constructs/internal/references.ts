import type { Connectable } from "../core/connections";

/** An AWS service that publishes to an SNS topic and so must use the topic's key. */
export type TopicPublisher = "cloudwatch-alarms" | "eventbridge";

/**
 * A KMS key that other constructs encrypt with (an `AppKey` satisfies this).
 *
 * A service that uses the key itself, not on behalf of a role of this account (CloudWatch Logs
 * encrypting a log group, CloudWatch Alarms or EventBridge publishing to an encrypted topic), is
 * only allowed by the key policy, and fails silently without it. Every construct that wires such
 * a service to the key calls the matching `grant*` method, and the key policy is derived from
 * those calls: one grant per consumer, scoped to this account and to the consuming resource.
 * Services that use the key on behalf of a role (Secrets Manager, ECR, Lambda environment
 * encryption, Amazon Managed Prometheus) need no key-policy statement of their own: the role's
 * IAM policy grants them, which the key's account-root statement makes effective.
 */
export interface KeyReference {
  /** ARN of the customer-managed key. */
  readonly keyArn: string;
  /**
   * Lets CloudWatch Logs encrypt the log group of this name (in the key's account and region) with
   * the key. Pass the literal name, not the log group's `name` attribute: the log group refers to
   * the key, so a key policy that referred back to the log group would be a dependency cycle.
   */
  grantLogGroup(logGroupName: string): void;
  /**
   * Lets the given services publish to the topic of this name (in the key's account and region),
   * which is encrypted with the key. A literal name, for the reason given at `grantLogGroup`.
   */
  grantTopicPublishers(topicName: string, publishers: readonly TopicPublisher[]): void;
  /**
   * Lets EventBridge deliver to the SQS queue of this name (in the key's account and region), which is
   * encrypted with the key: a rule's target or a target's dead-letter queue. A literal name.
   */
  grantQueueSenders(queueName: string, senders: readonly QueueSender[]): void;
  /** Lets EventBridge encrypt the events of the custom event bus of this name with the key. A literal name. */
  grantEventBus(busName: string): void;
}

/** An AWS service that sends to an SQS queue and so must use the queue's key. */
export type QueueSender = "eventbridge";

/** An IAM role another construct grants permissions to. */
export interface RoleReference {
  readonly roleArn: string;
  readonly roleName: string;
}

/** What workloads need of a network (a `Network` satisfies this). */
export interface NetworkReference {
  readonly vpcId: string;
  readonly vpcCidrBlock: string;
  readonly publicSubnetIds: string[];
  readonly privateSubnetIds: string[];
  /** The isolated (data) subnets, without a route out of the VPC, when the network has them. */
  readonly isolatedSubnetIds?: string[];
  /** Names of the region's availability zones, in the order the subnets use them (a list token). */
  readonly zoneNames?: string[];
  /** The interface VPC endpoints' side of a connection; a workload in the VPC connects to it on 443. */
  readonly interfaceEndpoints?: Connectable;
}
