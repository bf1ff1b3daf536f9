/**
 * Canary `wip-limit` (README: Candlefish canaries): reads the count of every stage from the metrics
 * table (`wip#<stage>`, consistent reads) and the wip-limit queue's dead-letter queue, asserting each
 * count is a whole number of at least 0 (a negative or broken count means the counting lost or
 * doubled events) and no WIP evaluation is waiting in the dead-letter queue. A stage above its limit
 * is the team's state, not a fault: it is reported (and alarmed on by `wip-violations-<stage>`), not failed.
 */
import { BatchGetItemCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { Stage } from "../stages";
import { stageCountKey } from "../wip-limit";

export interface WipLimitCheckDependencies {
  readonly tableName: string;
  readonly stages: readonly Stage[];
  readonly deadLetterQueueUrl: string;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
}

export interface StageCount {
  readonly stage: string;
  readonly count: number;
  readonly limit?: number;
  readonly over: boolean;
}

export function createWipLimitCheck(
  deps: WipLimitCheckDependencies,
): () => Promise<{ stages: StageCount[] }> {
  return async () => {
    const result = await deps.dynamodb.send(
      new BatchGetItemCommand({
        RequestItems: {
          [deps.tableName]: {
            Keys: deps.stages.map((s) => ({ pk: { S: stageCountKey(s.key) } })),
            ConsistentRead: true,
            ProjectionExpression: "pk, #count",
            ExpressionAttributeNames: { "#count": "count" },
          },
        },
      }),
    );
    if (Object.keys(result.UnprocessedKeys ?? {}).length > 0) {
      throw new Error("DynamoDB left keys unprocessed: the metrics table is throttling reads");
    }
    const items = new Map((result.Responses?.[deps.tableName] ?? []).map((i) => [i.pk?.S, i.count?.N]));
    const stages = deps.stages.map((s): StageCount => {
      const raw = items.get(stageCountKey(s.key));
      const count = raw === undefined ? 0 : Number(raw);
      if (!Number.isInteger(count) || count < 0) {
        throw new Error(
          `the count of ${s.key} is ${raw}: WIP counting lost or repeated events (see README: Candlefish canaries)`,
        );
      }
      return {
        stage: s.key,
        count,
        ...(s.wipLimit === undefined ? {} : { limit: s.wipLimit }),
        over: s.wipLimit !== undefined && count > s.wipLimit,
      };
    });
    const attributes = await deps.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: deps.deadLetterQueueUrl,
        AttributeNames: ["ApproximateNumberOfMessages"],
      }),
    );
    const dead = Number(attributes.Attributes?.ApproximateNumberOfMessages ?? "0");
    if (dead > 0) {
      throw new Error(`${dead} WIP evaluation(s) failed every attempt and wait in the dead-letter queue`);
    }
    return { stages };
  };
}
