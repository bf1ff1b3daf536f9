import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { SqsQueueRedriveAllowPolicy } from "@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { type PolicyStatement, policyDocument } from "../core/iam";
import { limitedName, type ResourceNaming } from "../core/naming";
import { invalid, requireIntegerInRange } from "../core/validation";
import type { KeyReference } from "../internal/references";

/** SQS keeps a message 60 seconds to 14 days. */
const MIN_RETENTION_SECONDS = 60;
const MAX_RETENTION_SECONDS = 14 * 24 * 3600;

/** A dead-letter queue another resource sends its failures to. */
export interface DeadLetterTarget {
  /** ARN of the queue. */
  readonly arn: string;
  /** What a sender to the queue needs (send, and the key's data keys). */
  sendStatements(sid: string): PolicyStatement[];
}

/** Properties of {@link EncryptedQueue}. */
export interface EncryptedQueueProps {
  /** Project and environment the names derive from. */
  readonly naming: ResourceNaming;
  /** Queue suffix: the queue is `<project>-<environment>-<name>`, its dead-letter queue `<...>-<name>-dlq`. */
  readonly name: string;
  /** Key both queues are encrypted with. */
  readonly encryptionKey: KeyReference;
  /**
   * Seconds a received message stays invisible to other consumers (0 to 43200); at least six times the
   * consuming function's timeout, as AWS advises for Lambda event sources.
   * @default 30
   */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * Seconds the queue keeps a message (60 to 1209600).
   * @default 345600 (4 days)
   */
  readonly retentionSeconds?: number;
  /** The dead-letter queue, which receives what fails `maxReceiveCount` times. */
  readonly deadLetter?: {
    /**
     * Seconds it keeps a message: longer than the queue (SQS keeps a moved message's original enqueue
     * time, so a shorter retention would drop it on arrival).
     * @default 1209600 (14 days)
     */
    readonly retentionSeconds?: number;
    /**
     * Receives before a message moves to the dead-letter queue (1 to 1000).
     * @default 5
     */
    readonly maxReceiveCount?: number;
  };
}

/**
 * An SQS queue and its dead-letter queue, both encrypted with the customer key and refusing requests
 * without TLS. Each queue's policy admits, besides the account's own IAM principals, only the EventBridge
 * rules registered with {@link EncryptedQueue.allowEventBridgeRule} (by `aws:SourceArn`); the
 * dead-letter queue accepts redrives from this queue only.
 */
export class EncryptedQueue extends Construct {
  /** Name of the queue. */
  public readonly queueName: string;
  /** ARN of the queue. */
  public readonly queueArn: string;
  /** URL of the queue. */
  public readonly queueUrl: string;
  /** Name of the dead-letter queue. */
  public readonly deadLetterQueueName: string;
  /** ARN of the dead-letter queue. */
  public readonly deadLetterQueueArn: string;
  /** URL of the dead-letter queue. */
  public readonly deadLetterQueueUrl: string;
  /** Seconds a received message stays invisible. */
  public readonly visibilityTimeoutSeconds: number;
  private readonly rulesToQueue: string[] = [];
  private readonly rulesToDeadLetter: string[] = [];
  private readonly key: KeyReference;

