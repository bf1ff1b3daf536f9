/**
 * The events on Candlefish's bus (README: Candlefish contracts): EventBridge envelopes whose `detail`
 * follows these schemas. Every consumer parses with them and rejects what does not match.
 */
import { z } from "zod";

/** Who puts what on the bus. */
export const SOURCES = {
  api: "candlefish.api",
  workflow: "candlefish.workflow",
  github: "candlefish.github",
} as const;

const stageKey = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/);
const person = z.string().min(1).max(200);

/** The Core API asks to move an item (source `candlefish.api`). */
export const ItemStageChangeRequested = z.object({
  itemId: z.uuid(),
  fromStage: stageKey,
  toStage: stageKey,
  requestedBy: person,
  approvedBy: person.optional(),
  blocked: z.boolean().default(false),
});

/** The stage gate let a move through (source `candlefish.workflow`). */
export const ItemStageChanged = z.object({
  itemId: z.uuid(),
  fromStage: stageKey,
  toStage: stageKey,
  approvedBy: person.optional(),
});

/** The stage gate refused a move (source `candlefish.workflow`). */
export const StageGateRejected = z.object({
  itemId: z.uuid(),
  fromStage: stageKey,
  toStage: stageKey,
  reason: z.string(),
});

/** A stage holds more items than its WIP limit (source `candlefish.workflow`). */
export const WipLimitExceeded = z.object({
  stage: stageKey,
  count: z.number().int(),
  limit: z.number().int().min(1),
  itemId: z.uuid(),
});

/** An item has been blocked longer than the threshold (source `candlefish.workflow`, from daily-unblock). */
export const ItemUnblockRequested = z.object({
  itemId: z.uuid(),
  blockedSince: z.iso.datetime(),
  blockedDays: z.number().int().min(0),
});

/** A verified GitHub webhook delivery, normalized (source `candlefish.github`). */
export const GitHubActivity = z.object({
  deliveryId: z.string().min(1),
  event: z.string().min(1),
  action: z.string().optional(),
  repository: z.string().optional(),
  sender: z.string().optional(),
  ref: z.string().optional(),
});

export const DETAIL_TYPES = {
  ItemStageChangeRequested,
  ItemStageChanged,
  StageGateRejected,
  WipLimitExceeded,
  ItemUnblockRequested,
  GitHubActivity,
} as const;

export type DetailType = keyof typeof DETAIL_TYPES;

/** The EventBridge envelope an SQS target receives as the message body. */
const Envelope = z.object({
  id: z.string().min(1),
  "detail-type": z.string(),
  source: z.string(),
  time: z.string().optional(),
  detail: z.unknown(),
});

/** An event of one detail type, parsed from an SQS message body; throws with what is wrong. */
export function parseEvent<T extends DetailType>(
  body: string,
  detailType: T,
): { id: string; detail: z.output<(typeof DETAIL_TYPES)[T]> } {
  const envelope = Envelope.parse(JSON.parse(body));
  if (envelope["detail-type"] !== detailType) {
    throw new Error(`Expected a ${detailType} event, got ${JSON.stringify(envelope["detail-type"])}.`);
  }
  const detail = DETAIL_TYPES[detailType].parse(envelope.detail) as z.output<(typeof DETAIL_TYPES)[T]>;
  return { id: envelope.id, detail };
}
