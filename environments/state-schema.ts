import { z } from "zod";
import { AWS_REGIONS, S3_RESERVED_PREFIXES, S3_RESERVED_SUFFIXES } from "../constructs/core/aws-limits";
import { ConfigurationError, describeValue } from "../constructs/core/validation";
import { accountIdField } from "./fields";
import { describeIssue } from "./issues";

const mode = z.enum(["create", "adopt", "skip"], 'must be "create", "adopt" or "skip"');

/** The account baseline's settings (constructs/baseline): shape only, the construct holds the defaults. */
const baselineSchema = z
  .object({
    cloudTrail: z
      .object({
        mode: mode.optional(),
        trailArn: z.string().optional(),
        retentionDays: z.number().int("must be a whole number of days").optional(),
      })
      .strict()
      .optional(),
    guardDuty: z
      .object({
        mode: mode.optional(),
        detectorId: z.string().optional(),
        features: z.array(z.string()).optional(),
      })
      .strict()
      .optional(),
    securityHub: z
      .object({ mode: mode.optional(), standards: z.array(z.string()).optional() })
      .strict()
      .optional(),
    apiGatewayLogging: z.object({ mode: mode.optional() }).strict().optional(),
  })
  .strict();

const stateSchema = z
  .object({
    projectName: z
      .string()
      .regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, "must be lowercase letters, digits and hyphens"),
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "must be an AWS region name such as us-east-1")
      .refine(
        (r) => AWS_REGIONS.includes(r),
        "must be an AWS region (constructs/core/aws-limits.ts lists them)",
      ),
    bucketName: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
        "must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)",
      )
      .refine((n) => !n.includes(".."), "must not contain two dots in a row (S3 refuses it)")
      .refine((n) => !/^\d+\.\d+\.\d+\.\d+$/.test(n), "must not look like an IP address (S3 refuses it)")
      .refine(
        (n) => !S3_RESERVED_PREFIXES.some((p) => n.startsWith(p)),
        `must not start with ${S3_RESERVED_PREFIXES.join(", ")} (S3 reserves them)`,
      )
      .refine(
        (n) => !S3_RESERVED_SUFFIXES.some((x) => n.endsWith(x)),
        `must not end with ${S3_RESERVED_SUFFIXES.join(", ")} (S3 reserves them)`,
      ),
    accountId: accountIdField.optional(),
    lockTableName: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, "must be a valid DynamoDB table name"),
    noncurrentVersionRetentionDays: z
      .number()
      .int("must be a whole number of days")
      .min(1, "must be at least 1 day")
      .max(3650, "must be at most 3650 days")
      .default(90),
    githubOidcProvider: z.boolean().default(true),
    baseline: baselineSchema.default({}),
    backend: z
      .enum(["local", "s3"], 'must be "local" (first deploy) or "s3" (after migrating the state)')
      .default("local"),
    /**
     * The bucket and the lock table exist already (another tool's, such as a seed's own Terraform):
     * the store's stack creates only the key this repository's states are encrypted with (and the OIDC
     * provider), never the bucket, its policy or the table.
     */
    existingBucket: z.boolean().default(false),
    /** State object keys in the bucket that belong to someone else: no stack may write one. */
    foreignStateKeys: z.array(z.string().min(1, "must not be empty")).default([]),
  })
  .strict();

/** What one store's entry in environments/state.ts writes. */
export type StateStoreInput = z.input<typeof stateSchema>;

/** A checked state store: the bootstrap stack that owns one account's Terraform state bucket and lock table. */
export interface StateConfig extends z.output<typeof stateSchema> {
  /** The store's name in environments/state.ts; environments name it in `stateStore`. */
  readonly name: string;
  /** Id of the store's stack: `state` for the store named `default`, else `state-<name>`. */
  readonly stackId: string;
  /** The file the settings come from, for error messages. */
  readonly source: string;
}

/** The store whose stack keeps the id `state` (meeting-notes' bootstrap stack, from before stores had names). */
export const DEFAULT_STATE_STORE = "default";

/** The stack id of a store. */
export function stateStackId(name: string): string {
  return name === DEFAULT_STATE_STORE ? "state" : `state-${name}`;
}

const STORE_NAME = /^(?=.{1,20}$)[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Checks one store's settings; throws a message naming the field, rule, value and fix. */
export function parseState(
  input: unknown,
  source = "environments/state.ts",
  name: string = DEFAULT_STATE_STORE,
): StateConfig {
  const at = `stores.${name}.`;
  const result = stateSchema.safeParse(input, { reportInput: true });
  if (!result.success) {
    const { path, rule, value, fix } = describeIssue(result.error.issues, stateSchema, "Remote state");
    throw new ConfigurationError(
      `${source}: \`${at}${path}\` ${rule}, got ${describeValue(value)}. ${fix.replace("Did you mean `", `Did you mean \`${at}`)}`,
      `${at}${path}`,
    );
  }
  return { ...result.data, name, stackId: stateStackId(name), source };
}

/**
 * Checks every store of environments/state.ts, one per AWS account: names, then the rules across
 * stores (at most one leaves its account out, no named account has two, and no two share a bucket; so
 * no two stores create the GitHub OIDC provider of one account they both name).
 */
export function parseStateStores(
  input: unknown,
  source = "environments/state.ts",
): Readonly<Record<string, StateConfig>> {
  const fail = (path: string, rule: string, value: unknown, fix: string): never => {
    throw new ConfigurationError(`${source}: \`${path}\` ${rule}, got ${describeValue(value)}. ${fix}`, path);
  };
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    fail(
      "stores",
      "must be an object of named stores",
      input,
      "Write `export const stores = { default: {...} }`.",
    );
  }
  const entries = Object.entries(input as Record<string, unknown>);
  if (entries.length === 0) {
    fail(
      "stores",
      "must define at least one store",
      input,
      "Add a store named default (README: Remote state).",
    );
  }
  const stores: Record<string, StateConfig> = {};
  for (const [name, value] of entries) {
    if (!STORE_NAME.test(name)) {
      fail(
        `stores.${name}`,
        "must be named with 1-20 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen (its stack is state-<name>)",
        name,
        "Rename the store, and every environment's stateStore that names it.",
      );
    }
    stores[name] = parseState(value, source, name);
  }
  const all = Object.values(stores);
  // One store may leave its account out (it is then whichever account applies it): two could not be
  // told apart, and might both be applied to one account.
  const unnamed = all.filter((s) => s.accountId === undefined);
  if (unnamed.length > 1) {
    fail(
      `stores.${unnamed[1]!.name}.accountId`,
      `is required when another store (${unnamed[0]!.name}) leaves its account out too (one store per AWS account: at most one store may leave it out)`,
      undefined,
      "Set the 12-digit account id of the account the store's bucket lives in.",
    );
  }
  for (const [i, a] of all.entries()) {
    for (const b of all.slice(i + 1)) {
      for (const [field, same] of [
        ["accountId", a.accountId !== undefined && a.accountId === b.accountId],
        ["bucketName", a.bucketName === b.bucketName],
      ] as const) {
        if (same) {
          fail(
            `stores.${b.name}.${field}`,
            `must differ from store ${a.name}'s (one store per AWS account, one bucket per store)`,
            b[field],
            `Keep one of the stores and point the other's environments at it (stateStore: "${a.name}").`,
          );
        }
      }
    }
  }
  return stores;
}
