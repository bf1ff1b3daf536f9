/**
 * Entry of `wip-limit-processor` (wip-limit.ts). Environment: `EVENT_BUS_NAME`, `STAGES`,
 * `METRICS_TABLE`, `METRIC_NAMESPACE`.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { CLIENT_OPTIONS } from "../../shared/aws";
import { createLogger } from "../../shared/logger";
import { readBusName, readMetricsTable, readNamespace } from "../config";
import { readStages } from "../stages";
import { createWipLimitHandler } from "../wip-limit";

export const handler = createWipLimitHandler({
  stages: readStages(),
  busName: readBusName(),
  tableName: readMetricsTable(),
  namespace: readNamespace(),
  eventBridge: new EventBridgeClient(CLIENT_OPTIONS),
  dynamodb: new DynamoDBClient(CLIENT_OPTIONS),
  logger: createLogger({ service: "wip-limit-processor" }),
});
