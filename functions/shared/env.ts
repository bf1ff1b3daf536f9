/**
 * Reading a function's configuration from its environment, once at cold start: each helper returns
 * the checked value or throws an error naming the variable, the rule, the value and the fix, so a
 * misconfigured function fails its start with a line that says what to change.
 */
import { InvalidEnvironmentVariableError, MissingEnvironmentVariableError } from "./errors";

/** The environment the helpers read: `process.env` unless a test passes its own. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** A non-empty variable (surrounding whitespace trimmed). */
export function requireEnv(name: string, env: Environment = process.env): string {
  const value = env[name]?.trim();
  if (value === undefined || value === "") throw new MissingEnvironmentVariableError(name);
  return value;
}

/** A non-empty variable that matches `pattern`; `rule` and `fix` complete the error when it does not. */
export function requireEnvMatching(
  name: string,
  pattern: RegExp,
  rule: string,
  fix: string,
  env: Environment = process.env,
): string {
  const value = requireEnv(name, env);
  if (!pattern.test(value)) throw new InvalidEnvironmentVariableError(name, rule, value, fix);
  return value;
}

/** A whole number from `min` to `max`; `why` (optional) says where the limits come from. */
export function requireEnvInteger(
  name: string,
  limits: { readonly min: number; readonly max: number; readonly why?: string; readonly fix?: string },
  env: Environment = process.env,
): number {
  const raw = requireEnv(name, env);
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || value < limits.min || value > limits.max) {
    throw new InvalidEnvironmentVariableError(
      name,
      `must be a whole number from ${limits.min} to ${limits.max}${limits.why ? ` (${limits.why})` : ""}`,
      raw,
      limits.fix ?? `Set it to a whole number from ${limits.min} to ${limits.max}.`,
    );
  }
  return value;
}

/**
 * An `https` URL without query or fragment, returned as origin and path with no trailing slash.
 * `fix` completes the error (an example of the expected URL helps).
 */
export function requireEnvHttpsUrl(
  name: string,
  rule: string,
  fix: string,
  env: Environment = process.env,
): string {
  const raw = requireEnv(name, env);
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url === undefined || url.protocol !== "https:" || url.search !== "" || url.hash !== "") {
    throw new InvalidEnvironmentVariableError(name, rule, raw, fix);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
}
