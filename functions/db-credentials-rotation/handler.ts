/**
 * Secrets Manager rotation function of an application's PostgreSQL credentials (rotation.ts says
 * how). Runs in the database's VPC; trusts the Amazon RDS CAs through NODE_EXTRA_CA_CERTS.
 *
 * Environment (read once, at cold start; a missing or invalid variable fails the start with an
 * error that names it): `SECRET_ARN`, `MASTER_SECRET_ARN`, `DB_HOST`, `DB_PORT`, `DB_NAME`,
 * `APP_ROLE`, and `REDEPLOY_SERVICES` (optional `cluster/service` pairs, comma-separated).
 */
import { ECSClient } from "@aws-sdk/client-ecs";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CLIENT_OPTIONS } from "../shared/aws";
import { createLogger } from "../shared/logger";
import { readConfig } from "./config";
import { createRotationHandler } from "./rotation";

const config = readConfig(process.env);
export const secretsManager = new SecretsManagerClient(CLIENT_OPTIONS);
export const ecs = new ECSClient(CLIENT_OPTIONS);

/** Lambda entry point (`index.handler` in the bundled zip). */
export const handler = createRotationHandler({
  config,
  secretsManager,
  ecs,
  logger: createLogger({ service: "db-credentials-rotation" }),
});
