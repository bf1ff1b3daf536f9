/**
 * Environment variable names that look like they carry a credential (`DB_PASSWORD`, `API_KEY`,
 * `GRAFANA_TOKEN`, `CLIENT_SECRET`). Names that only point at secrets (`..._ARN`, `..._ARNS`, `..._ID`,
 * `..._NAME`, ...) or configure one (`..._TTL_DAYS`) are not credentials.
 */
const SECRET_NAME = /(_KEY$|^KEY$|SECRET|TOKEN|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|PRIVATE_KEY)/i;
const REFERENCE_NAME =
  /(_ARN|_ARNS|_ID|_IDS|_NAME|_NAMES|_PATH|_FILE|_URL|_URI|_REGION|_TTL|_DAYS|_HOURS|_MINUTES|_SECONDS|_HEADER)$/i;

/** True when an environment variable name suggests a plaintext credential. */
export function looksLikeSecretName(name: string): boolean {
  return SECRET_NAME.test(name) && !REFERENCE_NAME.test(name);
}
