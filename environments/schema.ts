import { z } from "zod";
import {
  AWS_REGIONS,
  FARGATE_SIZES,
  LOG_RETENTION_DAYS,
  MAX_GRAFANA_TOKEN_TTL_DAYS,
  TOKEN_TTL_BUFFER_DAYS,
} from "../constructs/internal/aws-limits";
import { ConfigurationError, describeValue } from "../constructs/internal/validation";
import { describeIssue } from "./issues";

const NAME = /^[a-z][a-z0-9-]*[a-z0-9]$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const CIDR16_28 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(1[6-9]|2[0-4])$/;
const GITHUB_REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
/** Characters AWS accepts in tag keys and values (any language's letters and digits, and a few symbols). */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** Tags every resource gets from the platform (stacks/providers.ts); an environment may not redefine them. */
const PLATFORM_TAGS = ["Project", "Environment", "TerraformWorkspace", "ManagedBy"];

const name = (what: string) =>
  z
    .string()
    .regex(NAME, `must be lowercase letters, digits and hyphens, start with a letter (${what})`)
    .max(24, "must be at most 24 characters (it prefixes AWS names with tight limits)");

const retentionDays = z.number().refine((v) => LOG_RETENTION_DAYS.includes(v), {
  message: `must be a CloudWatch Logs retention period (${LOG_RETENTION_DAYS.join(", ")})`,
});

const networkSchema = z
  .object({
    cidr: z.string().regex(CIDR16_28, "must be an IPv4 CIDR block from /16 to /24").default("10.0.0.0/16"),
    availabilityZones: z.number().int().min(2, "must be at least 2").max(3, "must be at most 3").default(2),
    natGateways: z.enum(["none", "single", "perAz"], 'must be "none", "single" or "perAz"').default("single"),
    vpcEndpoints: z.boolean().optional(),
    flowLogRetentionDays: retentionDays.default(30),
  })
  .strict();

const autoscalingSchema = z
  .object({
    minCount: z.number().int().min(1, "must be at least 1"),
    maxCount: z.number().int().max(100, "must be at most 100"),
    targetCpuPercent: z.number().int().min(10).max(90).default(60),
  })
  .strict();

const serviceSchema = z
  .object({
    cpu: z.number().int().default(256),
    memoryMiB: z.number().int().default(512),
    desiredCount: z.number().int().min(0).max(100).default(1),
    containerPort: z.number().int().min(1).max(65535).default(8080),
    healthCheckPath: z.string().startsWith("/", "must start with /").default("/health"),
    capacity: z
      .enum(["fargate", "fargateSpot", "mixed"], 'must be "fargate", "fargateSpot" or "mixed"')
      .default("fargate"),
    autoscaling: autoscalingSchema.optional(),
    ecrKeepImages: z.number().int().min(1).max(1000).default(30),
    environmentVariables: z
      .record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be UPPER_SNAKE_CASE"), z.string())
      .default({}),
  })
  .strict();

const ciSchema = z
  .object({
    githubRepository: z.string().regex(GITHUB_REPO, "must be owner/name"),
    githubEnvironment: z.string().min(1, "must not be empty"),
  })
  .strict();

const roleName = z
  .string()
  .regex(
    /^([\w+=,.@*-]+\/)*[\w+=,.@*-]{1,64}$/,
    "must be an IAM role name, with its path if it has one (letters, digits, +=,.@_- and *), not an ARN",
  );

const accessSchema = z
  .object({
    operatorRoleName: roleName,
    breakGlassRoleName: roleName,
  })
  .strict();

const observabilitySchema = z
  .object({
    grafanaVersion: z
      .string()
      .regex(/^\d+\.\d+$/, "must be an Amazon Managed Grafana version such as 12.4")
      .default("12.4"),
    tokenRotationIntervalDays: z
      .number()
      .int("must be a whole number of days")
      .min(1, "must be at least 1")
      .default(25),
    grafanaServiceAccountId: z
      .string()
      .regex(/^\d+$/, "must be the numeric id of an existing service account")
      .optional(),
    prometheusLogging: z.boolean().default(true),
    tokenRotationReservedConcurrency: z
      .number()
      .int("must be a whole number")
      .min(1, "must be at least 1 (leave it out to reserve nothing)")
      .max(1000, "must be at most 1000")
      .optional(),
  })
  .strict();

