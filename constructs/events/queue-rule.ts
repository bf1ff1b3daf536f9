import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { Construct } from "constructs";
import { limitedName, type ResourceNaming } from "../core/naming";
import { invalid, requireIntegerInRange } from "../core/validation";
import type { EventBus } from "./event-bus";
import type { EncryptedQueue } from "./queue";

/** Properties of {@link QueueRule}. */
export interface QueueRuleProps {
  /** Project and environment the rule's name derives from. */
  readonly naming: ResourceNaming;
  /** Rule suffix: the rule is `<project>-<environment>-<name>`. */
  readonly name: string;
  /** The custom bus the rule matches events on. */
  readonly bus: EventBus;
  /** The EventBridge event pattern (`{ source: [...], "detail-type": [...] }`). */
  readonly eventPattern: Readonly<Record<string, unknown>>;
  /** The queue that receives matching events; undeliverable ones go to its dead-letter queue. */
  readonly queue: EncryptedQueue;
  /**
   * Seconds EventBridge keeps retrying an event (60 to 86400).
   * @default 86400
   */
  readonly maximumEventAgeSeconds?: number;
  /**
   * Retries of a failed delivery (0 to 185).
   * @default 185
   */
  readonly maximumRetryAttempts?: number;
  /**
   * Not allowed: a rule on a custom bus cannot run on a schedule (EventBridge accepts schedules on the
   * default bus only). Use a {@link Schedule} (EventBridge Scheduler), which also has time zones.
   */
  readonly scheduleExpression?: never;
}

/**
 * An EventBridge rule on a custom bus that sends matching events to an SQS queue, with a retry policy
 * and the queue's dead-letter queue as the target's dead-letter queue; the queue admits this rule
 * (and its key lets EventBridge encrypt for both queues).
 */
export class QueueRule extends Construct {
  /** Name of the rule. */
  public readonly ruleName: string;
  /** ARN of the rule. */
  public readonly ruleArn: string;

  constructor(scope: Construct, id: string, props: QueueRuleProps) {
    super(scope, id);
    const maximumEventAgeSeconds = props.maximumEventAgeSeconds ?? 86400;
    const maximumRetryAttempts = props.maximumRetryAttempts ?? 185;
    const schedule = (props as { scheduleExpression?: unknown }).scheduleExpression;
    if (schedule !== undefined) {
      throw invalid(
        "scheduleExpression",
        "cannot be set on a rule of a custom event bus (EventBridge runs scheduled rules on the default bus only)",
        schedule,
        "Use a Schedule (EventBridge Scheduler, constructs/events/schedule.ts), which also takes a time zone.",
      );
    }
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(props.name) || props.name.endsWith("-")) {
      throw invalid(
        "name",
        "must be 1-40 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen",
        props.name,
        'Use a short name such as "stage-gate".',
      );
    }
    if (Object.keys(props.eventPattern).length === 0) {
      throw invalid(
        "eventPattern",
        "must match on at least one field (an empty pattern is refused by EventBridge)",
        props.eventPattern,
        'Match on source and detail-type, such as { source: ["candlefish.workflow"] }.',
      );
    }
    requireIntegerInRange("maximumEventAgeSeconds", maximumEventAgeSeconds, 60, 86400);
    requireIntegerInRange("maximumRetryAttempts", maximumRetryAttempts, 0, 185);

    this.ruleName = limitedName(64, props.naming, props.name);
    const rule = new CloudwatchEventRule(this, "rule", {
      name: this.ruleName,
      eventBusName: props.bus.busName,
      eventPattern: JSON.stringify(props.eventPattern),
      state: "ENABLED",
    });
    new CloudwatchEventTarget(this, "target", {
      rule: rule.name,
      eventBusName: props.bus.busName,
      targetId: "queue",
      arn: props.queue.queueArn,
      retryPolicy: { maximumEventAgeInSeconds: maximumEventAgeSeconds, maximumRetryAttempts },
      deadLetterConfig: { arn: props.queue.deadLetterQueueArn },
    });
    props.queue.allowEventBridgeRule(rule.arn, { deadLetter: true });
    this.ruleArn = rule.arn;
  }
}
