/**
 * Defaults that several constructs share, so that one setting feeding them all (an environment's
 * `logRetentionDays`) has one default. A construct's other defaults live in the construct.
 */

/** Days a log group keeps its events unless told otherwise. */
export const DEFAULT_LOG_RETENTION_DAYS = 30;

/** The port a service's containers listen on, and its load balancer's target group forwards to. */
export const DEFAULT_CONTAINER_PORT = 8080;
