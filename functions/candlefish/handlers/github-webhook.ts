/**
 * Entry of `github-webhook` (github-webhook.ts). Environment: `WEBHOOK_SECRET_ARN`, `EVENT_BUS_NAME`,
 * `METRICS_TABLE`.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CLIENT_OPTIONS } from "../../shared/aws";
import { requireEnvMatching } from "../../shared/env";
import { createLogger } from "../../shared/logger";
import { readBusName, readMetricsTable } from "../config";
import { createWebhookHandler } from "../github-webhook";

export const handler = createWebhookHandler({
  secretArn: requireEnvMatching(
    "WEBHOOK_SECRET_ARN",
    /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/,
    "must be the full ARN of a Secrets Manager secret",
    "Set it to the webhook secret's ARN.",
  ),
  busName: readBusName(),
  tableName: readMetricsTable(),
  secretsManager: new SecretsManagerClient(CLIENT_OPTIONS),
  eventBridge: new EventBridgeClient(CLIENT_OPTIONS),
  dynamodb: new DynamoDBClient(CLIENT_OPTIONS),
  logger: createLogger({ service: "github-webhook" }),
});
