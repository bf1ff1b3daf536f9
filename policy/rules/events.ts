import { block, isToken, num, type StackModel, type TfNode } from "../model";
import type { Rule, RuleHit } from "../types";

const blank = (v: unknown) => v === undefined || v === null || v === "";

/** The queue a redrive policy sends to, when the policy names one of this stack's queues. */
function redriveTarget(stack: StackModel, queue: TfNode): TfNode | undefined {
  const policy = queue.config.redrive_policy;
  if (typeof policy !== "string") return undefined;
  try {
    const parsed = JSON.parse(policy) as { deadLetterTargetArn?: unknown };
    return stack.resolve(parsed.deadLetterTargetArn);
  } catch {
    return undefined;
  }
}

/** Queues that are some resource's dead-letter queue (a redrive target, or a target's or schedule's DLQ). */
function deadLetterQueues(stack: StackModel): Set<TfNode> {
  const out = new Set<TfNode>();
  for (const queue of stack.resources("aws_sqs_queue")) {
    const target = redriveTarget(stack, queue);
    if (target) out.add(target);
  }
  for (const type of ["aws_cloudwatch_event_target", "aws_scheduler_schedule", "aws_cloudwatch_event_bus"]) {
    for (const node of stack.resources(type)) {
      const config = type === "aws_scheduler_schedule" ? block(node.config.target) : node.config;
      const dlq = stack.resolve(block(config?.dead_letter_config)?.arn);
      if (dlq?.type === "aws_sqs_queue") out.add(dlq);
    }
  }
  return out;
}

const SQS_DEFAULT_RETENTION = 345600;

export const eventRules: readonly Rule[] = [
  {
    id: "SQS-001",
    title: "SQS queues are encrypted with a customer managed KMS key",
    rationale:
      "SQS-managed SSE leaves who may read messages to IAM alone; a CMK adds its key policy, and EventBridge can only deliver to a CMK queue it is granted.",
    severity: "medium",
    external: { checkov: ["CKV_AWS_27"], cdkNag: ["AwsSolutions-SQS2"] },
    check: (context) =>
      context.stack
        .resources("aws_sqs_queue")
        .filter((q) => blank(q.config.kms_master_key_id) || q.config.kms_master_key_id === "alias/aws/sqs")
        .map((q) => ({ address: q.address, message: "kms_master_key_id is not a customer managed key" })),
  },
  {
    id: "SQS-002",
    title: "Every SQS queue that is not a dead-letter queue has one",
    rationale:
      "A message that fails every receive would otherwise cycle until its retention ends, then vanish.",
    severity: "medium",
    external: { cdkNag: ["AwsSolutions-SQS3"] },
    check: (context) => {
      const { stack } = context;
      const dlqs = deadLetterQueues(stack);
      return stack
        .resources("aws_sqs_queue")
        .filter((q) => !dlqs.has(q) && blank(q.config.redrive_policy))
        .map((q) => ({
          address: q.address,
          message: "has no redrive_policy and is no one's dead-letter queue",
        }));
    },
  },
  {
    id: "SQS-003",
    title: "A dead-letter queue keeps messages longer than its source queue",
    rationale:
      "A moved message keeps its original enqueue time: a dead-letter queue with a shorter or equal retention drops it on arrival.",
    severity: "high",
    external: {},
    check: (context) => {
      const { stack } = context;
      const hits: RuleHit[] = [];
      for (const queue of stack.resources("aws_sqs_queue")) {
        const target = redriveTarget(stack, queue);
        if (!target) continue;
        const source = queue.config.message_retention_seconds ?? SQS_DEFAULT_RETENTION;
        const dlq = target.config.message_retention_seconds ?? SQS_DEFAULT_RETENTION;
        if (isToken(source) || isToken(dlq)) continue;
        if ((num(dlq) ?? 0) <= (num(source) ?? 0)) {
          hits.push({
            address: queue.address,
            message: `its dead-letter queue ${target.address} keeps messages ${dlq} s, not longer than its ${source} s`,
          });
        }
      }
      return hits;
    },
  },
  {
    id: "EVB-001",
    title: "Custom EventBridge buses are encrypted with a customer managed KMS key",
    rationale: "Events carry application data; a CMK puts reading them behind a key policy.",
    severity: "low",
    external: {},
    check: (context) =>
      context.stack
        .resources("aws_cloudwatch_event_bus")
        .filter((b) => b.config.event_source_name === undefined && blank(b.config.kms_key_identifier))
        .map((b) => ({ address: b.address, message: "kms_key_identifier is not set" })),
  },
  {
    id: "EVB-002",
    title: "EventBridge rule targets and Scheduler schedules have a retry policy and a dead-letter queue",
    rationale: "Without them an event EventBridge cannot deliver is dropped after its retries, unseen.",
    severity: "medium",
    external: {},
    check: (context) => {
      const hits: RuleHit[] = [];
      for (const target of context.stack.resources("aws_cloudwatch_event_target")) {
        if (!block(target.config.retry_policy) || !block(target.config.dead_letter_config)?.arn) {
          hits.push({ address: target.address, message: "lacks retry_policy or dead_letter_config" });
        }
      }
      for (const schedule of context.stack.resources("aws_scheduler_schedule")) {
        const t = block(schedule.config.target);
        if (!block(t?.retry_policy) || !block(t?.dead_letter_config)?.arn) {
          hits.push({
            address: schedule.address,
            message: "its target lacks retry_policy or dead_letter_config",
          });
        }
      }
      return hits;
    },
  },
];
