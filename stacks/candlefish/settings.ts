import { z } from "zod";
import { DEFAULT_LOG_RETENTION_DAYS } from "../../constructs/core/defaults";
import { knownTimeZones } from "../../constructs/core/validation";
import {
  accessField,
  checkEdge,
  checkLogRetentionFloor,
  commonFields,
  edgeField,
  failSetting,
  parseSettings,
  regionField,
  retentionDaysField,
} from "../../environments/fields";
import { CANDLEFISH_SEEDED_STAGES } from "../../functions/db-init/candlefish/migrations";

/**
 * The Candlefish platform's environment settings (seed 001): shape and the rules that span fields;
 * every default lives in the construct the setting feeds (STYLE.md 13).
 */

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const cidrField = z.string().regex(CIDR, "must be an IPv4 CIDR block such as 10.0.1.0/24");
const CRON = /^cron\((\S+ ){5}\S+\)$/;
const cronField = z
  .string()
  .regex(
    CRON,
    "must be a cron expression of six fields, cron(minutes hours day-of-month month day-of-week year)",
  );

/** An IANA time zone `Intl` knows (Terraform accepts any string; a wrong one fails only at apply). */
const timeZoneField = z
  .string()
  .refine(
    (tz) => knownTimeZones().has(tz),
    "must be an IANA time zone name (Area/City, as Intl.supportedValuesOf('timeZone') lists them, or UTC)",
  );

const networkSchema = z
  .object({
    cidr: cidrField.optional(),
    availabilityZones: z.number().int().min(2, "must be at least 2").max(3, "must be at most 3").optional(),
    natGateways: z.enum(["single", "perAz"], 'must be "single" or "perAz"').optional(),
    flowLogRetentionDays: retentionDaysField.optional(),
  })
  .strict();

const serviceFields = {
  cpu: z.number().int().optional(),
  memoryMiB: z.number().int().optional(),
  desiredCount: z.number().int().min(1, "must be at least 1 (auto shutdown stops dev off hours)").max(100),
  environmentVariables: z
    .record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be UPPER_SNAKE_CASE"), z.string())
    .optional(),
};

const servicesSchema = z
  .object({
    coreApi: z
      .object({
        ...serviceFields,
        containerPort: z.number().int().min(1).max(65535).optional(),
        healthCheckPath: z.string().startsWith("/", "must start with /").optional(),
      })
      .strict(),
    workflowEngine: z
      .object({
        ...serviceFields,
        /** Most tasks the backlog may scale it to. */
        maxCount: z.number().int().min(1).max(100).optional(),
        /** Visible messages of the workflow queue one task works off: the backlog-per-task target. */
        messagesPerTask: z.number().int().min(1).max(100_000).default(100),
        command: z
          .array(z.string().min(1, "entries must not be empty"))
          .min(1, "must not be empty")
          .optional(),
      })
      .strict(),
  })
  .strict();

const databaseSchema = z
  .object({
    instanceClass: z.string().optional(),
    serverless: z
      .object({
        minAcu: z.number().optional(),
        maxAcu: z.number().optional(),
        secondsUntilAutoPause: z.number().optional(),
      })
      .strict()
      .optional(),
    readers: z.number().optional(),
    multiAz: z.boolean().optional(),
    engineVersion: z.string().optional(),
    backupRetentionDays: z.number().optional(),
    databaseName: z.string().optional(),
    masterUsername: z.string().optional(),
    databaseInsights: z.enum(["standard", "advanced"], 'must be "standard" or "advanced"').optional(),
  })
  .strict();

const stageSchema = z
  .object({
    key: z.string(),
    requiresApproval: z.boolean(),
    wipLimit: z.number().int("must be a whole number").min(1, "must be at least 1").optional(),
  })
  .strict();

const dailyUnblockSchema = z
  .object({
    schedule: cronField.default("cron(0 9 * * ? *)"),
    timeZone: timeZoneField.default("America/New_York"),
    blockedDays: z.number().int().min(1, "must be at least 1").max(365, "must be at most 365").default(3),
  })
  .strict();

const autoShutdownSchema = z
  .object({
    timeZone: timeZoneField,
    /** When dev starts in the morning (its services scale back, its canaries start). */
    start: cronField.default("cron(0 8 ? * MON-FRI *)"),
    /** When dev stops in the evening (services to zero, canaries stopped, their alarms' actions off). */
    stop: cronField.default("cron(0 20 ? * MON-FRI *)"),
  })
  .strict();

