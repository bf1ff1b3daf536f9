/**
 * Rotates the Amazon Managed Grafana service account token kept in Secrets Manager, using
 * Secrets Manager's native rotation protocol (createSecret, setSecret, testSecret, finishSecret).
 *
 * Environment (read once, at cold start; a missing or invalid variable fails the start with an
 * error that names it):
 * - `SECRET_ARN`                  ARN of the secret that holds the token (the only secret it rotates).
 * - `GRAFANA_WORKSPACE_ID`        Workspace id, `g-` and 10 hex digits.
 * - `GRAFANA_URL`                 https endpoint of the workspace, with or without trailing slash.
 * - `GRAFANA_SERVICE_ACCOUNT_ID`  Id of the Grafana service account whose tokens it manages.
 * - `TOKEN_TTL_SECONDS`           Lifetime of each new token, 1 to 2592000 (30 days).
 * - `METRIC_NAMESPACE`            CloudWatch namespace of the `TokenSecondsToExpiry` metric.
 *
 * Events (see rotation.ts for the full contract and the crash-safety argument):
 * - `{ Step, SecretId, ClientRequestToken }` from Secrets Manager: one rotation step.
 * - `{}` (plain `aws lambda invoke`) or `{ "action": "rotate" }`: start a rotation now.
 * - `{ "action": "report-expiry" }`: emit `TokenSecondsToExpiry` (seconds, Embedded Metric Format).
 *
 * The secret value is JSON: `{ token, tokenId, tokenName, serviceAccountId, workspaceId,
 * expiresAt, createdAt }`. The token itself is never logged, returned or put in an error.
 */
import { GrafanaClient } from "@aws-sdk/client-grafana";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CLIENT_OPTIONS } from "../shared/aws";
import { createLogger } from "../shared/logger";
import { readConfig } from "./config";
import { createRotationHandler } from "./rotation";

/** The shared SDK client timeouts (functions/shared/aws.ts), re-exported for the tests. */
export { CLIENT_OPTIONS };

const config = readConfig(process.env);
/** Module-scope clients, reused across invocations of one execution environment. */
export const secretsManager = new SecretsManagerClient(CLIENT_OPTIONS);
export const grafana = new GrafanaClient(CLIENT_OPTIONS);
const logger = createLogger({ service: "grafana-token-rotation" });

/** Lambda entry point (`index.handler` in the bundled zip). */
export const handler = createRotationHandler({ config, secretsManager, grafana, logger });
