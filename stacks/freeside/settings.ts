import { z } from "zod";
import { DEFAULT_LOG_RETENTION_DAYS } from "../../constructs/core/defaults";
import {
  accessField,
  checkEdge,
  checkLogRetentionFloor,
  commonFields,
  edgeField,
  parseSettings,
  regionField,
  retentionDaysField,
} from "../../environments/fields";

/**
 * The Freeside platform's environment settings (seed 002): shape and the rules that span fields
 * only; every default lives in the construct the setting feeds (STYLE.md 13).
 */

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

const cidrField = z.string().regex(CIDR, "must be an IPv4 CIDR block such as 10.0.1.0/24");

const networkSchema = z
  .object({
    cidr: cidrField.optional(),
    availabilityZones: z.number().int().min(2, "must be at least 2").max(3, "must be at most 3").optional(),
    publicSubnets: z.array(cidrField).optional(),
    privateSubnets: z.array(cidrField).optional(),
    natGateways: z.enum(["none", "single", "perAz"], 'must be "none", "single" or "perAz"').optional(),
    endpoints: z.array(z.string()).optional(),
    flowLogRetentionDays: retentionDaysField.optional(),
  })
  .strict();

const capacityProvider = z
  .object({
    provider: z.enum(["FARGATE", "FARGATE_SPOT"], 'must be "FARGATE" or "FARGATE_SPOT"'),
    weight: z.number().int("must be a whole number"),
    base: z.number().int("must be a whole number").optional(),
  })
  .strict();

const capacityField = z.union(
  [z.enum(["fargate", "fargateSpot", "mixed"]), z.array(capacityProvider)],
  'must be "fargate", "fargateSpot", "mixed" or a list of { provider, weight, base }',
);

const serviceFields = {
  cpu: z.number().int().optional(),
  memoryMiB: z.number().int().optional(),
  desiredCount: z.number().int().min(0).max(100).optional(),
  capacity: capacityField.optional(),
  environmentVariables: z
    .record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be UPPER_SNAKE_CASE"), z.string())
    .optional(),
};

const servicesSchema = z
  .object({
    api: z
      .object({
        ...serviceFields,
        containerPort: z.number().int().min(1).max(65535).optional(),
        healthCheckPath: z.string().startsWith("/", "must start with /").optional(),
      })
      .strict()
      .default({}),
    worker: z
      .object({
        ...serviceFields,
        command: z.array(z.string().min(1, "entries must not be empty")).min(1, "must not be empty"),
      })
      .strict(),
  })
  .strict();

const databaseSchema = z
  .object({
    instanceClass: z.string().optional(),
    engineVersion: z.string().optional(),
    autoMinorVersionUpgrade: z.boolean().optional(),
    allocatedStorageGiB: z.number().optional(),
    maxAllocatedStorageGiB: z.number().optional(),
    backupRetentionDays: z.number().optional(),
    multiAz: z.boolean().optional(),
    databaseName: z.string().optional(),
    databaseInsights: z.enum(["standard", "advanced"], 'must be "standard" or "advanced"').optional(),
  })
  .strict();

const cacheSchema = z
  .object({
    engine: z.enum(["redis", "valkey"], 'must be "redis" or "valkey"').optional(),
    engineVersion: z.string().optional(),
    nodeType: z.string().optional(),
    nodes: z.number().optional(),
    multiAz: z.boolean().optional(),
    snapshotRetentionDays: z.number().optional(),
  })
  .strict();

/** The schema every Freeside environment file is checked against at synth time. */
export const environmentSchema = z
  .object({
    ...commonFields,
    region: regionField,
    access: accessField,
    alertEmail: z.email("must be an email address").optional(),
    network: networkSchema.default({}),
    services: servicesSchema,
    ecrKeepImages: z.number().int().min(1).max(1000).optional(),
    ecrRepositoryName: z.string().optional(),
    edge: edgeField,
    database: databaseSchema.default({}),
    cache: cacheSchema.default({}),
    logRetentionDays: retentionDaysField.optional(),
    logRetentionFloorDays: retentionDaysField.optional(),
    deletionProtection: z.boolean().default(false),
  })
  .strict();

/** What a Freeside environment file writes. */
export type FreesideEnvironmentInput = z.input<typeof environmentSchema>;

/** A checked Freeside environment. */
export interface FreesideEnvironment
  extends Omit<z.output<typeof environmentSchema>, "workspace" | "logRetentionFloorDays"> {
  /** Fewest days any log group of the environment keeps logs (policy rule LOG-003): 90 with deletion protection, else 7, unless set. */
  readonly logRetentionFloorDays: number;
  /** Terraform workspace the environment's stack runs in. */
  readonly workspace: string;
  /** The file the settings come from (`environments/freeside/production.ts`), for error messages. */
  readonly source: string;
}

/** Typed identity helper for environment files: `export default defineFreesideEnvironment({...})`. */
export function defineFreesideEnvironment(input: FreesideEnvironmentInput): FreesideEnvironmentInput {
  return input;
}

/**
 * Checks a Freeside environment file against the schema and the rules that span fields; rules on
 * single values the constructs default (Fargate sizes, subnet CIDRs, capacity weights) are the
 * constructs' own, and their errors name this file and the setting too.
 */
export function parseFreesideEnvironment(input: unknown, source: string): FreesideEnvironment {
  const env = parseSettings(environmentSchema, input, source, "Freeside settings");
  checkEdge(source, env.region, env.edge);
  const floor = checkLogRetentionFloor(
    source,
    env,
    [
      ["logRetentionDays", env.logRetentionDays],
      ["network.flowLogRetentionDays", env.network.flowLogRetentionDays],
    ],
    DEFAULT_LOG_RETENTION_DAYS,
  );
  return { ...env, source, logRetentionFloorDays: floor, workspace: env.workspace ?? env.environment };
}
