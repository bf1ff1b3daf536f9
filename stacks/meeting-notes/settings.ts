import { z } from "zod";
import { DEFAULT_LOG_RETENTION_DAYS } from "../../constructs/core/defaults";
import {
  ACM_CERTIFICATE_ARN,
  accessField,
  checkLogRetentionFloor,
  commonFields,
  DNS_NAME,
  failSetting,
  parseSettings,
  regionField,
  retentionDaysField,
} from "../../environments/fields";

/**
 * The meeting-notes platform's environment settings (seed 000): checked here for shape and the rules
 * that span fields; every default lives in the construct the setting feeds (STYLE.md 13), so a
 * setting left out here is simply not passed on.
 */

const CIDR16_28 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(1[6-9]|2[0-4])$/;

const networkSchema = z
  .object({
    cidr: z.string().regex(CIDR16_28, "must be an IPv4 CIDR block from /16 to /24").optional(),
    availabilityZones: z.number().int().min(2, "must be at least 2").max(3, "must be at most 3").optional(),
    natGateways: z.enum(["none", "single", "perAz"], 'must be "none", "single" or "perAz"').optional(),
    vpcEndpoints: z.boolean().optional(),
    flowLogRetentionDays: retentionDaysField.optional(),
  })
  .strict();

const autoscalingSchema = z
  .object({
    minCount: z.number().int().min(1, "must be at least 1"),
    maxCount: z.number().int().max(100, "must be at most 100"),
    targetCpuPercent: z.number().int().min(10).max(90).optional(),
  })
  .strict();

const serviceSchema = z
  .object({
    cpu: z.number().int().optional(),
    memoryMiB: z.number().int().optional(),
    desiredCount: z.number().int().min(0).max(100).optional(),
    containerPort: z.number().int().min(1).max(65535).optional(),
    healthCheckPath: z.string().startsWith("/", "must start with /").optional(),
    capacity: z
      .enum(["fargate", "fargateSpot", "mixed"], 'must be "fargate", "fargateSpot" or "mixed"')
      .optional(),
    autoscaling: autoscalingSchema.optional(),
    ecrKeepImages: z.number().int().min(1).max(1000).optional(),
    environmentVariables: z
      .record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be UPPER_SNAKE_CASE"), z.string())
      .optional(),
  })
  .strict();

const observabilitySchema = z
  .object({
    grafanaVersion: z
      .string()
      .regex(/^\d+\.\d+$/, "must be an Amazon Managed Grafana version such as 12.4")
      .optional(),
    tokenRotationIntervalDays: z
      .number()
      .int("must be a whole number of days")
      .min(1, "must be at least 1")
      .optional(),
    grafanaServiceAccountId: z
      .string()
      .regex(/^\d+$/, "must be the numeric id of an existing service account")
      .optional(),
    prometheusLogging: z.boolean().optional(),
    tokenRotationReservedConcurrency: z
      .number()
      .int("must be a whole number")
      .min(1, "must be at least 1 (leave it out to reserve nothing)")
      .max(1000, "must be at most 1000")
      .optional(),
  })
  .strict();

/** The schema every meeting-notes environment file is checked against at synth time. */
export const environmentSchema = z
  .object({
    ...commonFields,
    // Kept from before the platform registry: files that leave the region out deploy to us-east-1.
    region: regionField.default("us-east-1"),
    access: accessField,
    alertEmail: z.email("must be an email address").optional(),
    apiDomain: z.string().regex(DNS_NAME, "must be a lowercase DNS name such as api.example.com").optional(),
    apiCertArn: z.string().regex(ACM_CERTIFICATE_ARN, "must be an ACM certificate ARN").optional(),
    hostedZoneName: z
      .string()
      .regex(DNS_NAME, "must be a lowercase DNS zone name such as example.com")
      .optional(),
    grafanaSuffixSeed: z.string().min(1, "must not be empty").optional(),
    network: networkSchema.default({}),
    service: serviceSchema.default({}),
    observability: observabilitySchema.default({}),
    logRetentionDays: retentionDaysField.optional(),
    logRetentionFloorDays: retentionDaysField.optional(),
    deletionProtection: z.boolean().default(false),
  })
  .strict();

/** What an environment file writes: every defaulted field may be left out. */
export type EnvironmentInput = z.input<typeof environmentSchema>;

/** A checked meeting-notes environment. */
export interface EnvironmentConfig
  extends Omit<z.output<typeof environmentSchema>, "workspace" | "logRetentionFloorDays"> {
  /** Terraform workspace this environment's stacks run in. */
  readonly workspace: string;
  /** The file the settings come from (`environments/meeting-notes/staging.ts`), for error messages. */
  readonly source: string;
  /** Fewest days any log group of the environment keeps logs (policy rule LOG-003): 90 with deletion protection, else 7, unless set. */
  readonly logRetentionFloorDays: number;
}

/** Typed identity helper for environment files: `export default defineEnvironment({...})`. */
export function defineEnvironment(input: EnvironmentInput): EnvironmentInput {
  return input;
}

/**
 * Checks an environment file against the schema and the rules that span fields. Rules on values the
 * constructs default (Fargate sizes, the NAT and endpoint modes, the rotation interval) are the
 * constructs' own checks: their errors name this file and the setting too.
 * Throws a {@link ConfigurationError} naming the file, the field, the rule, the value and the fix.
 */
export function parseEnvironment(input: unknown, source: string): EnvironmentConfig {
  const env = parseSettings(environmentSchema, input, source, "Environment settings");
  const fail = (path: string, rule: string, value: unknown, fix: string): never =>
    failSetting(source, path, rule, value, fix);

  if (env.apiDomain && !env.apiCertArn && !env.hostedZoneName) {
    fail(
      "apiDomain",
      "needs a certificate: set apiCertArn, or hostedZoneName so a certificate can be issued and validated in Route 53",
      env.apiDomain,
      "Set apiCertArn or hostedZoneName, or remove apiDomain.",
    );
  }
  if (env.apiDomain && env.hostedZoneName && !`.${env.apiDomain}`.endsWith(`.${env.hostedZoneName}`)) {
    fail(
      "apiDomain",
      `must be inside hostedZoneName (${env.hostedZoneName})`,
      env.apiDomain,
      "Use a name in that zone, or fix hostedZoneName.",
    );
  }
  if ((env.apiCertArn || env.hostedZoneName) && !env.apiDomain) {
    const field = env.apiCertArn ? "apiCertArn" : "hostedZoneName";
    fail(
      field,
      "only applies with apiDomain",
      env.apiCertArn ?? env.hostedZoneName,
      "Set apiDomain too, or remove it.",
    );
  }
  if (env.apiCertArn && !env.apiCertArn.includes(`:acm:${env.region}:`)) {
    fail(
      "apiCertArn",
      `must be a certificate in the environment's region (${env.region}), as the ALB requires`,
      env.apiCertArn,
      "Issue or import the certificate in that region.",
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

  return {
    ...env,
    source,
    logRetentionFloorDays: floor,
    workspace: env.workspace ?? env.environment,
  };
}
