import { InvalidEnvironmentVariableError, MissingEnvironmentVariableError } from "./errors";

/** Longest token lifetime Amazon Managed Grafana accepts (30 days). */
export const MAX_TOKEN_TTL_SECONDS = 2_592_000;

/** What the function needs to know, read once from its environment. */
export interface RotationConfig {
  /** ARN of the Secrets Manager secret that holds the token (`SECRET_ARN`). */
  readonly secretArn: string;
  /** Amazon Managed Grafana workspace id, `g-` and 10 hex digits (`GRAFANA_WORKSPACE_ID`). */
  readonly workspaceId: string;
  /** HTTPS endpoint of the workspace, without trailing slash (`GRAFANA_URL`). */
  readonly grafanaUrl: string;
  /** Numeric id of the Grafana service account that owns the tokens (`GRAFANA_SERVICE_ACCOUNT_ID`). */
  readonly serviceAccountId: string;
  /** Lifetime of each new token in seconds, 1 to 2592000 (`TOKEN_TTL_SECONDS`). */
  readonly tokenTtlSeconds: number;
  /** CloudWatch namespace of the expiry metric (`METRIC_NAMESPACE`). */
  readonly metricNamespace: string;
}

type Environment = Readonly<Record<string, string | undefined>>;

/** Returns a non-empty environment variable, or throws an error that names it. */
export function requireEnv(name: string, env: Environment = process.env): string {
  const value = env[name]?.trim();
  if (value === undefined || value === "") throw new MissingEnvironmentVariableError(name);
  return value;
}

/** Reads and checks every variable the function needs; throws on the first one missing or unusable. */
export function readConfig(env: Environment = process.env): RotationConfig {
  const secretArn = requireEnv("SECRET_ARN", env);
  if (!/^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(secretArn)) {
    throw new InvalidEnvironmentVariableError(
      "SECRET_ARN",
      "must be the full ARN of a Secrets Manager secret",
      secretArn,
      "Set it to the secret's ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>).",
    );
  }

  const workspaceId = requireEnv("GRAFANA_WORKSPACE_ID", env);
  if (!/^g-[0-9a-f]{10}$/.test(workspaceId)) {
    throw new InvalidEnvironmentVariableError(
      "GRAFANA_WORKSPACE_ID",
      "must be an Amazon Managed Grafana workspace id (g- followed by 10 hexadecimal digits)",
      workspaceId,
      "Set it to the workspace's id, for example g-0123456789.",
    );
  }

  const rawUrl = requireEnv("GRAFANA_URL", env);
  let url: URL | undefined;
  try {
    url = new URL(rawUrl);
  } catch {
    url = undefined;
  }
  if (url === undefined || url.protocol !== "https:" || url.search !== "" || url.hash !== "") {
    throw new InvalidEnvironmentVariableError(
      "GRAFANA_URL",
      "must be the https endpoint of the Grafana workspace",
      rawUrl,
      "Set it to the workspace URL, for example https://g-0123456789.grafana-workspace.us-east-1.amazonaws.com/.",
    );
  }
  const grafanaUrl = `${url.origin}${url.pathname}`.replace(/\/+$/, "");

  const serviceAccountId = requireEnv("GRAFANA_SERVICE_ACCOUNT_ID", env);

  const rawTtl = requireEnv("TOKEN_TTL_SECONDS", env);
  const tokenTtlSeconds = Number(rawTtl);
  if (!/^\d+$/.test(rawTtl) || tokenTtlSeconds < 1 || tokenTtlSeconds > MAX_TOKEN_TTL_SECONDS) {
    throw new InvalidEnvironmentVariableError(
      "TOKEN_TTL_SECONDS",
      `must be a whole number from 1 to ${MAX_TOKEN_TTL_SECONDS} (Amazon Managed Grafana tokens live at most 30 days)`,
      rawTtl,
      `Set it to the rotation interval plus a buffer, at most ${MAX_TOKEN_TTL_SECONDS}.`,
    );
  }

  const metricNamespace = requireEnv("METRIC_NAMESPACE", env);

  return { secretArn, workspaceId, grafanaUrl, serviceAccountId, tokenTtlSeconds, metricNamespace };
}
