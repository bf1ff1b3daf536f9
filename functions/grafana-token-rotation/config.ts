import {
  type Environment,
  requireEnv,
  requireEnvHttpsUrl,
  requireEnvInteger,
  requireEnvMatching,
} from "../shared/env";
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

/** Reads and checks every variable the function needs; throws on the first one missing or unusable. */
export function readConfig(env: Environment = process.env): RotationConfig {
  const secretArn = requireEnvMatching(
    "SECRET_ARN",
    /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/,
    "must be the full ARN of a Secrets Manager secret",
    "Set it to the secret's ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>).",
    env,
  );
  const workspaceId = requireEnvMatching(
    "GRAFANA_WORKSPACE_ID",
    /^g-[0-9a-f]{10}$/,
    "must be an Amazon Managed Grafana workspace id (g- followed by 10 hexadecimal digits)",
    "Set it to the workspace's id, for example g-0123456789.",
    env,
  );
  const grafanaUrl = requireEnvHttpsUrl(
    "GRAFANA_URL",
    "must be the https endpoint of the Grafana workspace",
    "Set it to the workspace URL, for example https://g-0123456789.grafana-workspace.us-east-1.amazonaws.com/.",
    env,
  );
  const serviceAccountId = requireEnv("GRAFANA_SERVICE_ACCOUNT_ID", env);
  const tokenTtlSeconds = requireEnvInteger(
    "TOKEN_TTL_SECONDS",
    {
      min: 1,
      max: MAX_TOKEN_TTL_SECONDS,
      why: "Amazon Managed Grafana tokens live at most 30 days",
      fix: `Set it to the rotation interval plus a buffer, at most ${MAX_TOKEN_TTL_SECONDS}.`,
    },
    env,
  );
  const metricNamespace = requireEnv("METRIC_NAMESPACE", env);

  return { secretArn, workspaceId, grafanaUrl, serviceAccountId, tokenTtlSeconds, metricNamespace };
}
