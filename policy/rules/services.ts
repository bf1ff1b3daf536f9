import { block, blocks, bool, isToken, num, type TfNode } from "../model";
import type { Rule, RuleHit } from "../types";
import { CANARY_RUNTIMES, LAMBDA_RUNTIMES, RUNTIME_NOTICE_DAYS, runtimeProblem } from "./runtimes";
import { looksLikeSecretName } from "./secret-names";

const blank = (v: unknown) => v === undefined || v === null || v === "";

/** Rotation interval in days from `rotation_rules`, `undefined` when not expressed in days. */
function rotationDays(rotation: TfNode): number | undefined {
  const rules = block(rotation.config.rotation_rules);
  const days = num(rules?.automatically_after_days);
  if (days !== undefined) return days;
  const rate =
    typeof rules?.schedule_expression === "string"
      ? /^rate\((\d+) days?\)$/.exec(rules.schedule_expression)
      : null;
  return rate ? Number(rate[1]) : undefined;
}

/** Data sources whose result is a secret value. */
const SECRET_DATA_SOURCES = [
  "aws_secretsmanager_secret_version",
  "aws_secretsmanager_secret_versions",
  "aws_secretsmanager_random_password",
  "aws_kms_secrets",
  "aws_kms_secret",
];

/** Maximum rotation interval, in days, for secrets Secrets Manager rotates. */
export const MAX_ROTATION_DAYS = 90;

