/**
 * The three canaries' scripts: what each sends and what it asserts. The stage-gate round trip runs
 * against the real stage-gate handler: a fake bus routes the canary's request to it and its decision
 * to a fake canary queue, as the platform's rules do.
 */
import { BatchGetItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, test } from "vitest";
import { createLogger } from "../shared/logger";
import { createApiHealthCheck } from "./canaries/api-health";
import {
  CANARY_ITEM_PREFIX,
  CANARY_REQUESTER,
  createStageGateRoundTrip,
  newCanaryItemId,
} from "./canaries/stage-gate-round-trip";
import { createWipLimitCheck } from "./canaries/wip-limit-check";
import { createStageGateHandler } from "./stage-gate";
import type { Stage } from "./stages";

const STAGES: Stage[] = [
  { key: "backlog", requiresApproval: false },
  { key: "ready", requiresApproval: false, wipLimit: 10 },
  { key: "in-progress", requiresApproval: false, wipLimit: 2 },
  { key: "review", requiresApproval: true, wipLimit: 3 },
  { key: "done", requiresApproval: true },
];
const BUS = "clos-v2-dev-events";
const QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/clos-v2-dev-canary";
const DLQ = "https://sqs.us-east-1.amazonaws.com/123456789012/clos-v2-dev-wip-limit-dlq";
const logger = createLogger({ service: "test", write: () => {} });

describe("api-health", () => {
  const answering = (status: number) =>
    (async (url: string) => {
      calls.push(url);
      return new Response("{}", { status });
    }) as unknown as typeof fetch;
  let calls: string[] = [];
  beforeEach(() => {
    calls = [];
  });

  test("GET <API_URL>/health, a 200 in time passes", async () => {
    const result = await createApiHealthCheck({ apiUrl: "https://api.example.com", fetch: answering(200) })();
    expect(calls).toEqual(["https://api.example.com/health"]);
    expect(result.status).toBe(200);
  });

  test("any other status fails the run, naming it", async () => {
    await expect(
      createApiHealthCheck({ apiUrl: "https://api.example.com", fetch: answering(503) })(),
    ).rejects.toThrow("GET https://api.example.com/health answered 503, expected 200");
  });

  test("a slow answer fails the run", async () => {
    let t = 0;
    const now = () => (t += 2000);
    await expect(
      createApiHealthCheck({
        apiUrl: "https://api.example.com",
        fetch: answering(200),
        timeoutMs: 1000,
        now,
      })(),
    ).rejects.toThrow(/took 2000 ms, more than 1000 ms/);
  });

  test("no answer fails the run", async () => {
    const failing = (async () => {
      throw new Error("ECONNREFUSED");
    }) as unknown as typeof fetch;
    await expect(
      createApiHealthCheck({ apiUrl: "https://api.example.com", fetch: failing })(),
    ).rejects.toThrow(/got no answer within 3000 ms: ECONNREFUSED/);
  });
});

