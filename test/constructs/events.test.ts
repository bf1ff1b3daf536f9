import { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import {
  EncryptedQueue,
  type EncryptedQueueProps,
  EventBus,
  QueueRule,
  type QueueRuleProps,
  requireTimeZone,
  Schedule,
  type ScheduleProps,
} from "../../constructs/events";
import { AppKey } from "../../constructs/keys";
import { naming, RecordingKey } from "../support/fixtures";
import { onlyResource, parsed, resourcesOf, synthScope, type TerraformJson } from "../support/synth";

const byName = (json: TerraformJson, type: string, name: string) =>
  Object.values(resourcesOf(json, type)).find((r) => r.name === name);

function pipeline(key = new RecordingKey()) {
  const built: { bus?: EventBus; queue?: EncryptedQueue; rule?: QueueRule } = {};
  const json = synthScope((s) => {
    built.bus = new EventBus(s, "bus", { naming, encryptionKey: key });
    built.queue = new EncryptedQueue(s, "stage-gate", { naming, name: "stage-gate", encryptionKey: key });
    built.rule = new QueueRule(s, "stage-gate-rule", {
      naming,
      name: "stage-gate",
      bus: built.bus,
      eventPattern: { source: ["candlefish.workflow"], "detail-type": ["ItemStageChanged"] },
      queue: built.queue,
    });
  });
  return { json, key, ...built };
}

describe("EncryptedQueue", () => {
  const { json, key } = pipeline();

  test("the queue and its dead-letter queue, both with the key; the DLQ keeps messages longer", () => {
    const queue = byName(json, "aws_sqs_queue", "meeting-notes-staging-stage-gate");
    const dlq = byName(json, "aws_sqs_queue", "meeting-notes-staging-stage-gate-dlq");
    expect(queue).toMatchObject({
      kms_master_key_id: key.keyArn,
      message_retention_seconds: 345600,
      visibility_timeout_seconds: 30,
    });
    expect(dlq).toMatchObject({ kms_master_key_id: key.keyArn, message_retention_seconds: 1209600 });
    expect(parsed(queue.redrive_policy)).toEqual({
      deadLetterTargetArn: expect.stringMatching(
        /^\$\{aws_sqs_queue\.stage-gate_dead-letter-queue_\w+\.arn\}$/,
      ),
      maxReceiveCount: 5,
    });
    const allow = onlyResource(json, "aws_sqs_queue_redrive_allow_policy");
    expect(parsed(allow.redrive_allow_policy)).toEqual({
      redrivePermission: "byQueue",
      sourceQueueArns: [expect.stringMatching(/^\$\{aws_sqs_queue\.stage-gate_queue_\w+\.arn\}$/)],
    });
  });

  test("each queue's policy refuses plain HTTP and admits only its rule, by source ARN", () => {
    const policies = Object.values(resourcesOf(json, "aws_sqs_queue_policy")).map((p) => parsed(p.policy));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Statement[0]).toMatchObject({
        Effect: "Deny",
        Action: "sqs:*",
        Condition: { Bool: { "aws:SecureTransport": false } },
      });
      expect(policy.Statement[1]).toMatchObject({
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sqs:SendMessage",
        Condition: {
          ArnEquals: {
            "aws:SourceArn": expect.stringMatching(
              /^\$\{aws_cloudwatch_event_rule\.stage-gate-rule_\w+\.arn\}$/,
            ),
          },
        },
      });
    }
  });

  test("asks its key to let EventBridge encrypt for the queue and the dead-letter queue", () => {
    expect(key.queues.map((q) => q.name).sort()).toEqual([
      "meeting-notes-staging-stage-gate",
      "meeting-notes-staging-stage-gate-dlq",
    ]);
    expect(new Set(key.queues.flatMap((q) => q.senders))).toEqual(new Set(["eventbridge"]));
  });

  test("a real key grants EventBridge those two queues by encryption context", () => {
    const json = synthScope((s) => {
      const key = new AppKey(s, "key", { naming });
      const bus = new EventBus(s, "bus", { naming, encryptionKey: key });
      const queue = new EncryptedQueue(s, "q", { naming, name: "wip", encryptionKey: key });
      new QueueRule(s, "r", { naming, name: "wip", bus, eventPattern: { source: ["x"] }, queue });
    });
    const statements = parsed(onlyResource(json, "aws_kms_key").policy).Statement;
    const queues = statements.find((s: any) => s.Sid === "EventBridgeSendToEncryptedQueues");
    expect(queues.Condition.StringEquals["kms:EncryptionContext:aws:sqs:arn"]).toEqual([
      expect.stringMatching(/:sqs:.*:meeting-notes-staging-wip$/),
      expect.stringMatching(/:sqs:.*:meeting-notes-staging-wip-dlq$/),
    ]);
    const bus = statements.find((s: any) => s.Sid === "EventBridgeEncryptEventBuses");
    expect(bus.Condition.StringEquals["kms:EncryptionContext:aws:events:event-bus:arn"]).toMatch(
      /:event-bus\/meeting-notes-staging-events$/,
    );
    expect(statements.find((s: any) => s.Sid === "EventBridgeDescribeKeyForEventBuses")).toMatchObject({
      Action: "kms:DescribeKey",
      Condition: { StringEquals: { "aws:SourceArn": expect.stringMatching(/:event-bus\//) } },
    });
  });

  test("consumer statements: receive, delete, extend and decrypt, on this queue and key only, the key through SQS", () => {
    const { queue, key } = pipeline();
    expect(queue!.consumeStatements("Consume")).toEqual([
      {
        sid: "Consume",
        actions: [
          "sqs:ReceiveMessage",
          "sqs:DeleteMessage",
          "sqs:ChangeMessageVisibility",
          "sqs:GetQueueAttributes",
        ],
        resources: [queue!.queueArn],
      },
      {
        sid: "ConsumeDecrypt",
        actions: ["kms:Decrypt"],
        resources: [key.keyArn],
        conditions: { StringLike: { "kms:ViaService": "sqs.*.amazonaws.com" } },
      },
    ]);
  });

  test.each<[string, Partial<EncryptedQueueProps>, string]>([
    [
      "a dead-letter queue that keeps messages no longer than the queue",
      { retentionSeconds: 1209600 },
      "`deadLetter.retentionSeconds` must be longer than the queue's retentionSeconds (1209600): a moved message keeps its original enqueue time, so a dead-letter queue that keeps messages no longer than the queue drops them on arrival, got 1209600.",
    ],
    [
      "a dead-letter queue that keeps messages a shorter time",
      { retentionSeconds: 86400, deadLetter: { retentionSeconds: 3600 } },
      "`deadLetter.retentionSeconds` must be longer than the queue's retentionSeconds (86400)",
    ],
    [
      "a retention SQS does not allow",
      { retentionSeconds: 30 },
      "`retentionSeconds` must be a whole number from 60 to 1209600 (SQS keeps messages 60 s to 14 days), got 30.",
    ],
    [
      "no receive before the dead-letter queue",
      { deadLetter: { maxReceiveCount: 0 } },
      "`deadLetter.maxReceiveCount` must be a whole number from 1 to 1000, got 0.",
    ],
  ])("refuses %s", (_what, props, message) => {
    expect(() =>
      synthScope(
        (s) => new EncryptedQueue(s, "q", { naming, name: "q", encryptionKey: new RecordingKey(), ...props }),
      ),
    ).toThrow(message);
  });
});

describe("EventBus and QueueRule", () => {
  const { json, key } = pipeline();

  test("a custom bus encrypted with the key, and an archive of it for replay", () => {
    expect(onlyResource(json, "aws_cloudwatch_event_bus")).toEqual({
      name: "meeting-notes-staging-events",
      kms_key_identifier: key.keyArn,
    });
    expect(onlyResource(json, "aws_cloudwatch_event_archive")).toMatchObject({
      name: "meeting-notes-staging-events-archive",
      retention_days: 30,
      event_source_arn: expect.stringMatching(/^\$\{aws_cloudwatch_event_bus\.bus_\w+\.arn\}$/),
    });
    expect(key.buses).toEqual(["meeting-notes-staging-events"]);
  });

  test("the rule matches on the bus; its target retries and has the queue's dead-letter queue", () => {
    const rule = onlyResource(json, "aws_cloudwatch_event_rule");
    expect(rule).toMatchObject({
      name: "meeting-notes-staging-stage-gate",
      event_bus_name: "meeting-notes-staging-events",
    });
    expect(parsed(rule.event_pattern)).toEqual({
      source: ["candlefish.workflow"],
      "detail-type": ["ItemStageChanged"],
    });
    expect(rule.schedule_expression).toBeUndefined();
    expect(onlyResource(json, "aws_cloudwatch_event_target")).toMatchObject({
      event_bus_name: "meeting-notes-staging-events",
      arn: expect.stringMatching(/aws_sqs_queue\.stage-gate_queue_\w+\.arn/),
      retry_policy: { maximum_event_age_in_seconds: 86400, maximum_retry_attempts: 185 },
      dead_letter_config: {
        arn: expect.stringMatching(/aws_sqs_queue\.stage-gate_dead-letter-queue_\w+\.arn/),
      },
    });
  });

  const rule = (props: Partial<QueueRuleProps>) =>
    synthScope((s) => {
      const key = new RecordingKey();
      const bus = new EventBus(s, "bus", { naming, encryptionKey: key });
      const queue = new EncryptedQueue(s, "q", { naming, name: "q", encryptionKey: key });
      new QueueRule(s, "r", { naming, name: "r", bus, queue, eventPattern: { source: ["x"] }, ...props });
    });

  test.each<[string, Partial<QueueRuleProps>, string]>([
    [
      "a schedule on a custom bus",
      { scheduleExpression: "cron(0 9 * * ? *)" as never },
      '`scheduleExpression` cannot be set on a rule of a custom event bus (EventBridge runs scheduled rules on the default bus only), got "cron(0 9 * * ? *)". Use a Schedule (EventBridge Scheduler, constructs/events/schedule.ts), which also takes a time zone.',
    ],
    [
      "an empty pattern",
      { eventPattern: {} },
      "`eventPattern` must match on at least one field (an empty pattern is refused by EventBridge), got {}.",
    ],
    [
      "more retries than EventBridge makes",
      { maximumRetryAttempts: 200 },
      "`maximumRetryAttempts` must be a whole number from 0 to 185, got 200.",
    ],
  ])("refuses %s", (_what, props, message) => {
    expect(() => rule(props)).toThrow(message);
  });
});

describe("Schedule", () => {
  const schedule = (props: Partial<ScheduleProps> = {}) =>
    synthScope((s) => {
      const key = new RecordingKey();
      const failures = new EncryptedQueue(new Construct(s, "f"), "q", {
        naming,
        name: "unblock",
        encryptionKey: key,
      });
      new Schedule(s, "daily", {
        naming,
        name: "daily-unblock",
        scheduleExpression: "cron(0 9 * * ? *)",
        timeZone: "America/New_York",
        functionArn: "arn:aws:lambda:us-east-1:123456789012:function:daily-unblock",
        encryptionKey: key,
        deadLetterQueue: failures.deadLetter,
        ...props,
      });
    });

  test("09:00 in New York on EventBridge Scheduler, with retries, a dead-letter queue and the key", () => {
    const json = schedule();
    expect(onlyResource(json, "aws_scheduler_schedule")).toMatchObject({
      name: "meeting-notes-staging-daily-unblock",
      schedule_expression: "cron(0 9 * * ? *)",
      schedule_expression_timezone: "America/New_York",
      flexible_time_window: { mode: "OFF" },
      state: "ENABLED",
      kms_key_arn: new RecordingKey().keyArn,
      target: {
        arn: "arn:aws:lambda:us-east-1:123456789012:function:daily-unblock",
        input: "{}",
        retry_policy: { maximum_retry_attempts: 3, maximum_event_age_in_seconds: 3600 },
        dead_letter_config: { arn: expect.stringMatching(/dead-letter-queue_\w+\.arn/) },
      },
    });
  });

  test("its role: assumed by Scheduler of this account; invokes that function and sends to that queue only", () => {
    const json = schedule();
    const role = onlyResource(json, "aws_iam_role");
    expect(parsed(role.assume_role_policy).Statement[0]).toMatchObject({
      Principal: { Service: "scheduler.amazonaws.com" },
      Condition: { StringEquals: { "aws:SourceAccount": expect.stringMatching(/aws_caller_identity/) } },
    });
    const statements = parsed(onlyResource(json, "aws_iam_role_policy").policy).Statement;
    expect(statements[2].Condition).toEqual({ StringLike: { "kms:ViaService": "sqs.*.amazonaws.com" } });
    expect(statements.map((s: any) => [s.Action, s.Resource])).toEqual([
      ["lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:daily-unblock"],
      ["sqs:SendMessage", expect.stringMatching(/dead-letter-queue_\w+\.arn/)],
      [["kms:GenerateDataKey", "kms:Decrypt"], new RecordingKey().keyArn],
    ]);
  });

  test.each<[string, Partial<ScheduleProps>, string]>([
    [
      "an unknown time zone",
      { timeZone: "America/Gotham" },
      '`timeZone` must be an IANA time zone name (Area/City, as Intl.supportedValuesOf(\'timeZone\') lists them), got "America/Gotham". Use a name such as "America/New_York" or "UTC".',
    ],
    ["an abbreviation", { timeZone: "EST" }, "`timeZone` must be an IANA time zone name"],
    [
      "a five-field cron",
      { scheduleExpression: "cron(0 9 * * *)" },
      '`scheduleExpression` must be cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>), rate(<n> <minutes|hours|days>) or at(<yyyy-mm-ddThh:mm:ss>), got "cron(0 9 * * *)".',
    ],
  ])("refuses %s", (_what, props, message) => {
    expect(() => schedule(props)).toThrow(message);
  });

  test("time zones: Intl's names and UTC pass; a wrongly cased name gets its canonical spelling", () => {
    expect(() => requireTimeZone("tz", "Europe/Berlin")).not.toThrow();
    expect(() => requireTimeZone("tz", "UTC")).not.toThrow();
    expect(() => requireTimeZone("tz", "america/new_york")).toThrow('Use "America/New_York".');
  });
});
