import {
  block,
  blocks,
  bool,
  conditionValues,
  isToken,
  openStatements,
  readPolicy,
  type StackModel,
  type TfNode,
} from "../model";
import type { Rule, RuleContext, RuleHit } from "../types";

const BUCKET = "aws_s3_bucket";

/**
 * The companion resources of a bucket (`aws_s3_bucket_versioning`, ...), and whether some companion of
 * that type has an unresolvable `bucket`, in which case a missing companion cannot be concluded.
 */
function companions(
  stack: StackModel,
  type: string,
  bucket: TfNode,
): { nodes: TfNode[]; uncertain: boolean } {
  const all = stack.resources(type);
  const nodes = all.filter((n) => stack.pointsTo(n.config.bucket, bucket, ["bucket"]));
  const uncertain = all.some((n) => n.config.bucket !== undefined && stack.isOpaque(n.config.bucket));
  return { nodes, uncertain };
}

/** Runs `evaluate` for each bucket; it returns a message for a violation or `undefined`. */
function perBucket(
  context: RuleContext,
  evaluate: (bucket: TfNode, stack: StackModel) => string | undefined,
): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const bucket of context.stack.resources(BUCKET)) {
    const message = evaluate(bucket, context.stack);
    if (message) hits.push({ address: bucket.address, message });
  }
  return hits;
}

/** The default SSE algorithms configured for a bucket (inline or companion), `undefined` if unknowable. */
function sseAlgorithms(bucket: TfNode, stack: StackModel): string[] | undefined {
  const { nodes, uncertain } = companions(
    stack,
    "aws_s3_bucket_server_side_encryption_configuration",
    bucket,
  );
  const configs = [
    ...nodes.map((n) => n.config),
    ...blocks(bucket.config.server_side_encryption_configuration),
  ];
  const algorithms = configs.flatMap((c) =>
    blocks(c.rule).map((r) => block(r.apply_server_side_encryption_by_default)?.sse_algorithm),
  );
  if (algorithms.length === 0) return uncertain ? undefined : [];
  if (algorithms.some((a) => a === undefined || isToken(a))) return undefined;
  return algorithms as string[];
}

/** Bucket names that hold Terraform state for some stack of the run (S3 backends and remote state reads). */
function stateBucketNames(context: RuleContext): Set<string> {
  const names = new Set<string>();
  for (const stack of context.stacks) {
    const backend = block(block(stack.json.terraform)?.backend);
    const s3 = block(backend?.s3);
    if (typeof s3?.bucket === "string" && !isToken(s3.bucket)) names.add(s3.bucket);
    for (const remote of stack.nodes.filter(
      (n) => n.kind === "data" && n.type === "terraform_remote_state",
    )) {
      const config = block(remote.config.config);
      if (remote.config.backend === "s3" && typeof config?.bucket === "string" && !isToken(config.bucket)) {
        names.add(config.bucket);
      }
    }
  }
  return names;
}

function isStateBucket(bucket: TfNode, context: RuleContext): boolean {
  const name = bucket.config.bucket;
  return typeof name === "string" && stateBucketNames(context).has(name);
}

/** Bucket policies attached to a bucket (companion `aws_s3_bucket_policy` and the inline `policy`). */
function bucketPolicies(bucket: TfNode, stack: StackModel): { values: unknown[]; uncertain: boolean } {
  const { nodes, uncertain } = companions(stack, "aws_s3_bucket_policy", bucket);
  const values = nodes.map((n) => n.config.policy);
  if (bucket.config.policy !== undefined) values.push(bucket.config.policy);
  return { values, uncertain };
}

