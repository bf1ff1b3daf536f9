import { type Environment, requireEnvInteger, requireEnvMatching } from "../shared/env";

const SECRET_ARN = /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;

/** What the runner needs, read once from its environment. */
export interface MigrationConfig {
  /** The master user secret RDS manages (`MASTER_SECRET_ARN`): `{ "username", "password" }`. */
  readonly masterSecretArn: string;
  /** Writer endpoint of the database (`DB_HOST`). */
  readonly host: string;
  /** Port (`DB_PORT`). */
  readonly port: number;
  /** The database the migrations run in (`DB_NAME`). */
  readonly database: string;
}

export function readConfig(env: Environment = process.env): MigrationConfig {
  return {
    masterSecretArn: requireEnvMatching(
      "MASTER_SECRET_ARN",
      SECRET_ARN,
      "must be the full ARN of a Secrets Manager secret",
      "Set it to the master user secret RDS manages (master_user_secret[0].secret_arn).",
      env,
    ),
    host: requireEnvMatching(
      "DB_HOST",
      /^[a-z0-9.-]{1,253}$/i,
      "must be a host name",
      "Set it to the writer endpoint of the database.",
      env,
    ),
    port: requireEnvInteger("DB_PORT", { min: 1150, max: 65_535, why: "the ports RDS allows" }, env),
    database: requireEnvMatching(
      "DB_NAME",
      /^[A-Za-z][A-Za-z0-9_]{0,62}$/,
      "must be a database name",
      "Set it to the database the migrations run in.",
      env,
    ),
  };
}
