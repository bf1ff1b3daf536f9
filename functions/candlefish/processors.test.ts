import { DynamoDBClient, GetItemCommand, TransactWriteItemsCommand } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, test } from "vitest";
import { createLogger } from "../shared/logger";
import { createStageGateHandler, decideGate } from "./stage-gate";
import { readStages, type Stage } from "./stages";
import { FakeTable } from "./test/fake-dynamodb";
import { createWipLimitHandler, processedEventKey, stageCountKey } from "./wip-limit";

const STAGES: Stage[] = [
  { key: "backlog", requiresApproval: false },
  { key: "ready", requiresApproval: false, wipLimit: 10 },
  { key: "in-progress", requiresApproval: false, wipLimit: 2 },
  { key: "review", requiresApproval: true, wipLimit: 3 },
  { key: "done", requiresApproval: true },
];
const ITEM = "0f0e1d2c-aaaa-4bbb-8ccc-1234567890ab";
const BUS = "clos-v2-dev-events";

const eb = mockClient(EventBridgeClient);
const ddb = mockClient(DynamoDBClient);
let table: FakeTable;
const lines: string[] = [];
const logger = createLogger({ service: "test", write: (l) => lines.push(l) });
const put: { detailType: string; detail: any; source: string; bus: string }[] = [];
let refuse = false;

beforeEach(() => {
  eb.reset();
  ddb.reset();
  put.length = 0;
  lines.length = 0;
  refuse = false;
  table = new FakeTable("clos-v2-dev-metrics");
  eb.on(PutEventsCommand).callsFake((input) => {
    if (refuse)
      return { FailedEntryCount: 1, Entries: [{ ErrorCode: "InternalFailure", ErrorMessage: "try again" }] };
    for (const e of input.Entries) {
      put.push({
        detailType: e.DetailType,
        detail: JSON.parse(e.Detail),
        source: e.Source,
        bus: e.EventBusName,
      });
    }
    return { FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: "x" })) };
  });
  ddb.on(TransactWriteItemsCommand).callsFake((input) => table.transactWriteItems(input));
  ddb.on(GetItemCommand).callsFake((input) => table.getItem(input));
});

const envelope = (id: string, detailType: string, detail: unknown) =>
  JSON.stringify({
    id,
    "detail-type": detailType,
    source: "candlefish.api",
    time: "2026-12-04T09:00:00Z",
    detail,
  });
const sqs = (...bodies: string[]): SQSEvent =>
  ({ Records: bodies.map((body, i) => ({ messageId: `m${i}`, body })) }) as unknown as SQSEvent;
const request = (overrides: Record<string, unknown> = {}) => ({
  itemId: ITEM,
  fromStage: "ready",
  toStage: "in-progress",
  requestedBy: "ana",
  ...overrides,
});

describe("the stage gate", () => {
  test.each<[string, Record<string, unknown>, string | undefined]>([
    ["one stage forward", {}, undefined],
    ["backwards, any distance", { fromStage: "review", toStage: "backlog" }, undefined],
    [
      "two stages forward",
      { fromStage: "ready", toStage: "review" },
      "a move forward goes one stage at a time (next: in-progress)",
    ],
    [
      "into an approval stage without an approver",
      { fromStage: "in-progress", toStage: "review" },
      "review requires an approval",
    ],
    [
      "self-approved",
      { fromStage: "in-progress", toStage: "review", approvedBy: "ana" },
      "review requires an approver other than the requester",
    ],
    ["approved by another", { fromStage: "in-progress", toStage: "review", approvedBy: "ben" }, undefined],
    ["a blocked item forward", { blocked: true }, "a blocked item does not move forward"],
    ["an unknown stage", { toStage: "qa" }, "unknown stage qa"],
    ["nowhere", { toStage: "ready" }, "the item is already in ready"],
  ])("%s", (_what, overrides, reason) => {
    const decision = decideGate({ blocked: false, ...request(overrides) } as any, STAGES);
    expect(decision).toEqual(reason === undefined ? { allowed: true } : { allowed: false, reason });
  });

  test("puts the outcome on the bus; a malformed message and a refused put fail alone (partial batch)", async () => {
    const handler = createStageGateHandler({
      stages: STAGES,
      busName: BUS,
      eventBridge: new EventBridgeClient({}),
      logger,
    });
    const result = await handler(
      sqs(
        envelope("e1", "ItemStageChangeRequested", request()),
        envelope("e2", "ItemStageChangeRequested", { ...request(), itemId: "not-a-uuid" }),
        envelope("e3", "ItemStageChangeRequested", request({ fromStage: "ready", toStage: "done" })),
        envelope("e4", "ItemStageChanged", request()),
      ),
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "m1" }, { itemIdentifier: "m3" }] });
    expect(put).toEqual([
      {
        detailType: "ItemStageChanged",
        source: "candlefish.workflow",
        bus: BUS,
        detail: { itemId: ITEM, fromStage: "ready", toStage: "in-progress" },
      },
      {
        detailType: "StageGateRejected",
        source: "candlefish.workflow",
        bus: BUS,
        detail: {
          itemId: ITEM,
          fromStage: "ready",
          toStage: "done",
          reason: "a move forward goes one stage at a time (next: in-progress)",
        },
      },
    ]);
    refuse = true;
    expect(await handler(sqs(envelope("e5", "ItemStageChangeRequested", request())))).toEqual({
      batchItemFailures: [{ itemIdentifier: "m0" }],
    });
    expect(
      lines.some((l) => l.includes("EventBridge refused the ItemStageChanged event: InternalFailure")),
    ).toBe(true);
  });
});

