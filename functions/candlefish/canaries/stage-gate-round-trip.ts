/**
 * Canary `stage-gate` (README: Candlefish canaries): a round trip through the bus, the stage-gate
 * queue and stage-gate-processor. It puts an `ItemStageChangeRequested` for a synthetic item (id
 * prefix {@link CANARY_ITEM_PREFIX}) from `backlog` straight to `review`, a skip the gate must refuse,
 * and waits on the canary queue (a rule routes the gate's decisions on synthetic items there) for the
 * `StageGateRejected` of that item. Anything else, or nothing in time, fails the run. A refused move
 * changes no count, so the WIP numbers never see the canary.
 */
import { randomBytes } from "node:crypto";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { putEvent } from "../bus";
import { SOURCES } from "../events";

/** Every synthetic item's id starts so (a valid version 4 UUID with a random last group). */
export const CANARY_ITEM_PREFIX = "00000000-0000-4000-8000-";
/** Who the synthetic requests are from. */
export const CANARY_REQUESTER = "candlefish-canary";

export const newCanaryItemId = () => `${CANARY_ITEM_PREFIX}${randomBytes(6).toString("hex")}`;

export interface StageGateRoundTripDependencies {
  readonly busName: string;
  /** The canary queue's URL. */
  readonly queueUrl: string;
  readonly eventBridge: EventBridgeClient;
  readonly sqs: SQSClient;
  /** Milliseconds to wait for the decision. @default 45000 */
  readonly waitMs?: number;
  readonly newItemId?: () => string;
  readonly now?: () => number;
}

export function createStageGateRoundTrip(
  deps: StageGateRoundTripDependencies,
): () => Promise<{ itemId: string; reason: string; ms: number }> {
  const waitMs = deps.waitMs ?? 45_000;
  const now = deps.now ?? Date.now;
  return async () => {
    const itemId = (deps.newItemId ?? newCanaryItemId)();
    const started = now();
    await putEvent(deps.eventBridge, deps.busName, SOURCES.api, "ItemStageChangeRequested", {
      itemId,
      fromStage: "backlog",
      toStage: "review",
      requestedBy: CANARY_REQUESTER,
    });
    while (now() - started < waitMs) {
      const received = await deps.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: deps.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 10 }),
      );
      for (const message of received.Messages ?? []) {
        // Every message on the canary queue is a canary's: an earlier run's leftovers go too.
        await deps.sqs.send(
          new DeleteMessageCommand({ QueueUrl: deps.queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
        const event = JSON.parse(message.Body ?? "{}") as {
          "detail-type"?: string;
          detail?: { itemId?: string; reason?: string };
        };
        if (event.detail?.itemId !== itemId) continue;
        if (event["detail-type"] !== "StageGateRejected") {
          throw new Error(
            `the stage gate answered ${event["detail-type"]} to a skip from backlog to review, expected StageGateRejected`,
          );
        }
        return { itemId, reason: event.detail.reason ?? "", ms: now() - started };
      }
    }
    throw new Error(`no decision of the stage gate on ${itemId} within ${waitMs} ms`);
  };
}
