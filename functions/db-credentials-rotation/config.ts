import { type Environment, requireEnvInteger, requireEnvMatching } from "../shared/env";
import { InvalidEnvironmentVariableError } from "../shared/errors";

/** A PostgreSQL identifier the function writes into SQL unquoted-safe: lowercase, digits, underscores. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,60}$/;
const SECRET_ARN = /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
/** An ECS cluster or service name. */
const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** One ECS service the function redeploys once new credentials are current. */
export interface ServiceReference {
  readonly cluster: string;
  readonly service: string;
}

/** What the function needs to know, read once from its environment. */
export interface RotationConfig {
  /** ARN of the secret the function rotates: the application's credentials (`SECRET_ARN`). */
  readonly secretArn: string;
  /** ARN of the secret RDS keeps the master user's credentials in (`MASTER_SECRET_ARN`). */
  readonly masterSecretArn: string;
  /** Host name of the database instance (`DB_HOST`). */
  readonly host: string;
  /** Port of the database instance (`DB_PORT`). */
  readonly port: number;
  /** The application's database (`DB_NAME`). */
  readonly database: string;
  /**
   * The application's group role (`APP_ROLE`): it holds the privileges and owns what the application
   * creates; the two login roles `<APP_ROLE>_a` and `<APP_ROLE>_b` act as it, in turn.
   */
  readonly appRole: string;
  /** ECS services redeployed after a rotation so their tasks read the new credentials (`REDEPLOY_SERVICES`). */
  readonly redeployServices: readonly ServiceReference[];
}

/** Reads and checks every variable the function needs; throws on the first one missing or unusable. */
export function readConfig(env: Environment = process.env): RotationConfig {
  const secretArn = requireEnvMatching(
    "SECRET_ARN",
    SECRET_ARN,
    "must be the full ARN of a Secrets Manager secret",
    "Set it to the credentials secret's ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>).",
    env,
  );
  const masterSecretArn = requireEnvMatching(
    "MASTER_SECRET_ARN",
    SECRET_ARN,
    "must be the full ARN of a Secrets Manager secret",
    "Set it to the master user secret RDS manages (the instance's master_user_secret[0].secret_arn).",
    env,
  );
  const host = requireEnvMatching(
    "DB_HOST",
    /^[a-z0-9.-]{1,253}$/i,
    "must be a host name",
    "Set it to the instance's address (aws_db_instance.address).",
    env,
  );
  const port = requireEnvInteger("DB_PORT", { min: 1150, max: 65_535, why: "the ports RDS allows" }, env);
  const database = requireEnvMatching(
    "DB_NAME",
    IDENTIFIER,
    "must be a lowercase PostgreSQL identifier (letters, digits, underscores; at most 61 characters)",
    "Set it to the instance's database name.",
    env,
  );
  const appRole = requireEnvMatching(
    "APP_ROLE",
    IDENTIFIER,
    "must be a lowercase PostgreSQL identifier (letters, digits, underscores; at most 61 characters)",
    "Set it to the application's role name, for example arrakis_app.",
    env,
  );
  return {
    secretArn,
    masterSecretArn,
    host,
    port,
    database,
    appRole,
    redeployServices: readServices(env.REDEPLOY_SERVICES),
  };
}

/** `cluster/service` pairs separated by commas; unset or blank means none. */
function readServices(raw: string | undefined): ServiceReference[] {
  if (raw === undefined || raw.trim() === "") return [];
  return raw.split(",").map((entry) => {
    const [cluster, service, extra] = entry.trim().split("/");
    if (
      cluster === undefined ||
      service === undefined ||
      extra !== undefined ||
      !ECS_NAME.test(cluster) ||
      !ECS_NAME.test(service)
    ) {
      throw new InvalidEnvironmentVariableError(
        "REDEPLOY_SERVICES",
        "must list cluster/service pairs separated by commas",
        raw,
        "Set it to, for example, arrakis-production-cluster/arrakis-production-api, or leave it unset.",
      );
    }
    return { cluster, service };
  });
}

/** The two login roles of an application role, used in turn. */
export function loginRoles(appRole: string): readonly [string, string] {
  return [`${appRole}_a`, `${appRole}_b`];
}