describe("the WIP-limit processor", () => {
  const handler = () =>
    createWipLimitHandler({
      stages: STAGES,
      busName: BUS,
      tableName: table.name,
      namespace: "Candlefish/clos-v2-dev",
      eventBridge: new EventBridgeClient({}),
      dynamodb: new DynamoDBClient({}),
      logger,
      now: () => new Date("2026-12-04T09:00:00Z"),
    });
  const changed = (id: string, from = "ready", to = "in-progress") =>
    envelope(id, "ItemStageChanged", { itemId: ITEM, fromStage: from, toStage: to });
  const metrics = () =>
    lines
      .map((l) => JSON.parse(l))
      .filter((d) => d._aws)
      .map((d) => [d.Stage, d.WipItems, d.WipLimitViolations]);

  test("counts each move once, in the stage it enters and the one it leaves; a redelivery counts nothing", async () => {
    expect(await handler()(sqs(changed("e1"), changed("e2"), changed("e1")))).toEqual({
      batchItemFailures: [],
    });
    expect(table.count(stageCountKey("in-progress"))).toBe(2);
    expect(table.count(stageCountKey("ready"))).toBe(-2);
    expect(table.items.get(processedEventKey("e1"))?.expiresAt?.N).toBe(
      String(Date.parse("2026-12-04T09:00:00Z") / 1000 + 15 * 86400),
    );
    expect(metrics()).toEqual([
      ["in-progress", 1, 0],
      ["in-progress", 2, 0],
      ["in-progress", 2, 0],
    ]);
    expect(put).toEqual([]);
  });

  test("above the limit: the metric says so and a WipLimitExceeded event goes on the bus", async () => {
    await handler()(sqs(changed("e1"), changed("e2"), changed("e3")));
    expect(metrics().at(-1)).toEqual(["in-progress", 3, 1]);
    expect(put).toEqual([
      {
        detailType: "WipLimitExceeded",
        source: "candlefish.workflow",
        bus: BUS,
        detail: { stage: "in-progress", count: 3, limit: 2, itemId: ITEM },
      },
    ]);
    const emf = lines.map((l) => JSON.parse(l)).find((d) => d._aws);
    expect(emf._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: "Candlefish/clos-v2-dev",
      Dimensions: [["Stage"]],
      Metrics: [
        { Name: "WipItems", Unit: "Count" },
        { Name: "WipLimitViolations", Unit: "Count" },
      ],
    });
  });

  test("a violation whose report failed is reported on the retry, without counting twice", async () => {
    await handler()(sqs(changed("e1"), changed("e2")));
    refuse = true;
    expect(await handler()(sqs(changed("e3")))).toEqual({ batchItemFailures: [{ itemIdentifier: "m0" }] });
    refuse = false;
    expect(await handler()(sqs(changed("e3")))).toEqual({ batchItemFailures: [] });
    expect(table.count(stageCountKey("in-progress"))).toBe(3);
    expect(put.map((p) => p.detailType)).toEqual(["WipLimitExceeded"]);
  });

  test("a stage without a limit is never over it; an unknown stage fails its message", async () => {
    expect(
      await handler()(sqs(changed("e1", "in-progress", "backlog"), changed("e2", "ready", "qa"))),
    ).toEqual({
      batchItemFailures: [{ itemIdentifier: "m1" }],
    });
    expect(put).toEqual([]);
    expect(table.count(stageCountKey("qa"))).toBeUndefined();
  });
});

describe("the STAGES setting", () => {
  test("parses the stages and refuses a WIP limit below 1", () => {
    expect(readStages({ STAGES: JSON.stringify(STAGES) })).toEqual(STAGES);
    expect(() =>
      readStages({ STAGES: JSON.stringify([{ key: "a", requiresApproval: false, wipLimit: 0 }]) }),
    ).toThrow(/STAGES/);
    expect(() => readStages({ STAGES: "[" })).toThrow(/must be JSON/);
  });
});
