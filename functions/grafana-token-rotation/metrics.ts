/** Name of the metric the `report-expiry` action emits; its unit is seconds. */
export const EXPIRY_METRIC_NAME = "TokenSecondsToExpiry";

/** Dimension of the expiry metric; alarms must use the same one. */
export const EXPIRY_METRIC_DIMENSION = "WorkspaceId";

export interface ExpiryMetricInput {
  readonly namespace: string;
  readonly workspaceId: string;
  /** Whole seconds until the current token expires; 0 when expired, missing or unreadable. */
  readonly secondsToExpiry: number;
  readonly timestamp: Date;
  /** Extra properties (not dimensions) kept in the log line for people reading it. */
  readonly properties?: Readonly<Record<string, string | number | undefined>>;
}

/**
 * Builds a CloudWatch Embedded Metric Format document for `TokenSecondsToExpiry`. Written as one
 * log line, CloudWatch Logs turns it into a metric in `namespace` with the `WorkspaceId` dimension.
 */
export function expiryMetricDocument(input: ExpiryMetricInput): Record<string, unknown> {
  const properties: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(input.properties ?? {})) {
    if (value !== undefined) properties[name] = value;
  }
  return {
    _aws: {
      Timestamp: input.timestamp.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: input.namespace,
          Dimensions: [[EXPIRY_METRIC_DIMENSION]],
          Metrics: [{ Name: EXPIRY_METRIC_NAME, Unit: "Seconds" }],
        },
      ],
    },
    ...properties,
    [EXPIRY_METRIC_DIMENSION]: input.workspaceId,
    [EXPIRY_METRIC_NAME]: input.secondsToExpiry,
  };
}
