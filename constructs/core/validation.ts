import { Token } from "cdktf";
import { LOG_RETENTION_DAYS } from "./aws-limits";

/**
 * Thrown when a construct or environment receives a value it cannot build from.
 *
 * Every message has the same shape: the field, the rule, the value received and the fix.
 */
export class ConfigurationError extends Error {
  /**
   * @param field the construct prop (or settings path) the message is about, when it names one;
   *   the app uses it to name the environment file's setting instead
   */
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "ConfigurationError";
  }
}

/** Renders a received value for an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  // A long value is shown by its start and its length, not repeated in full.
  if (typeof value === "string" && value.length > 100)
    return `${JSON.stringify(value.slice(0, 40))}... (${value.length} characters)`;
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) return String(value);
  return JSON.stringify(value);
}

/**
 * Builds the one message style used everywhere:
 * `` `field` <rule>, got <value>. <fix> ``
 */
export function invalid(field: string, rule: string, value: unknown, fix: string): ConfigurationError {
  return new ConfigurationError(`\`${field}\` ${rule}, got ${describeValue(value)}. ${fix}`, field);
}

/** True when the value is a cdktf token that is only known at apply time; validation skips those. */
export function isUnresolved(value: unknown): boolean {
  if (typeof value === "string") return Token.isUnresolved(value);
  if (typeof value === "number") return Token.isUnresolved(value);
  return false;
}

/** Checks an integer range unless the value is an unresolved token. */
export function requireIntegerInRange(
  field: string,
  value: number,
  min: number,
  max: number,
  why?: string,
): void {
  if (isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    const reason = why ? ` (${why})` : "";
    throw invalid(
      field,
      `must be a whole number from ${min} to ${max}${reason}`,
      value,
      `Set it to a whole number from ${min} to ${max}.`,
    );
  }
}

/** Checks a CloudWatch Logs retention period unless the value is an unresolved token. */
export function requireLogRetention(field: string, value: number): void {
  if (isUnresolved(value) || LOG_RETENTION_DAYS.includes(value)) return;
  throw invalid(
    field,
    "must be a CloudWatch Logs retention period",
    value,
    `Use one of ${LOG_RETENTION_DAYS.join(", ")}.`,
  );
}

/** The IANA time zones this Node.js knows (and EventBridge Scheduler accepts), plus UTC. */
export function knownTimeZones(): ReadonlySet<string> {
  return new Set([...Intl.supportedValuesOf("timeZone"), "UTC"]);
}

/**
 * Checks a time zone against the IANA names `Intl` knows; Terraform and the provider accept any
 * string, and a schedule in a zone that does not exist fails only at apply.
 */
export function requireTimeZone(field: string, timeZone: string): void {
  if (isUnresolved(timeZone) || knownTimeZones().has(timeZone)) return;
  let canonical: string | undefined;
  try {
    canonical = new Intl.DateTimeFormat("en-US", { timeZone }).resolvedOptions().timeZone;
  } catch {
    canonical = undefined;
  }
  throw invalid(
    field,
    "must be an IANA time zone name (Area/City, as Intl.supportedValuesOf('timeZone') lists them)",
    timeZone,
    canonical && canonical !== timeZone
      ? `Use "${canonical}".`
      : 'Use a name such as "America/New_York" or "UTC".',
  );
}
