import { z } from "zod";
import { AWS_REGIONS, LOG_RETENTION_DAYS } from "../constructs/core/aws-limits";
import { ConfigurationError, describeValue } from "../constructs/core/validation";
import { describeIssue } from "./issues";

/**
 * The settings every platform's environment files share, and the one way they are checked. A
 * platform's schema (`stacks/<platform>/settings.ts`) spreads {@link commonFields} into its own
 * object and parses with {@link parseSettings}.
 */

const NAME = /^[a-z][a-z0-9-]*[a-z0-9]$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
/** Characters AWS accepts in tag keys and values (any language's letters and digits, and a few symbols). */
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** Tags every resource gets from the platform (stacks/providers.ts); an environment may not redefine them. */
export const PLATFORM_TAGS = ["Project", "Environment", "TerraformWorkspace", "ManagedBy"];

/** A lowercase name that prefixes AWS resource names (project, environment). */
export const nameField = (what: string) =>
  z
    .string()
    .regex(NAME, `must be lowercase letters, digits and hyphens, start with a letter (${what})`)
    .max(24, "must be at most 24 characters (it prefixes AWS names with tight limits)");

/** An AWS region this provider version knows. */
export const regionField = z
  .string()
  .regex(REGION, "must be an AWS region name such as us-east-1")
  .refine((r) => AWS_REGIONS.includes(r), "must be an AWS region (constructs/core/aws-limits.ts lists them)");

/** A CloudWatch Logs retention period. */
export const retentionDaysField = z.number().refine((v) => LOG_RETENTION_DAYS.includes(v), {
  message: `must be a CloudWatch Logs retention period (${LOG_RETENTION_DAYS.join(", ")})`,
});

/** A 12-digit AWS account id. */
export const accountIdField = z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id");

/** Tags an environment adds to every resource (the platform's own tags excluded). */
export const tagsField = z.record(
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
);

/** A lowercase DNS name (`api.example.com`) or zone (`example.com`). */
export const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** An ACM certificate ARN. */
export const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/;

const roleNameField = z
  .string()
  .regex(
    /^([\w+=,.@*-]+\/)*[\w+=,.@*-]{1,64}$/,
    "must be an IAM role name, with its path if it has one (letters, digits, +=,.@_- and *), not an ARN",
  );

/** The people's roles of an environment (they exist outside this repository): who sets secret values, who administers them. */
export const accessField = z
  .object({
    operatorRoleName: roleNameField,
    breakGlassRoleName: roleNameField,
  })
  .strict();

/** How GitHub Actions deploys an environment (the deploy role trusts exactly this repository and environment). */
export const ciField = z
  .object({
    githubRepository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "must be owner/name"),
    githubEnvironment: z.string().min(1, "must not be empty"),
    deployOnPush: z.boolean().default(false),
  })
  .strict();

/**
 * What an environment takes over instead of creating (stacks/adoption.ts): `imports` maps resources
 * of its stack, by construct path (`network/vpc`), to the ids of the running ones; `live` declares
 * what the running ones have where a difference would replace them.
 */
export const adoptField = z
  .object({
    imports: z.record(z.string(), z.string().min(1, "must not be empty")).default({}),
    /**
     * The running resources' values of the attributes that force a replacement, by the same keys
     * (Terraform attribute names): synth fails when the configuration gives another.
     */
    live: z
      .record(z.string(), z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])))
      .default({}),
  })
  .strict();

export type AdoptSettings = z.output<typeof adoptField>;

/**
 * Fields of every environment, whatever its platform:
 * - `projectName` and `environment`: the `<project>-<env>-` prefix of every resource name;
 * - `region`, `accountId` (optional: Terraform then refuses credentials of any other account);
 * - `workspace` (default: the environment's name);
 * - `stateStore`: the store of `environments/state.ts` that keeps the environment's state (the registry
 *   checks that it exists and sits in the environment's account);
 * - `tags` added to every resource;
 * - `ci`: the GitHub repository and environment whose deploy workflow applies it, and whether a push
 *   to main deploys it (`deployOnPush`, default false: by hand, `workflow_dispatch`);
 * - `adopt` (optional): running resources the environment's stack takes over (stacks/adoption.ts).
 */
export const commonFields = {
  projectName: nameField("for example meeting-notes"),
  environment: nameField("for example staging"),
  region: regionField,
  workspace: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, "must be a Terraform workspace name")
    .optional(),
  accountId: accountIdField.optional(),
  stateStore: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, "must name a state store of environments/state.ts (for example default)"),
  tags: tagsField.default({}),
  ci: ciField,
  adopt: adoptField.optional(),
};

