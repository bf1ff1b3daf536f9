/**
 * The WIP-limit processor: keeps each stage's count of items in the metrics table as the stage gate
 * lets moves through (`ItemStageChanged`), once per event (a conditional write of the event id, in the
 * same transaction as the counts, with a TTL), and reports a stage above its limit as the metric
 * `WipLimitViolations` (Embedded Metric Format, dimension `Stage`) and a `WipLimitExceeded` event.
 * A redelivered event changes no count but checks the limit again, so a violation whose report failed is
 * reported on the retry.
 */
import {
  type DynamoDBClient,
  GetItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { Logger } from "../shared/logger";
import { processBatch } from "./batch";
import { putEvent } from "./bus";
import { parseEvent, SOURCES } from "./events";
import type { Stage } from "./stages";

/** Seconds an event id is remembered (longer than the queue and its dead-letter queue keep a message). */
export const PROCESSED_EVENT_TTL_SECONDS = 15 * 24 * 3600;
export const WIP_METRIC = "WipLimitViolations";
export const WIP_COUNT_METRIC = "WipItems";

export const stageCountKey = (stage: string) => `wip#${stage}`;
export const processedEventKey = (id: string) => `event#${id}`;

export interface WipLimitDependencies {
  readonly stages: readonly Stage[];
  readonly busName: string;
  readonly tableName: string;
  /** CloudWatch namespace of the metrics. */
  readonly namespace: string;
  readonly eventBridge: EventBridgeClient;
  readonly dynamodb: DynamoDBClient;
  readonly logger: Logger;
  readonly now?: () => Date;
}

export function createWipLimitHandler(
  deps: WipLimitDependencies,
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const now = deps.now ?? (() => new Date());
  return (event) =>
    processBatch(event, deps.logger, async (record) => {
      const { id, detail } = parseEvent(record.body, "ItemStageChanged");
      const stage = deps.stages.find((s) => s.key === detail.toStage);
      if (!stage)
        throw new Error(`Unknown stage ${detail.toStage}: the STAGES setting and the events disagree.`);
      const at = now();
      const add = (key: string, by: number): TransactWriteItem => ({
        Update: {
          TableName: deps.tableName,
          Key: { pk: { S: key } },
          UpdateExpression: "ADD #count :by",
          ExpressionAttributeNames: { "#count": "count" },
          ExpressionAttributeValues: { ":by": { N: String(by) } },
        },
      });
      try {
        await deps.dynamodb.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Put: {
                  TableName: deps.tableName,
                  Item: {
                    pk: { S: processedEventKey(id) },
                    expiresAt: { N: String(Math.floor(at.getTime() / 1000) + PROCESSED_EVENT_TTL_SECONDS) },
                  },
                  ConditionExpression: "attribute_not_exists(pk)",
                },
              },
              add(stageCountKey(detail.toStage), 1),
              ...(detail.fromStage !== detail.toStage ? [add(stageCountKey(detail.fromStage), -1)] : []),
            ],
          }),
        );
      } catch (error) {
        const duplicate =
          error instanceof TransactionCanceledException &&
          error.CancellationReasons?.[0]?.Code === "ConditionalCheckFailed";
        if (!duplicate) throw error;
        deps.logger.info("event already counted", { eventId: id });
      }
      const item = await deps.dynamodb.send(
        new GetItemCommand({
          TableName: deps.tableName,
          Key: { pk: { S: stageCountKey(detail.toStage) } },
          ConsistentRead: true,
        }),
      );
      const count = Number(item.Item?.count?.N ?? "0");
      const over = stage.wipLimit !== undefined && count > stage.wipLimit;
      deps.logger.emit({
        _aws: {
          Timestamp: at.getTime(),
          CloudWatchMetrics: [
            {
              Namespace: deps.namespace,
              Dimensions: [["Stage"]],
              Metrics: [
                { Name: WIP_COUNT_METRIC, Unit: "Count" },
                { Name: WIP_METRIC, Unit: "Count" },
              ],
            },
          ],
        },
        Stage: detail.toStage,
        [WIP_COUNT_METRIC]: count,
        [WIP_METRIC]: over ? 1 : 0,
        eventId: id,
      });
      if (over) {
        await putEvent(deps.eventBridge, deps.busName, SOURCES.workflow, "WipLimitExceeded", {
          stage: detail.toStage,
          count,
          limit: stage.wipLimit!,
          itemId: detail.itemId,
        });
      }
    });
}
