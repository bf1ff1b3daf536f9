/**
 * Entry of `secret-age` (age.ts). Environment: `SECRET_ARNS` (JSON list of secret ARNs),
 * `METRIC_NAMESPACE`.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CLIENT_OPTIONS } from "../shared/aws";
import { requireEnv, requireEnvMatching } from "../shared/env";
import { createLogger } from "../shared/logger";
import { createSecretAgeHandler, readSecretArns } from "./age";

export const handler = createSecretAgeHandler({
  secretArns: readSecretArns(requireEnv("SECRET_ARNS")),
  namespace: requireEnvMatching(
    "METRIC_NAMESPACE",
    /^[A-Za-z0-9./#:_-]{1,255}$/,
    "must be a CloudWatch namespace",
    "Set it to the platform's namespace.",
  ),
  secretsManager: new SecretsManagerClient(CLIENT_OPTIONS),
  logger: createLogger({ service: "secret-age" }),
});
