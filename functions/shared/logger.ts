/**
 * A small structured logger: one JSON object per line on stdout (written with
 * `process.stdout.write`, so the Lambda runtime adds no text prefix and CloudWatch can read
 * Embedded Metric Format lines as they are).
 *
 * Defence in depth against leaking a token: values registered with `redact` are replaced by
 * `[REDACTED]` in every line, and context fields named like a credential are dropped.
 */

export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR";

/** Context attached to a log line (step, secret ARN, version ids, token ids, ...). */
export type LogContext = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, context?: LogContext): void;
  info(message: string, context?: LogContext): void;
  warn(message: string, context?: LogContext): void;
  error(message: string, context?: LogContext): void;
  /** A logger that adds `context` to every line; it shares the redaction list. */
  child(context: LogContext): Logger;
  /** Never print this value again, in any line of any logger of this family. */
  redact(secret: string): void;
  /** Writes a raw JSON document (used for Embedded Metric Format), still redacted. */
  emit(document: Readonly<Record<string, unknown>>): void;
}

export interface LoggerOptions {
  /** Name of the function, added to every line as `service`. */
  readonly service: string;
  /** Where lines go. @default - `process.stdout.write` with a trailing newline */
  readonly write?: (line: string) => void;
  /** Clock. @default - `new Date()` */
  readonly now?: () => Date;
}

/** Field names that are never logged, whatever their value. */
const FORBIDDEN_FIELDS = new Set(["key", "token", "secretstring", "authorization", "password"]);

/** Turns an unknown thrown value into loggable fields (name and message only, no stack of values). */
export function describeError(error: unknown): { errorName: string; errorMessage: string } {
  if (error instanceof Error) return { errorName: error.name, errorMessage: error.message };
  return { errorName: typeof error, errorMessage: String(error) };
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const secrets = new Set<string>();

  const scrub = (line: string): string => {
    let out = line;
    for (const secret of secrets) {
      out = out.split(secret).join("[REDACTED]");
      const escaped = JSON.stringify(secret).slice(1, -1);
      if (escaped !== secret) out = out.split(escaped).join("[REDACTED]");
    }
    return out;
  };

  const clean = (context: LogContext): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(context)) {
      if (value === undefined || FORBIDDEN_FIELDS.has(field.toLowerCase())) continue;
      out[field] = value;
    }
    return out;
  };

  const build = (base: LogContext): Logger => {
    const log = (level: LogLevel, message: string, context: LogContext = {}) => {
      write(
        scrub(
          JSON.stringify({
            level,
            message,
            timestamp: now().toISOString(),
            service: options.service,
            ...clean(base),
            ...clean(context),
          }),
        ),
      );
    };
    return {
      debug: (message, context) => log("DEBUG", message, context),
      info: (message, context) => log("INFO", message, context),
      warn: (message, context) => log("WARN", message, context),
      error: (message, context) => log("ERROR", message, context),
      child: (context) => build({ ...base, ...context }),
      redact: (secret) => {
        if (secret.length > 0) secrets.add(secret);
      },
      emit: (document) => write(scrub(JSON.stringify(document))),
    };
  };

  return build({});
}
