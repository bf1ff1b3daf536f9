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