export const s3Rules: readonly Rule[] = [
  {
    id: "S3-001",
    title: "S3 buckets have default server-side encryption configured",
    rationale: "Objects written without an explicit encryption header must still be encrypted at rest.",
    severity: "high",
    external: { checkov: ["CKV_AWS_19"], cdkNag: ["AwsSolutions-S3"] },
    check: (context) =>
      perBucket(context, (bucket, stack) => {
        const algorithms = sseAlgorithms(bucket, stack);
        return algorithms && algorithms.length === 0
          ? "has no aws_s3_bucket_server_side_encryption_configuration"
          : undefined;
      }),
  },
  {
    id: "S3-002",
    title: "S3 default encryption uses KMS (aws:kms or aws:kms:dsse)",
    rationale:
      "A KMS key puts reads behind a key policy and CloudTrail-logged decrypts, which SSE-S3 does not.",
    severity: "medium",
    external: { checkov: ["CKV_AWS_145"] },
    check: (context) =>
      perBucket(context, (bucket, stack) => {
        const algorithms = sseAlgorithms(bucket, stack);
        if (!algorithms || algorithms.length === 0) return undefined;
        const weak = algorithms.filter((a) => a !== "aws:kms" && a !== "aws:kms:dsse");
        return weak.length > 0 ? `default encryption is ${weak.join(", ")}, not aws:kms` : undefined;
      }),
  },
  {
    id: "S3-003",
    title: "S3 buckets have versioning enabled",
    rationale: "Versioning recovers overwritten or deleted objects (state files above all).",
    severity: "medium",
    external: { checkov: ["CKV_AWS_21"] },
    check: (context) =>
      perBucket(context, (bucket, stack) => {
        if (bool(block(bucket.config.versioning)?.enabled) === true) return undefined;
        const { nodes, uncertain } = companions(stack, "aws_s3_bucket_versioning", bucket);
        const statuses = nodes.map((n) => block(n.config.versioning_configuration)?.status);
        if (statuses.some((s) => s === "Enabled" || isToken(s))) return undefined;
        if (nodes.length === 0 && uncertain) return undefined;
        return nodes.length === 0
          ? "has no aws_s3_bucket_versioning"
          : `versioning status is ${statuses.map(String).join(", ")}, not Enabled`;
      }),
  },
  {
    id: "S3-004",
    title: "S3 buckets have a public access block with all four settings on",
    rationale: "Blocks public ACLs and policies even if a later change tries to add one.",
    severity: "critical",
    external: {
      checkov: ["CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56", "CKV2_AWS_6"],
      cdkNag: ["AwsSolutions-S2"],
    },
    check: (context) =>
      perBucket(context, (bucket, stack) => {
        const { nodes, uncertain } = companions(stack, "aws_s3_bucket_public_access_block", bucket);
        if (nodes.length === 0) return uncertain ? undefined : "has no aws_s3_bucket_public_access_block";
        const settings = [
          "block_public_acls",
          "block_public_policy",
          "ignore_public_acls",
          "restrict_public_buckets",
        ];
        const off = settings.filter((s) =>
          nodes.every((n) => !isToken(n.config[s]) && bool(n.config[s]) !== true),
        );
        return off.length > 0 ? `public access block leaves ${off.join(", ")} off` : undefined;
      }),
  },
  {
    id: "S3-005",
    title: "S3 bucket policies deny requests that do not use TLS",
    rationale:
      "A Deny on aws:SecureTransport=false keeps every client, including misconfigured ones, on HTTPS.",
    severity: "high",
    external: { checkov: ["CKV_AWS_379"], cdkNag: ["AwsSolutions-S10"] },
    check: (context) =>
      perBucket(context, (bucket, stack) => {
        const { values, uncertain } = bucketPolicies(bucket, stack);
        if (values.length === 0)
          return uncertain ? undefined : "has no bucket policy denying non-TLS requests";
        for (const value of values) {
          const read = readPolicy(value);
          if (read.status !== "ok") return undefined;
          const denies = read.statements.some(
            (s) =>
              s.effect === "Deny" &&
              s.principal?.wildcard === true &&
              s.actions.some((a) => a === "*" || a.toLowerCase() === "s3:*") &&
              conditionValues(s, "aws:SecureTransport").some(
                (c) => c.operator.startsWith("Bool") && c.values.includes("false"),
              ),
          );
          if (denies) return undefined;
        }
        return "bucket policy does not deny s3:* when aws:SecureTransport is false";
      }),
  },
  {
    id: "S3-006",
    title: "Terraform state buckets do not set force_destroy",
    rationale: "force_destroy lets a destroy delete every state version; state must outlive its stacks.",
    severity: "critical",
    external: {},
    check: (context) =>
      perBucket(context, (bucket) =>
        isStateBucket(bucket, context) && bool(bucket.config.force_destroy) === true
          ? "holds Terraform state and sets force_destroy = true"
          : undefined,
      ),
  },
  {
    id: "S3-007",
    title: "Terraform state buckets set lifecycle prevent_destroy",
    rationale: "A plan that would delete the state bucket must fail instead of running.",
    severity: "medium",
    external: {},
    check: (context) =>
      perBucket(context, (bucket) => {
        if (!isStateBucket(bucket, context)) return undefined;
        const prevent = block(bucket.config.lifecycle)?.prevent_destroy;
        return bool(prevent) === true || isToken(prevent)
          ? undefined
          : "holds Terraform state and lacks lifecycle.prevent_destroy = true";
      }),
  },
  {
    id: "S3-008",
    title: "S3 buckets disable ACLs (object ownership BucketOwnerEnforced)",
    rationale:
      "With ACLs off, access is decided by policies alone, and objects always belong to the bucket owner.",
    severity: "medium",
    external: { checkov: ["CKV2_AWS_65"] },
    check: (context) =>
      perBucket(context, (bucket, stack) => {
        const { nodes, uncertain } = companions(stack, "aws_s3_bucket_ownership_controls", bucket);
        if (nodes.length === 0) return uncertain ? undefined : "has no aws_s3_bucket_ownership_controls";
        const owners = nodes.flatMap((n) => blocks(n.config.rule).map((r) => r.object_ownership));
        return owners.some((o) => o === "BucketOwnerEnforced" || isToken(o))
          ? undefined
          : `object ownership is ${owners.map(String).join(", ")}, not BucketOwnerEnforced`;
      }),
  },
  {
    id: "S3-009",
    title: "S3 bucket policies grant nothing to every principal without a condition",
    rationale: "An unconditioned Allow for Principal * makes the bucket public.",
    severity: "critical",
    external: { checkov: ["CKV_AWS_70"] },
    check: (context) =>
      perBucket(context, (bucket, stack) => {
        for (const value of bucketPolicies(bucket, stack).values) {
          const read = readPolicy(value);
          if (read.status === "ok" && openStatements(read.statements).length > 0) {
            return "bucket policy allows Principal * without a condition";
          }
        }
        return undefined;
      }),
  },
  {
    id: "S3-010",
    title: "S3 buckets have server access logging",
    rationale:
      "Access logs record who read or changed objects; a log bucket itself may suppress this with a reason.",
    severity: "low",
    external: { checkov: ["CKV_AWS_18"], cdkNag: ["AwsSolutions-S1"] },
    check: (context) =>
      perBucket(context, (bucket, stack) => {
        if (block(bucket.config.logging)?.target_bucket !== undefined) return undefined;
        const { nodes, uncertain } = companions(stack, "aws_s3_bucket_logging", bucket);
        return nodes.length === 0 && !uncertain ? "has no aws_s3_bucket_logging" : undefined;
      }),
  },
  {
    id: "S3-011",
    title: "S3 buckets have a lifecycle configuration that aborts incomplete multipart uploads",
    rationale:
      "Abandoned multipart uploads are invisible and billed forever; old versions need an expiry too.",
    severity: "low",
    external: { checkov: ["CKV_AWS_300", "CKV2_AWS_61"] },
    check: (context) =>
      perBucket(context, (bucket, stack) => {
        const { nodes, uncertain } = companions(stack, "aws_s3_bucket_lifecycle_configuration", bucket);
        if (nodes.length === 0) return uncertain ? undefined : "has no aws_s3_bucket_lifecycle_configuration";
        const aborts = nodes.some((n) =>
          blocks(n.config.rule).some(
            (r) => r.status !== "Disabled" && block(r.abort_incomplete_multipart_upload) !== undefined,
          ),
        );
        return aborts
          ? undefined
          : "lifecycle configuration has no enabled abort_incomplete_multipart_upload rule";
      }),
  },
];
