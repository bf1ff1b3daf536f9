/**
 * The stage gate: decides whether a requested move goes through, and puts the outcome on the bus
 * (`ItemStageChanged` or `StageGateRejected`). Rules: both stages exist; a move forward goes one stage at
 * a time (backwards any distance); a blocked item does not move forward; entering a stage that requires
 * approval needs an approver other than the requester.
 */
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { z } from "zod";
import type { Logger } from "../shared/logger";
import { processBatch } from "./batch";
import { putEvent } from "./bus";
import { type ItemStageChangeRequested, parseEvent, SOURCES } from "./events";
import type { Stage } from "./stages";

export type GateDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

export function decideGate(
  request: z.output<typeof ItemStageChangeRequested>,
  stages: readonly Stage[],
): GateDecision {
  const from = stages.findIndex((s) => s.key === request.fromStage);
  const to = stages.findIndex((s) => s.key === request.toStage);
  if (from < 0) return { allowed: false, reason: `unknown stage ${request.fromStage}` };
  if (to < 0) return { allowed: false, reason: `unknown stage ${request.toStage}` };
  if (from === to) return { allowed: false, reason: `the item is already in ${request.toStage}` };
  if (to > from) {
    if (request.blocked) return { allowed: false, reason: "a blocked item does not move forward" };
    if (to > from + 1) {
      return {
        allowed: false,
        reason: `a move forward goes one stage at a time (next: ${stages[from + 1]!.key})`,
      };
    }
    const target = stages[to]!;
    if (target.requiresApproval) {
      if (!request.approvedBy) return { allowed: false, reason: `${target.key} requires an approval` };
      if (request.approvedBy === request.requestedBy) {
        return { allowed: false, reason: `${target.key} requires an approver other than the requester` };
      }
    }
  }
  return { allowed: true };
}

export interface StageGateDependencies {
  readonly stages: readonly Stage[];
  readonly busName: string;
  readonly eventBridge: EventBridgeClient;
  readonly logger: Logger;
}

export function createStageGateHandler(
  deps: StageGateDependencies,
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  return (event) =>
    processBatch(event, deps.logger, async (record) => {
      const { id, detail } = parseEvent(record.body, "ItemStageChangeRequested");
      const decision = decideGate(detail, deps.stages);
      const move = { itemId: detail.itemId, fromStage: detail.fromStage, toStage: detail.toStage };
      if (decision.allowed) {
        await putEvent(deps.eventBridge, deps.busName, SOURCES.workflow, "ItemStageChanged", {
          ...move,
          ...(detail.approvedBy ? { approvedBy: detail.approvedBy } : {}),
        });
      } else {
        await putEvent(deps.eventBridge, deps.busName, SOURCES.workflow, "StageGateRejected", {
          ...move,
          reason: decision.reason,
        });
      }
      deps.logger.info("gate decided", { eventId: id, ...move, allowed: decision.allowed });
    });
}