  constructor(scope: Construct, id: string, props: EncryptedQueueProps) {
    super(scope, id);
    const visibility = props.visibilityTimeoutSeconds ?? 30;
    const retention = props.retentionSeconds ?? 4 * 24 * 3600;
    const deadLetterRetention = props.deadLetter?.retentionSeconds ?? MAX_RETENTION_SECONDS;
    const maxReceiveCount = props.deadLetter?.maxReceiveCount ?? 5;
    validate(props.name, visibility, retention, deadLetterRetention, maxReceiveCount);
    this.key = props.encryptionKey;
    this.visibilityTimeoutSeconds = visibility;
    this.queueName = limitedName(80, props.naming, props.name);
    this.deadLetterQueueName = limitedName(80, props.naming, props.name, "dlq");

    const deadLetter = new SqsQueue(this, "dead-letter-queue", {
      name: this.deadLetterQueueName,
      messageRetentionSeconds: deadLetterRetention,
      kmsMasterKeyId: props.encryptionKey.keyArn,
      kmsDataKeyReusePeriodSeconds: 300,
    });
    const queue = new SqsQueue(this, "queue", {
      name: this.queueName,
      visibilityTimeoutSeconds: visibility,
      messageRetentionSeconds: retention,
      kmsMasterKeyId: props.encryptionKey.keyArn,
      kmsDataKeyReusePeriodSeconds: 300,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetter.arn, maxReceiveCount }),
    });
    new SqsQueueRedriveAllowPolicy(this, "dead-letter-redrive-allow", {
      queueUrl: deadLetter.url,
      redriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [queue.arn] }),
    });
    new SqsQueuePolicy(this, "queue-policy", {
      queueUrl: queue.url,
      policy: Lazy.stringValue({ produce: () => this.policy(queue.arn, this.rulesToQueue) }),
    });
    new SqsQueuePolicy(this, "dead-letter-policy", {
      queueUrl: deadLetter.url,
      policy: Lazy.stringValue({ produce: () => this.policy(deadLetter.arn, this.rulesToDeadLetter) }),
    });

    this.queueArn = queue.arn;
    this.queueUrl = queue.url;
    this.deadLetterQueueArn = deadLetter.arn;
    this.deadLetterQueueUrl = deadLetter.url;
  }

  /**
   * Lets the EventBridge rule of this ARN send to the queue (its target) and, with `deadLetter`, to the
   * dead-letter queue (the target's dead-letter queue), and asks the key to let EventBridge use it.
   */
  allowEventBridgeRule(ruleArn: string, options: { readonly deadLetter: boolean }): void {
    this.rulesToQueue.push(ruleArn);
    this.key.grantQueueSenders(this.queueName, ["eventbridge"]);
    if (options.deadLetter) {
      this.rulesToDeadLetter.push(ruleArn);
      this.key.grantQueueSenders(this.deadLetterQueueName, ["eventbridge"]);
    }
  }

  /** What a consumer of the queue needs: receive, delete and extend messages, and decrypt them. */
  consumeStatements(sid: string): PolicyStatement[] {
    return [
      {
        sid,
        actions: [
          "sqs:ReceiveMessage",
          "sqs:DeleteMessage",
          "sqs:ChangeMessageVisibility",
          "sqs:GetQueueAttributes",
        ],
        resources: [this.queueArn],
      },
      {
        sid: `${sid}Decrypt`,
        actions: ["kms:Decrypt"],
        resources: [this.key.keyArn],
        conditions: { StringLike: { "kms:ViaService": "sqs.*.amazonaws.com" } },
      },
    ];
  }

  /** What a sender to the queue needs. */
  sendStatements(sid: string): PolicyStatement[] {
    return this.senderStatements(sid, this.queueArn);
  }

  /** The queue itself, as the failure destination of other resources (a schedule's failures queue). */
  get asDeadLetter(): DeadLetterTarget {
    return { arn: this.queueArn, sendStatements: (sid: string) => this.sendStatements(sid) };
  }

  /** The dead-letter queue, as the failure destination of another resource (a schedule). */
  get deadLetter(): DeadLetterTarget {
    return {
      arn: this.deadLetterQueueArn,
      sendStatements: (sid: string) => this.senderStatements(sid, this.deadLetterQueueArn),
    };
  }

  private senderStatements(sid: string, queueArn: string): PolicyStatement[] {
    return [
      { sid, actions: ["sqs:SendMessage"], resources: [queueArn] },
      {
        sid: `${sid}Encrypt`,
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        resources: [this.key.keyArn],
        conditions: { StringLike: { "kms:ViaService": "sqs.*.amazonaws.com" } },
      },
    ];
  }

  private policy(queueArn: string, rules: readonly string[]): string {
    return policyDocument([
      {
        sid: "DenyInsecureTransport",
        effect: "Deny",
        principals: { AWS: "*" },
        actions: ["sqs:*"],
        resources: [queueArn],
        conditions: { Bool: { "aws:SecureTransport": false } },
      },
      ...(rules.length > 0
        ? [
            {
              sid: "EventBridgeRules",
              principals: { Service: "events.amazonaws.com" },
              actions: ["sqs:SendMessage"],
              resources: [queueArn],
              conditions: { ArnEquals: { "aws:SourceArn": rules.length === 1 ? rules[0]! : [...rules] } },
            },
          ]
        : []),
    ]);
  }
}

function validate(
  name: string,
  visibility: number,
  retention: number,
  deadLetterRetention: number,
  maxReceiveCount: number,
): void {
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(name) || name.endsWith("-")) {
    throw invalid(
      "name",
      "must be 1-40 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen",
      name,
      'Use a short name such as "stage-gate".',
    );
  }
  requireIntegerInRange("visibilityTimeoutSeconds", visibility, 0, 43200, "SQS allows 0 s to 12 h");
  requireIntegerInRange(
    "retentionSeconds",
    retention,
    MIN_RETENTION_SECONDS,
    MAX_RETENTION_SECONDS,
    "SQS keeps messages 60 s to 14 days",
  );
  requireIntegerInRange(
    "deadLetter.retentionSeconds",
    deadLetterRetention,
    MIN_RETENTION_SECONDS,
    MAX_RETENTION_SECONDS,
    "SQS keeps messages 60 s to 14 days",
  );
  if (deadLetterRetention <= retention) {
    throw invalid(
      "deadLetter.retentionSeconds",
      `must be longer than the queue's retentionSeconds (${retention}): a moved message keeps its original enqueue time, so a dead-letter queue that keeps messages no longer than the queue drops them on arrival`,
      deadLetterRetention,
      `Raise it above ${retention} (the 14-day maximum, 1209600, is the usual choice), or shorten the queue's retention.`,
    );
  }
  requireIntegerInRange("deadLetter.maxReceiveCount", maxReceiveCount, 1, 1000);
}