describe("stage-gate round trip", () => {
  const eb = mockClient(EventBridgeClient);
  const sqs = mockClient(SQSClient);
  let canaryQueue: { ReceiptHandle: string; Body: string }[] = [];
  let deleted: string[] = [];
  let gateRuns = 0;
  const gate = createStageGateHandler({
    stages: STAGES,
    busName: BUS,
    eventBridge: new EventBridgeClient({ region: "us-east-1" }),
    logger,
  });

  beforeEach(() => {
    eb.reset();
    sqs.reset();
    canaryQueue = [];
    deleted = [];
    gateRuns = 0;
    let n = 0;
    // The bus: requests go to the stage gate; its decisions on synthetic items to the canary queue.
    eb.on(PutEventsCommand).callsFake(async (input) => {
      for (const e of input.Entries) {
        const body = JSON.stringify({
          id: `e${++n}`,
          "detail-type": e.DetailType,
          source: e.Source,
          detail: JSON.parse(e.Detail),
        });
        if (e.DetailType === "ItemStageChangeRequested") {
          gateRuns++;
          const result = await gate({ Records: [{ messageId: `m${n}`, body }] } as unknown as SQSEvent);
          expect(result.batchItemFailures).toEqual([]);
        } else if (JSON.parse(e.Detail).itemId.startsWith(CANARY_ITEM_PREFIX)) {
          canaryQueue.push({ ReceiptHandle: `r${n}`, Body: body });
        }
      }
      return { FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: "x" })) };
    });
    sqs.on(ReceiveMessageCommand).callsFake(() => ({ Messages: canaryQueue.splice(0, 10) }));
    sqs.on(DeleteMessageCommand).callsFake((input) => {
      deleted.push(input.ReceiptHandle);
      return {};
    });
  });

  const roundTrip = (overrides = {}) =>
    createStageGateRoundTrip({
      busName: BUS,
      queueUrl: QUEUE,
      eventBridge: new EventBridgeClient({ region: "us-east-1" }),
      sqs: new SQSClient({ region: "us-east-1" }),
      waitMs: 1000,
      ...overrides,
    })();

  test("puts a skip from backlog to review for a synthetic item and sees the gate refuse it", async () => {
    const result = await roundTrip();
    expect(gateRuns).toBe(1);
    expect(result.itemId.startsWith(CANARY_ITEM_PREFIX)).toBe(true);
    expect(result.reason).toMatch(/one stage at a time/);
    expect(deleted).toHaveLength(1);
    const request = JSON.parse(eb.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!.Detail!);
    expect(request).toMatchObject({ fromStage: "backlog", toStage: "review", requestedBy: CANARY_REQUESTER });
  });

  test("an earlier run's leftovers are deleted and skipped", async () => {
    canaryQueue.push({
      ReceiptHandle: "old",
      Body: JSON.stringify({
        "detail-type": "StageGateRejected",
        detail: { itemId: newCanaryItemId(), reason: "x" },
      }),
    });
    const result = await roundTrip();
    expect(deleted).toContain("old");
    expect(result.reason).toMatch(/one stage at a time/);
  });

  test("a gate that lets the skip through fails the run", async () => {
    const itemId = newCanaryItemId();
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "x" }] });
    canaryQueue.push({
      ReceiptHandle: "r",
      Body: JSON.stringify({ "detail-type": "ItemStageChanged", detail: { itemId } }),
    });
    await expect(roundTrip({ newItemId: () => itemId })).rejects.toThrow(
      "the stage gate answered ItemStageChanged to a skip from backlog to review, expected StageGateRejected",
    );
  });

  test("no decision in time fails the run", async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "x" }] });
    let t = 0;
    await expect(roundTrip({ now: () => (t += 400) })).rejects.toThrow(
      /no decision of the stage gate on .* within 1000 ms/,
    );
  });

  test("synthetic ids are version 4 UUIDs with the prefix", () => {
    expect(newCanaryItemId()).toMatch(/^00000000-0000-4000-8000-[0-9a-f]{12}$/);
  });
});

describe("wip-limit check", () => {
  const ddb = mockClient(DynamoDBClient);
  const sqs = mockClient(SQSClient);
  const check = () =>
    createWipLimitCheck({
      tableName: "clos-v2-dev-metrics",
      stages: STAGES,
      deadLetterQueueUrl: DLQ,
      dynamodb: new DynamoDBClient({ region: "us-east-1" }),
      sqs: new SQSClient({ region: "us-east-1" }),
    })();
  const counts = (byStage: Record<string, string>) =>
    ddb.on(BatchGetItemCommand).resolves({
      Responses: {
        "clos-v2-dev-metrics": Object.entries(byStage).map(([stage, n]) => ({
          pk: { S: `wip#${stage}` },
          count: { N: n },
        })),
      },
    });

  beforeEach(() => {
    ddb.reset();
    sqs.reset();
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "0" } });
  });

  test("reads every stage's count consistently; over a limit is reported, not failed", async () => {
    counts({ ready: "4", "in-progress": "3" });
    const result = await check();
    expect(result.stages).toEqual([
      { stage: "backlog", count: 0, over: false },
      { stage: "ready", count: 4, limit: 10, over: false },
      { stage: "in-progress", count: 3, limit: 2, over: true },
      { stage: "review", count: 0, limit: 3, over: false },
      { stage: "done", count: 0, over: false },
    ]);
    const input = ddb.commandCalls(BatchGetItemCommand)[0]!.args[0].input;
    expect(input.RequestItems!["clos-v2-dev-metrics"]!.ConsistentRead).toBe(true);
    expect(sqs.commandCalls(GetQueueAttributesCommand)[0]!.args[0].input.QueueUrl).toBe(DLQ);
  });

  test("a negative count fails the run", async () => {
    counts({ review: "-1" });
    await expect(check()).rejects.toThrow("the count of review is -1");
  });

  test("a WIP evaluation in the dead-letter queue fails the run", async () => {
    counts({});
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "2" } });
    await expect(check()).rejects.toThrow("2 WIP evaluation(s) failed every attempt");
  });
});
