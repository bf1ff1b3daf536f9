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

/**
 * `<project>-<environment>-<parts>` when it fits in `max` characters (byte for byte what
 * {@link resourceName} gives: names force a replacement, so a name that fits never changes). A longer
 * name is shortened deterministically and stays unique: the parts are cut first, then the project and
 * the environment evenly, so both stay readable, and a digest of the full name ends it.
 */
export function limitedName(max: number, naming: ResourceNaming, ...parts: string[]): string {
  const full = resourceName(naming, ...parts);
  if (full.length <= max) return full;
  const digest = stableSuffix(6, full);
  const budget = max - digest.length - 1;
  const head = resourceName(naming);
  if (head.length < budget) {
    return `${full.slice(0, budget).replace(/-+$/, "")}-${digest}`;
  }
  const room = budget - 1; // for the hyphen between project and environment
  const environmentLength = Math.min(
    naming.environment.length,
    Math.max(Math.ceil(room / 2), room - naming.projectName.length),
  );
  const project = naming.projectName.slice(0, room - environmentLength).replace(/-+$/, "");
  const environment = naming.environment.slice(0, environmentLength).replace(/-+$/, "");
  return `${project}-${environment}-${digest}`;
}

/** The longest names AWS accepts, for the kinds of names the constructs build. */
export const NAME_LIMITS = {
  iamRole: 64,
  iamPolicy: 128,
  lambdaFunction: 64,
  eventRule: 64,
  loadBalancer: 32,
  targetGroup: 32,
  snsTopic: 256,
  alarm: 255,
  kmsAlias: 256 - "alias/".length,
  ecs: 255,
  ecrRepository: 256,
  securityGroup: 255,
  grafanaWorkspace: 255,
  prometheusAlias: 100,
  grafanaUid: 40,
} as const;
