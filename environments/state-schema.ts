import { z } from "zod";
import { AWS_REGIONS, S3_RESERVED_PREFIXES, S3_RESERVED_SUFFIXES } from "../constructs/internal/aws-limits";
import { ConfigurationError, describeValue } from "../constructs/internal/validation";
import { describeIssue } from "./issues";

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
        "must be an AWS region (constructs/internal/aws-limits.ts lists them)",
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
    lockTableName: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, "must be a valid DynamoDB table name"),
    noncurrentVersionRetentionDays: z
      .number()
      .int("must be a whole number of days")
      .min(1, "must be at least 1 day")
      .max(3650, "must be at most 3650 days")
      .default(90),
    githubOidcProvider: z.boolean().default(true),
    backend: z
      .enum(["local", "s3"], 'must be "local" (first deploy) or "s3" (after migrating the state)')
      .default("local"),
  })
  .strict();

/** Settings of the bootstrap stack that owns the Terraform state bucket and lock table. */
export type StateConfig = z.output<typeof stateSchema>;

/** Checks the state settings; throws a message naming the field, rule, value and fix. */
export function parseState(input: unknown, source = "environments/state.ts"): StateConfig {
  const result = stateSchema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const { path, rule, value, fix } = describeIssue(result.error.issues, stateSchema, "Remote state");
  throw new ConfigurationError(`${source}: \`${path}\` ${rule}, got ${describeValue(value)}. ${fix}`, path);
}
