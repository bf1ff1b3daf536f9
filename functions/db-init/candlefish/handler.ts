/**
 * Candlefish's migration runner (README: Candlefish database): Terraform invokes it on apply.
 * Environment: `MASTER_SECRET_ARN`, `DB_HOST`, `DB_PORT`, `DB_NAME` (config.ts).
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CLIENT_OPTIONS } from "../../shared/aws";
import { createLogger } from "../../shared/logger";
import { readConfig } from "../config";
import { createMigrationHandler } from "../runner";
import { CANDLEFISH_MIGRATIONS } from "./migrations";

/** Lambda entry point (`index.handler` in the bundled zip). */
export const handler = createMigrationHandler({
  config: readConfig(process.env),
  secretsManager: new SecretsManagerClient(CLIENT_OPTIONS),
  migrations: CANDLEFISH_MIGRATIONS,
  logger: createLogger({ service: "db-init" }),
});