/** The one schema every environment file is checked against at synth time. */
export const environmentSchema = z
  .object({
    projectName: name("for example meeting-notes"),
    environment: name("for example staging"),
    region: z
      .string()
      .regex(REGION, "must be an AWS region name such as us-east-1")
      .refine(
        (r) => AWS_REGIONS.includes(r),
        "must be an AWS region (constructs/internal/aws-limits.ts lists them)",
      )
      .default("us-east-1"),
    workspace: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, "must be a Terraform workspace name")
      .optional(),
    accountId: z
      .string()
      .regex(/^\d{12}$/, "must be a 12-digit AWS account id")
      .optional(),
    ci: ciSchema,
    access: accessSchema,
    alertEmail: z.email("must be an email address").optional(),
    apiDomain: z.string().regex(DOMAIN, "must be a lowercase DNS name such as api.example.com").optional(),
    apiCertArn: z.string().regex(ACM_ARN, "must be an ACM certificate ARN").optional(),
    hostedZoneName: z
      .string()
      .regex(DOMAIN, "must be a lowercase DNS zone name such as example.com")
      .optional(),
    grafanaSuffixSeed: z.string().min(1, "must not be empty").default("1"),
    network: networkSchema.default(networkSchema.parse({})),
    service: serviceSchema.default(serviceSchema.parse({})),
    observability: observabilitySchema.default(observabilitySchema.parse({})),
    logRetentionDays: retentionDays.default(30),
    logRetentionFloorDays: retentionDays.optional(),
    deletionProtection: z.boolean().default(false),
    tags: z
      .record(
        z
          .string()
          .min(1, "keys must not be empty")
          .max(128, "keys must be at most 128 characters")
          .refine(
            (k) => !k.toLowerCase().startsWith("aws:"),
            "keys must not start with aws: (AWS reserves that prefix)",
          )
          .refine(
            (k) => !PLATFORM_TAGS.includes(k),
            `keys must not be ${PLATFORM_TAGS.join(", ")} (the platform sets those)`,
          )
          .regex(TAG_CHARACTERS, "keys may hold letters, digits, spaces and _ . : / = + - @ only"),
        z
          .string()
          .max(256, "values must be at most 256 characters")
          .regex(TAG_CHARACTERS, "values may hold letters, digits, spaces and _ . : / = + - @ only"),
      )
      .default({}),
  })
  .strict();

/** What an environment file writes: every defaulted field may be left out. */
export type EnvironmentInput = z.input<typeof environmentSchema>;

/** A checked environment with every default applied. */
export interface EnvironmentConfig
  extends Omit<z.output<typeof environmentSchema>, "workspace" | "network" | "logRetentionFloorDays"> {
  /** Terraform workspace this environment's stacks run in. */
  readonly workspace: string;
  /** The file the settings come from (`environments/staging.ts`), for error messages. */
  readonly source: string;
  /** Fewest days any log group of the environment keeps logs (policy rule LOG-003): 90 with deletion protection, else 7, unless set. */
  readonly logRetentionFloorDays: number;
  /** Network settings; `vpcEndpoints` resolved (on when there is no NAT). */
  readonly network: z.output<typeof networkSchema> & { readonly vpcEndpoints: boolean };
}

/** Typed identity helper for environment files: `export default defineEnvironment({...})`. */
export function defineEnvironment(input: EnvironmentInput): EnvironmentInput {
  return input;
}

function fail(source: string, path: string, rule: string, value: unknown, fix: string): never {
  throw new ConfigurationError(`${source}: \`${path}\` ${rule}, got ${describeValue(value)}. ${fix}`);
}

/**
 * Checks an environment file against the schema and the rules that span fields.
 * Throws a {@link ConfigurationError} naming the file, the field, the rule, the value and the fix.
 */
