/**
 * Error base classes every function of this repository shares. A message is written for the log
 * line a person reads (what failed, what to do) and never contains a secret value: name the
 * resource, the version or the id, not the value.
 */

/**
 * Base class of a function's own errors, so a handler can tell them from SDK and runtime errors.
 * Each subclass sets `name` itself: bundles are minified, so a class name is no stable label.
 */
export class FunctionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FunctionError";
  }
}

/** An environment variable the function needs is not set (or is blank). */
export class MissingEnvironmentVariableError extends FunctionError {
  constructor(readonly variable: string) {
    super(
      `Environment variable ${variable} is not set. The function cannot start without it; set it in the function's configuration.`,
    );
    this.name = "MissingEnvironmentVariableError";
  }
}

/** An environment variable is set to a value the function cannot use. */
export class InvalidEnvironmentVariableError extends FunctionError {
  constructor(
    readonly variable: string,
    rule: string,
    received: string,
    fix: string,
  ) {
    super(`Environment variable ${variable} ${rule}, got ${JSON.stringify(received)}. ${fix}`);
    this.name = "InvalidEnvironmentVariableError";
  }
}