/** The schema every Candlefish environment file is checked against at synth time. */
export const environmentSchema = z
  .object({
    ...commonFields,
    region: regionField,
    access: accessField,
    alertEmail: z.email("must be an email address").optional(),
    network: networkSchema.default({}),
    services: servicesSchema,
    edge: edgeField,
    database: databaseSchema.default({}),
    stages: z.array(stageSchema).min(1, "must list the workflow's stages"),
    dailyUnblock: dailyUnblockSchema.default({
      schedule: "cron(0 9 * * ? *)",
      timeZone: "America/New_York",
      blockedDays: 3,
    }),
    autoShutdown: autoShutdownSchema.optional(),
    waf: z.boolean().default(false),
    secretMaxAgeDays: z
      .number()
      .int()
      .min(1, "must be at least 1")
      .max(365, "must be at most 365")
      .default(90),
    ecrKeepImages: z.number().int().min(1).max(1000).optional(),
    logRetentionDays: retentionDaysField.optional(),
    logRetentionFloorDays: retentionDaysField.optional(),
    deletionProtection: z.boolean().default(false),
  })
  .strict();

/** What a Candlefish environment file writes. */
export type CandlefishEnvironmentInput = z.input<typeof environmentSchema>;

/** A checked Candlefish environment. */
export interface CandlefishEnvironment
  extends Omit<z.output<typeof environmentSchema>, "workspace" | "logRetentionFloorDays"> {
  /** Fewest days any log group of the environment keeps logs (policy rule LOG-003). */
  readonly logRetentionFloorDays: number;
  /** Terraform workspace the environment's stack runs in. */
  readonly workspace: string;
  /** The file the settings come from (`environments/candlefish/prod.ts`), for error messages. */
  readonly source: string;
}

/** Typed identity helper for environment files: `export default defineCandlefishEnvironment({...})`. */
export function defineCandlefishEnvironment(input: CandlefishEnvironmentInput): CandlefishEnvironmentInput {
  return input;
}

/**
 * Checks a Candlefish environment file against the schema and the rules that span fields; rules on
 * values the constructs default (Aurora classes, retention, Fargate sizes) are the constructs' own,
 * and their errors name this file and the setting too.
 */
export function parseCandlefishEnvironment(input: unknown, source: string): CandlefishEnvironment {
  const env = parseSettings(environmentSchema, input, source, "Candlefish settings");
  const fail = (path: string, rule: string, value: unknown, fix: string): never =>
    failSetting(source, path, rule, value, fix);

  checkEdge(source, env.region, env.edge);
  // The functions read STAGES; the database's stages table is seeded by migration 2. They must agree.
  const keys = env.stages.map((s) => s.key);
  const seeded = CANDLEFISH_SEEDED_STAGES.map((s) => s.key);
  if (keys.join(",") !== seeded.join(",")) {
    fail(
      "stages",
      `must list the stages the database holds, in order (${seeded.join(", ")}; migration 2 seeds them)`,
      keys,
      "List those keys in that order, or add a migration that changes the stages table and list its stages.",
    );
  }
  for (const [i, stage] of env.stages.entries()) {
    const want = CANDLEFISH_SEEDED_STAGES[i]!;
    if (stage.requiresApproval !== want.requiresApproval) {
      fail(
        `stages[${i}].requiresApproval`,
        `must be ${want.requiresApproval} for ${stage.key}, as the stages table says`,
        stage.requiresApproval,
        "Match the table, or change it with a migration.",
      );
    }
  }
  const engine = env.services.workflowEngine;
  if (engine.maxCount !== undefined && engine.maxCount < engine.desiredCount) {
    fail(
      "services.workflowEngine.maxCount",
      `must be at least services.workflowEngine.desiredCount (${engine.desiredCount}), its scaling minimum`,
      engine.maxCount,
      "Raise maxCount or lower desiredCount.",
    );
  }
  if (env.autoShutdown && env.deletionProtection) {
    fail(
      "autoShutdown",
      "must not be set on an environment with deletion protection (it stops the services every evening)",
      env.autoShutdown,
      "Remove autoShutdown from this environment, or turn deletionProtection off.",
    );
  }
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
