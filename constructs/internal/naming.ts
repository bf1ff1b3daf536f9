import { createHash } from "node:crypto";

/** The identity every named resource derives from. */
export interface ResourceNaming {
  /** Project name, for example `meeting-notes`. */
  readonly projectName: string;
  /** Environment name, for example `staging`. */
  readonly environment: string;
}

/** `<project>-<environment>` followed by the given parts, joined by hyphens. */
export function resourceName(naming: ResourceNaming, ...parts: string[]): string {
  return [naming.projectName, naming.environment, ...parts].filter((p) => p.length > 0).join("-");
}

/**
 * A short lowercase hexadecimal digest of the inputs, stable across runs and machines.
 * Used where the seed used the `random` provider (DESIGN.md: no `random` provider).
 */
export function stableSuffix(length: number, ...inputs: string[]): string {
  return createHash("sha256").update(inputs.join("\u0000")).digest("hex").slice(0, length);
}

/** Shortens a name to `max` characters, keeping it unique by replacing the tail with a digest. */
export function truncateName(name: string, max: number): string {
  if (name.length <= max) return name;
  const digest = stableSuffix(6, name);
  return `${name.slice(0, max - 7).replace(/-+$/, "")}-${digest}`;
}
