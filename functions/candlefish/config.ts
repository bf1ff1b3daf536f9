import { type Environment, requireEnvMatching } from "../shared/env";

/** The bus the functions put events on (`EVENT_BUS_NAME`). */
export const readBusName = (env: Environment = process.env) =>
  requireEnvMatching(
    "EVENT_BUS_NAME",
    /^[A-Za-z0-9._\-/]{1,256}$/,
    "must be an event bus name",
    "Set it to the platform's bus.",
    env,
  );

/** The metrics table (`METRICS_TABLE`). */
export const readMetricsTable = (env: Environment = process.env) =>
  requireEnvMatching(
    "METRICS_TABLE",
    /^[A-Za-z0-9_.-]{3,255}$/,
    "must be a DynamoDB table name",
    "Set it to the metrics table.",
    env,
  );

/** The CloudWatch namespace of the custom metrics (`METRIC_NAMESPACE`). */
export const readNamespace = (env: Environment = process.env) =>
  requireEnvMatching(
    "METRIC_NAMESPACE",
    /^[A-Za-z0-9./#:_-]{1,255}$/,
    "must be a CloudWatch namespace",
    "Set it to Candlefish/<prefix>.",
    env,
  );