export function parseEnvironment(input: unknown, source: string): EnvironmentConfig {
  const result = environmentSchema.safeParse(input, { reportInput: true });
  if (!result.success) {
    const { path, rule, value, fix } = describeIssue(
      result.error.issues,
      environmentSchema,
      "Environment settings",
    );
    fail(source, path, rule, value, fix);
  }
  const env = result.data;

  const sizes = FARGATE_SIZES[env.service.cpu];
  if (!sizes) {
    fail(
      source,
      "service.cpu",
      `must be a Fargate CPU size (${Object.keys(FARGATE_SIZES).join(", ")})`,
      env.service.cpu,
      "Pick one of the listed sizes.",
    );
  }
  if (!sizes.includes(env.service.memoryMiB)) {
    fail(
      source,
      "service.memoryMiB",
      `must be one of ${sizes.join(", ")} for service.cpu ${env.service.cpu} (Fargate's valid combinations)`,
      env.service.memoryMiB,
      "Pick a listed size, or change service.cpu.",
    );
  }
  const scaling = env.service.autoscaling;
  if (scaling && scaling.maxCount < scaling.minCount) {
    fail(
      source,
      "service.autoscaling.maxCount",
      `must be at least minCount (${scaling.minCount})`,
      scaling.maxCount,
      "Raise maxCount or lower minCount.",
    );
  }
  if (env.apiDomain && !env.apiCertArn && !env.hostedZoneName) {
    fail(
      source,
      "apiDomain",
      "needs a certificate: set apiCertArn, or hostedZoneName so a certificate can be issued and validated in Route 53",
      env.apiDomain,
      "Set apiCertArn or hostedZoneName, or remove apiDomain.",
    );
  }
  if (env.apiDomain && env.hostedZoneName && !`.${env.apiDomain}`.endsWith(`.${env.hostedZoneName}`)) {
    fail(
      source,
      "apiDomain",
      `must be inside hostedZoneName (${env.hostedZoneName})`,
      env.apiDomain,
      "Use a name in that zone, or fix hostedZoneName.",
    );
  }
  if ((env.apiCertArn || env.hostedZoneName) && !env.apiDomain) {
    const field = env.apiCertArn ? "apiCertArn" : "hostedZoneName";
    fail(
      source,
      field,
      "only applies with apiDomain",
      env.apiCertArn ?? env.hostedZoneName,
      "Set apiDomain too, or remove it.",
    );
  }
  if (env.apiCertArn && !env.apiCertArn.includes(`:acm:${env.region}:`)) {
    fail(
      source,
      "apiCertArn",
      `must be a certificate in the environment's region (${env.region}), as the ALB requires`,
      env.apiCertArn,
      "Issue or import the certificate in that region.",
    );
  }
  const interval = env.observability.tokenRotationIntervalDays;
  if (interval + TOKEN_TTL_BUFFER_DAYS > MAX_GRAFANA_TOKEN_TTL_DAYS) {
    fail(
      source,
      "observability.tokenRotationIntervalDays",
      `must be at most ${MAX_GRAFANA_TOKEN_TTL_DAYS - TOKEN_TTL_BUFFER_DAYS} (token TTL is interval + ${TOKEN_TTL_BUFFER_DAYS} days, and Amazon Managed Grafana allows ${MAX_GRAFANA_TOKEN_TTL_DAYS})`,
      interval,
      `Set it to ${MAX_GRAFANA_TOKEN_TTL_DAYS - TOKEN_TTL_BUFFER_DAYS} or less.`,
    );
  }
  if (env.network.natGateways === "none" && env.network.vpcEndpoints === false) {
    fail(
      source,
      "network.vpcEndpoints",
      'must not be false when network.natGateways is "none" (private tasks could not reach ECR, Logs or Secrets Manager)',
      false,
      'Remove network.vpcEndpoints, or choose natGateways "single" or "perAz".',
    );
  }

  const floor = env.logRetentionFloorDays ?? (env.deletionProtection ? 90 : 7);
  for (const [field, days] of [
    ["logRetentionDays", env.logRetentionDays],
    ["network.flowLogRetentionDays", env.network.flowLogRetentionDays],
  ] as const) {
    if (days < floor) {
      fail(
        source,
        field,
        `must be at least logRetentionFloorDays (${floor}${env.logRetentionFloorDays === undefined ? `, the default with deletionProtection ${env.deletionProtection ? "on" : "off"}` : ""})`,
        days,
        "Raise it, or lower logRetentionFloorDays.",
      );
    }
  }

  return {
    ...env,
    source,
    logRetentionFloorDays: floor,
    workspace: env.workspace ?? env.environment,
    network: { ...env.network, vpcEndpoints: env.network.vpcEndpoints ?? env.network.natGateways === "none" },
  };
}