/** What the registry and the shared stacks read of any platform's checked environment. */
export interface PlatformEnvironment {
  /** The file the settings come from (`environments/<platform>/<env>.ts`), for error messages. */
  readonly source: string;
  readonly projectName: string;
  readonly environment: string;
  readonly region: string;
  /** Terraform workspace this environment's stacks run in. */
  readonly workspace: string;
  readonly accountId?: string | undefined;
  /** Name of the state store (environments/state.ts) holding this environment's state. */
  readonly stateStore: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly ci: {
    readonly githubRepository: string;
    readonly githubEnvironment: string;
    readonly deployOnPush: boolean;
  };
}

/** Throws the project's one error shape for a settings file: file, field, rule, value, fix. */
export function failSetting(source: string, path: string, rule: string, value: unknown, fix: string): never {
  throw new ConfigurationError(`${source}: \`${path}\` ${rule}, got ${describeValue(value)}. ${fix}`, path);
}

/**
 * Parses a settings file against a schema, turning zod's first issue into the project's message
 * (`readmeSection` names where the README documents the accepted values).
 */
export function parseSettings<S extends z.ZodType>(
  schema: S,
  input: unknown,
  source: string,
  readmeSection: string,
): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const { path, rule, value, fix } = describeIssue(result.error.issues, schema, readmeSection);
  return failSetting(source, path, rule, value, fix);
}

/**
 * The log retention floor of an environment (policy rule LOG-003): `logRetentionFloorDays` when set,
 * else 90 days with deletion protection and 7 without. Checks each retention field against it (a field
 * left out counts as the constructs' default) and returns the floor.
 */
export function checkLogRetentionFloor(
  source: string,
  env: { readonly logRetentionFloorDays?: number; readonly deletionProtection: boolean },
  retentions: readonly (readonly [field: string, days: number | undefined])[],
  defaultDays: number,
): number {
  const floor = env.logRetentionFloorDays ?? (env.deletionProtection ? 90 : 7);
  for (const [field, set] of retentions) {
    const days = set ?? defaultDays;
    if (days < floor) {
      failSetting(
        source,
        field,
        `must be at least logRetentionFloorDays (${floor}${env.logRetentionFloorDays === undefined ? `, the default with deletionProtection ${env.deletionProtection ? "on" : "off"}` : ""})`,
        days,
        set === undefined
          ? `The file does not set it, and ${days} is its default: set it to ${floor} or more, or lower logRetentionFloorDays.`
          : "Raise it, or lower logRetentionFloorDays.",
      );
    }
  }
  return floor;
}

/**
 * An HTTPS API domain (`edge`): its name, and the certificate given or the hosted zone one is issued in
 * (Freeside, Candlefish). {@link checkEdge} holds the rules across its fields.
 */
export const edgeField = z
  .object({
    domainName: z.string().regex(DNS_NAME, "must be a lowercase DNS name such as api.example.com"),
    certificateArn: z.string().regex(ACM_CERTIFICATE_ARN, "must be an ACM certificate ARN").optional(),
    hostedZoneName: z
      .string()
      .regex(DNS_NAME, "must be a lowercase DNS zone name such as example.com")
      .optional(),
    http: z.enum(["redirect", "closed"], 'must be "redirect" or "closed"').optional(),
  })
  .strict();

/** A certificate or a zone to issue one in; the name inside the zone; the certificate in the region. */
export function checkEdge(source: string, region: string, edge: z.output<typeof edgeField>): void {
  const fail = (path: string, rule: string, value: unknown, fix: string): never =>
    failSetting(source, path, rule, value, fix);
  if (!edge.certificateArn && !edge.hostedZoneName) {
    fail(
      "edge.domainName",
      "needs a certificate: set edge.certificateArn, or edge.hostedZoneName so one is issued and validated in Route 53",
      edge.domainName,
      "Set edge.certificateArn or edge.hostedZoneName.",
    );
  }
  if (edge.hostedZoneName && !`.${edge.domainName}`.endsWith(`.${edge.hostedZoneName}`)) {
    fail(
      "edge.domainName",
      `must be inside edge.hostedZoneName (${edge.hostedZoneName})`,
      edge.domainName,
      "Use a name in that zone, or fix edge.hostedZoneName.",
    );
  }
  if (edge.certificateArn && !edge.certificateArn.includes(`:acm:${region}:`)) {
    fail(
      "edge.certificateArn",
      `must be a certificate in the environment's region (${region}), as the ALB requires`,
      edge.certificateArn,
      "Issue or import the certificate in that region.",
    );
  }
}
