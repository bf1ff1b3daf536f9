/**
 * `secret-age`: reports how many days ago each secret's value last changed, as the metric
 * `SecretAgeDays` (dimension `SecretName`, Embedded Metric Format), so an alarm fires when a secret
 * set out of band (an API token) is older than the environment allows. It describes the secrets and
 * never reads a value.
 */
import { DescribeSecretCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { InvalidEnvironmentVariableError } from "../shared/errors";
import { describeError, type Logger } from "../shared/logger";

/** The metric's name. */
export const SECRET_AGE_METRIC = "SecretAgeDays";

const DAY_MS = 86_400_000;

export interface SecretAgeDependencies {
  readonly secretArns: readonly string[];
  readonly namespace: string;
  readonly secretsManager: SecretsManagerClient;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/** One secret's report. */
export interface SecretAge {
  readonly secretName: string;
  readonly ageDays: number;
  /** Whether a value was ever set (a version labelled AWSCURRENT exists). */
  readonly hasValue: boolean;
}

/**
 * Reports every secret, then fails the run if any could not be described (so the function's error
 * alarm fires), naming them.
 */
export function createSecretAgeHandler(deps: SecretAgeDependencies): () => Promise<{ secrets: SecretAge[] }> {
  const now = deps.now ?? (() => new Date());
  return async () => {
    const at = now();
    const reports: SecretAge[] = [];
    const failed: string[] = [];
    for (const arn of deps.secretArns) {
      try {
        const secret = await deps.secretsManager.send(new DescribeSecretCommand({ SecretId: arn }));
        const changed = secret.LastChangedDate ?? secret.CreatedDate;
        if (changed === undefined)
          throw new Error("Secrets Manager returned neither LastChangedDate nor CreatedDate");
        const hasValue = Object.values(secret.VersionIdsToStages ?? {}).some((stages) =>
          stages.includes("AWSCURRENT"),
        );
        const ageDays = Math.max(0, Math.floor(((at.getTime() - changed.getTime()) / DAY_MS) * 10) / 10);
        const secretName = secret.Name ?? arn;
        reports.push({ secretName, ageDays, hasValue });
        deps.logger.emit({
          _aws: {
            Timestamp: at.getTime(),
            CloudWatchMetrics: [
              {
                Namespace: deps.namespace,
                Dimensions: [["SecretName"]],
                Metrics: [{ Name: SECRET_AGE_METRIC, Unit: "None" }],
              },
            ],
          },
          SecretName: secretName,
          [SECRET_AGE_METRIC]: ageDays,
          hasValue,
        });
        if (!hasValue) {
          deps.logger.warn("secret has no value yet: set it with put-secret-value", { secretName });
        }
      } catch (error) {
        failed.push(arn);
        deps.logger.error("could not describe the secret", { secretArn: arn, ...describeError(error) });
      }
    }
    if (failed.length > 0) {
      throw new Error(`could not describe ${failed.length} secret(s): ${failed.join(", ")}`);
    }
    return { secrets: reports };
  };
}

const SECRET_ARN = /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;

/** The secrets to report, from `SECRET_ARNS`. */
export function readSecretArns(raw: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length === 0 ||
    !parsed.every((a) => typeof a === "string" && SECRET_ARN.test(a))
  ) {
    throw new InvalidEnvironmentVariableError(
      "SECRET_ARNS",
      "must be a JSON list of Secrets Manager secret ARNs",
      raw,
      "Set it to the secrets the function reports.",
    );
  }
  return parsed as string[];
}
