/**
 * The Lambda side of the runner: Terraform invokes it on apply (`aws_lambda_invocation`, whose input
 * carries the migrations' digest, so a change of migrations invokes it again). It reads the master
 * credentials RDS manages, connects over verified TLS, migrates, and returns `{ applied, version }`,
 * which Terraform keeps as the invocation's result. On a destroy (`tf.action` "delete") it does
 * nothing: the data outlives the runner.
 */

import type { ConnectionOptions } from "node:tls";
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { describeError, type Logger } from "../shared/logger";
import { withSession } from "../shared/postgres";
import type { MigrationConfig } from "./config";
import { type MigrationResult, migrate } from "./migrate";
import type { Migration } from "./migrations";

/** What `aws_lambda_invocation` sends: its input, plus `tf` with lifecycle_scope CRUD. */
export interface MigrationEvent {
  readonly migrationsDigest?: string;
  readonly tf?: { readonly action?: "create" | "update" | "delete" };
}

export type MigrationResponse = MigrationResult | { readonly skipped: "delete" };

export interface RunnerDependencies {
  readonly config: MigrationConfig;
  readonly secretsManager: SecretsManagerClient;
  readonly migrations: readonly Migration[];
  readonly logger: Logger;
  /** TLS options beyond certificate and host-name verification (the tests' CA). */
  readonly tls?: ConnectionOptions;
}

export function createMigrationHandler(
  deps: RunnerDependencies,
): (event: MigrationEvent) => Promise<MigrationResponse> {
  return async (event) => {
    const logger = deps.logger.child({
      database: deps.config.database,
      action: event.tf?.action ?? "invoke",
    });
    if (event.tf?.action === "delete") {
      logger.info("destroy: leaving the database as it is");
      return { skipped: "delete" };
    }
    const secret = await deps.secretsManager.send(
      new GetSecretValueCommand({ SecretId: deps.config.masterSecretArn }),
    );
    const master = JSON.parse(secret.SecretString ?? "{}") as { username?: string; password?: string };
    if (!master.username || !master.password) {
      throw new Error(`The master secret ${deps.config.masterSecretArn} has no username and password.`);
    }
    logger.redact(master.password);
    try {
      return await withSession(
        {
          host: deps.config.host,
          port: deps.config.port,
          database: deps.config.database,
          tls: deps.tls,
          queryTimeoutMs: 240_000,
        },
        "db-init",
        master.username,
        master.password,
        (client) => migrate(client, deps.migrations, logger),
      );
    } catch (error) {
      logger.error("migration run failed", describeError(error));
      throw error;
    }
  };
}
