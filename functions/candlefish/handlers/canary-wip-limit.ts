/**
 * Entry of the `wip-limit` canary (canaries/wip-limit-check.ts). Environment: `METRICS_TABLE`,
 * `STAGES`, `DEAD_LETTER_QUEUE_URL`.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { CLIENT_OPTIONS } from "../../shared/aws";
import { requireEnvHttpsUrl } from "../../shared/env";
import { createWipLimitCheck } from "../canaries/wip-limit-check";
import { readMetricsTable } from "../config";
import { readStages } from "../stages";

const check = createWipLimitCheck({
  tableName: readMetricsTable(),
  stages: readStages(),
  deadLetterQueueUrl: requireEnvHttpsUrl(
    "DEAD_LETTER_QUEUE_URL",
    "must be an SQS queue URL",
    "Set it to the wip-limit dead-letter queue's URL.",
  ),
  dynamodb: new DynamoDBClient(CLIENT_OPTIONS),
  sqs: new SQSClient(CLIENT_OPTIONS),
});

export const handler = async () => check();