export const serviceRules: readonly Rule[] = [
  {
    id: "SM-001",
    title: "Secrets Manager secrets are encrypted with a customer managed KMS key",
    rationale: "A CMK's key policy decides who may decrypt, independently of IAM on the secret.",
    severity: "medium",
    external: { checkov: ["CKV_AWS_149"] },
    check: (context) =>
      context.stack
        .resources("aws_secretsmanager_secret")
        .filter((s) => blank(s.config.kms_key_id) || s.config.kms_key_id === "alias/aws/secretsmanager")
        .map((s) => ({ address: s.address, message: "kms_key_id is not a customer managed key" })),
  },
  {
    id: "SM-002",
    title: "Secrets Manager secrets have automatic rotation",
    rationale:
      "Rotation bounds how long a leaked value works; secrets rotated by other means suppress this with a reason.",
    severity: "medium",
    external: { checkov: ["CKV2_AWS_57"], cdkNag: ["AwsSolutions-SMG4"] },
    check: (context) => {
      const { stack } = context;
      const rotations = stack.resources("aws_secretsmanager_secret_rotation");
      if (rotations.some((r) => stack.isOpaque(r.config.secret_id))) return [];
      return stack
        .resources("aws_secretsmanager_secret")
        .filter((s) => !rotations.some((r) => stack.pointsTo(r.config.secret_id, s)))
        .map((s) => ({ address: s.address, message: "has no aws_secretsmanager_secret_rotation" }));
    },
  },
  {
    id: "SM-003",
    title: `Secret rotation runs at least every ${MAX_ROTATION_DAYS} days`,
    rationale: "A rotation schedule measured in quarters or years gives a leaked value a long life.",
    severity: "low",
    external: { checkov: ["CKV_AWS_304"] },
    check: (context) =>
      context.stack
        .resources("aws_secretsmanager_secret_rotation")
        .filter((r) => (rotationDays(r) ?? 0) > MAX_ROTATION_DAYS)
        .map((r) => ({ address: r.address, message: `rotates every ${rotationDays(r)} days` })),
  },
  {
    id: "LAMBDA-001",
    title: "Lambda functions have active X-Ray tracing",
    rationale: "Traces show where a failing invocation spent its time and which AWS calls it made.",
    severity: "low",
    external: { checkov: ["CKV_AWS_50"] },
    check: (context) =>
      context.stack
        .resources("aws_lambda_function")
        .filter((f) => {
          const mode = block(f.config.tracing_config)?.mode;
          return !isToken(mode) && mode !== "Active";
        })
        .map((f) => ({ address: f.address, message: "tracing_config.mode is not Active" })),
  },
  {
    id: "LAMBDA-002",
    title: "Lambda permissions are not granted to every principal",
    rationale: "principal = * lets any AWS account invoke the function.",
    severity: "critical",
    external: { checkov: ["CKV_AWS_301"] },
    check: (context) =>
      context.stack
        .resources("aws_lambda_permission")
        .filter((p) => p.config.principal === "*")
        .map((p) => ({ address: p.address, message: "principal is *" })),
  },
  {
    id: "LAMBDA-003",
    title: "Lambda permissions for AWS services name the source ARN or account",
    rationale:
      "Without source_arn/source_account, another account's resource of the same service can invoke the function.",
    severity: "high",
    external: { checkov: ["CKV_AWS_364"] },
    check: (context) =>
      context.stack
        .resources("aws_lambda_permission")
        .filter(
          (p) => typeof p.config.principal === "string" && p.config.principal.endsWith(".amazonaws.com"),
        )
        .filter((p) => blank(p.config.source_arn) && blank(p.config.source_account))
        .map((p) => ({
          address: p.address,
          message: `grants ${p.config.principal} without source_arn or source_account`,
        })),
  },
  {
    id: "LAMBDA-004",
    title: "Lambda environment variables carry no credentials",
    rationale:
      "Environment values are readable by anyone with lambda:GetFunctionConfiguration; read secrets at run time.",
    severity: "high",
    external: { checkov: ["CKV_AWS_45"] },
    check: (context) =>
      context.stack
        .resources("aws_lambda_function")
        .map((f) => ({
          f,
          names: Object.keys(block(block(f.config.environment)?.variables) ?? {}).filter(looksLikeSecretName),
        }))
        .filter(({ names }) => names.length > 0)
        .map(({ f, names }) => ({ address: f.address, message: `environment sets ${names.join(", ")}` })),
  },
  {
    id: "LAMBDA-005",
    title: "Lambda functions with environment variables encrypt them with a customer managed key",
    rationale: "A CMK puts reading the configuration behind a key policy.",
    severity: "low",
    external: { checkov: ["CKV_AWS_173"] },
    check: (context) =>
      context.stack
        .resources("aws_lambda_function")
        .filter((f) => Object.keys(block(block(f.config.environment)?.variables) ?? {}).length > 0)
        .filter((f) => blank(f.config.kms_key_arn))
        .map((f) => ({ address: f.address, message: "has environment variables but no kms_key_arn" })),
  },
  {
    id: "LAMBDA-006",
    title: `Lambda runtimes are supported and more than ${RUNTIME_NOTICE_DAYS} days from AWS blocking updates`,
    rationale:
      "AWS refuses to create or update functions on a blocked runtime, so the next deploy of any change fails.",
    severity: "high",
    external: {},
    check: (context) =>
      context.stack.resources("aws_lambda_function").flatMap((f) => {
        const runtime = f.config.runtime;
        if (typeof runtime !== "string" || isToken(runtime)) return [];
        const problem = runtimeProblem(LAMBDA_RUNTIMES, runtime, context.today);
        return problem ? [{ address: f.address, message: problem }] : [];
      }),
  },
  {
    id: "CANARY-001",
    title: "Synthetics canary runtimes are supported",
    rationale: "A canary on a deprecated runtime cannot be created or changed, so its next deploy fails.",
    severity: "high",
    external: {},
    check: (context) =>
      context.stack.resources("aws_synthetics_canary").flatMap((c) => {
        const runtime = c.config.runtime_version;
        if (typeof runtime !== "string" || isToken(runtime)) return [];
        const problem = runtimeProblem(CANARY_RUNTIMES, runtime, context.today);
        return problem ? [{ address: c.address, message: problem }] : [];
      }),
  },
  {
    id: "SECRET-001",
    title: "Secret values are read through ephemeral resources, never data sources",
    rationale:
      "A data source stores what it reads in the state file and plan files; an ephemeral resource keeps the value out of both.",
    severity: "high",
    external: {},
    check: (context) =>
      context.stack.nodes
        .filter((n) => n.kind === "data")
        .filter(
          (n) =>
            SECRET_DATA_SOURCES.includes(n.type) ||
            (n.type === "aws_ssm_parameter" && n.config.with_decryption !== false) ||
            (n.type === "aws_ssm_parameters_by_path" && n.config.with_decryption !== false),
        )
        .map((n) => ({
          address: n.address,
          message: `${n.type} puts the secret value into the state; read it with an ephemeral resource`,
        })),
  },
  {
    id: "EB-001",
    title: "EventBridge rules have at least one target",
    rationale: "A rule without a target (for example a rotation schedule) silently does nothing.",
    severity: "medium",
    external: {},
    check: (context) => {
      const { stack } = context;
      const targets = stack.resources("aws_cloudwatch_event_target");
      if (targets.some((t) => stack.isOpaque(t.config.rule))) return [];
      return stack
        .resources("aws_cloudwatch_event_rule")
        .filter((r) => !targets.some((t) => stack.pointsTo(t.config.rule, r, ["name"])))
        .map((r) => ({ address: r.address, message: "has no aws_cloudwatch_event_target" }));
    },
  },
  {
    id: "EB-002",
    title: "Lambda targets of EventBridge rules have an invoke permission scoped to that rule",
    rationale:
      "Without lambda:InvokeFunction for events.amazonaws.com and the rule's ARN the schedule fails on every run.",
    severity: "medium",
    external: {},
    check: (context) => {
      const { stack } = context;
      const hits: RuleHit[] = [];
      const permissions = stack.resources("aws_lambda_permission");
      if (
        permissions.some((p) => stack.isOpaque(p.config.function_name) || stack.isOpaque(p.config.source_arn))
      ) {
        return hits;
      }
      for (const target of stack.resources("aws_cloudwatch_event_target")) {
        const fn = stack.resolve(target.config.arn);
        const rule = stack.resolve(target.config.rule);
        if (fn?.type !== "aws_lambda_function" || rule?.type !== "aws_cloudwatch_event_rule") continue;
        const allowed = permissions.some(
          (p) =>
            p.config.principal === "events.amazonaws.com" &&
            stack.pointsTo(p.config.function_name, fn, ["function_name"]) &&
            stack.pointsTo(p.config.source_arn, rule),
        );
        if (!allowed) {
          hits.push({
            address: target.address,
            message: `${fn.address} has no events.amazonaws.com permission for ${rule.address}`,
          });
        }
      }
      return hits;
    },
  },
  {
    id: "DDB-001",
    title: "DynamoDB tables have point-in-time recovery",
    rationale: "PITR restores a table to any second of the last 35 days after a bad write.",
    severity: "medium",
    external: { checkov: ["CKV_AWS_28"], cdkNag: ["AwsSolutions-DDB3"] },
    check: (context) =>
      context.stack
        .resources("aws_dynamodb_table")
        .filter((t) => {
          const enabled = block(t.config.point_in_time_recovery)?.enabled;
          return !isToken(enabled) && bool(enabled) !== true;
        })
        .map((t) => ({ address: t.address, message: "point_in_time_recovery is not enabled" })),
  },
  {
    id: "DDB-002",
    title: "DynamoDB tables are encrypted with a customer managed KMS key",
    rationale: "A CMK puts reading the table's data behind a key policy.",
    severity: "low",
    external: { checkov: ["CKV_AWS_119"] },
    check: (context) =>
      context.stack
        .resources("aws_dynamodb_table")
        .filter((t) => {
          const sse = block(t.config.server_side_encryption);
          return bool(sse?.enabled) !== true || blank(sse?.kms_key_arn);
        })
        .map((t) => ({ address: t.address, message: "server_side_encryption does not name a kms_key_arn" })),
  },
  {
    id: "DDB-003",
    title: "DynamoDB tables have deletion protection",
    rationale: "A table holding state (locks, tokens) must not disappear with a mistaken destroy.",
    severity: "medium",
    external: {},
    check: (context) =>
      context.stack
        .resources("aws_dynamodb_table")
        .filter((t) => !isToken(t.config.deletion_protection_enabled))
        .filter((t) => bool(t.config.deletion_protection_enabled) !== true)
        .map((t) => ({ address: t.address, message: "deletion_protection_enabled is not true" })),
  },
  {
    id: "GRAF-001",
    title: "Grafana workspaces authenticate through IAM Identity Center or SAML only",
    rationale: "Sign-in must go through the organisation's identity provider.",
    severity: "high",
    external: {},
    check: (context) =>
      context.stack
        .resources("aws_grafana_workspace")
        .filter((w) => !isToken(w.config.authentication_providers))
        .filter((w) => {
          const providers = Array.isArray(w.config.authentication_providers)
            ? w.config.authentication_providers
            : [];
          return providers.length === 0 || providers.some((p: unknown) => p !== "AWS_SSO" && p !== "SAML");
        })
        .map((w) => ({
          address: w.address,
          message: "authentication_providers must be AWS_SSO and/or SAML",
        })),
  },
  {
    id: "AMP-001",
    title: "Managed Prometheus workspaces send their logs to CloudWatch",
    rationale: "Rule and alert-manager evaluation errors are only visible in the workspace's logs.",
    severity: "low",
    external: {},
    check: (context) =>
      context.stack
        .resources("aws_prometheus_workspace")
        .filter((w) => blank(blocks(w.config.logging_configuration)[0]?.log_group_arn))
        .map((w) => ({ address: w.address, message: "has no logging_configuration" })),
  },
];
