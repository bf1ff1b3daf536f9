/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** Fargate's CPU units and, for each, the task memory sizes (MiB) it accepts. */
export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: Array.from({ length: 13 }, (_, i) => 4096 + i * 1024),
  4096: Array.from({ length: 23 }, (_, i) => 8192 + i * 1024),
};

/** Amazon Managed Grafana service-account tokens live at most 30 days. */
export const MAX_GRAFANA_TOKEN_TTL_DAYS = 30;

/** A rotated token outlives its rotation interval by this many days, so a late rotation never leaves Grafana unreachable. */
export const TOKEN_TTL_BUFFER_DAYS = 5;

/** Grafana versions Amazon Managed Grafana offers (`grafana_version`). */
export const AMG_GRAFANA_VERSIONS: readonly string[] = ["8.4", "9.4", "10.4", "12.4"];

/**
 * AWS Regions (commercial, GovCloud, China, European Sovereign Cloud), so that a mistyped region is a
 * synth-time error rather than a provider error at plan time.
 */
export const AWS_REGIONS: readonly string[] = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-south-1",
  "eu-south-2",
  "eu-north-1",
  "il-central-1",
  "me-south-1",
  "me-central-1",
  "mx-central-1",
  "sa-east-1",
  "us-gov-east-1",
  "us-gov-west-1",
  "cn-north-1",
  "cn-northwest-1",
  "eusc-de-east-1",
];

/** Bucket-name prefixes and suffixes S3 reserves for its own features. */
export const S3_RESERVED_PREFIXES: readonly string[] = ["xn--", "sthree-", "amzn-s3-demo-"];
export const S3_RESERVED_SUFFIXES: readonly string[] = [
  "-s3alias",
  "--ol-s3",
  ".mrap",
  "--x-s3",
  "--table-s3",
];

/** Longest health-check path an ALB target group accepts. */
export const MAX_HEALTH_CHECK_PATH_LENGTH = 1024;
