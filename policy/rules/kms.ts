import {
  bool,
  conditionKeys,
  isAccountRoot,
  isToken,
  readPolicy,
  type Statement,
  type TfNode,
} from "../model";
import type { Rule, RuleContext, RuleHit } from "../types";

/** Key policies of the stack: the inline `policy` of `aws_kms_key` and every `aws_kms_key_policy`. */
function keyPolicies(context: RuleContext): { node: TfNode; statements: Statement[] }[] {
  const out: { node: TfNode; statements: Statement[] }[] = [];
  const holders = [
    ...context.stack.resources("aws_kms_key"),
    ...context.stack.resources("aws_kms_key_policy"),
  ];
  for (const node of holders) {
    const read = readPolicy(node.config.policy);
    if (read.status === "ok") out.push({ node, statements: read.statements });
  }
  return out;
}

function allowsEverything(statement: Statement): boolean {
  return statement.actions.some((a) => a === "*" || a.toLowerCase() === "kms:*");
}

/**
 * Condition keys that tie a service principal's use of a key to this account or to one resource.
 * Compared lower-cased; `kms:encryptioncontext:` matches every encryption-context key.
 */
export const SERVICE_PRINCIPAL_CONDITION_KEYS: readonly string[] = [
  "aws:sourceaccount",
  "aws:sourcearn",
  "aws:sourceorgid",
  "aws:sourceorgpaths",
  "kms:viaservice",
  "kms:calleraccount",
  "kms:encryptioncontext:",
  "kms:encryptioncontextkeys",
];

/**
 * Service principals that call KMS without any of the keys above, so no such condition exists for them.
 * Add an entry only with a link to the AWS documentation that says so.
 */
export const SERVICE_PRINCIPALS_WITHOUT_CONDITIONS: readonly string[] = [];

export const kmsRules: readonly Rule[] = [
  {
    id: "KMS-001",
    title: "Symmetric KMS keys have automatic rotation enabled",
    rationale: "Yearly rotation limits how much data one backing key protects.",
    severity: "high",
    external: { checkov: ["CKV_AWS_7"], cdkNag: ["AwsSolutions-KMS5"] },
    check: (context) => {
      const hits: RuleHit[] = [];
      for (const key of context.stack.resources("aws_kms_key")) {
        const spec = key.config.customer_master_key_spec;
        if (spec !== undefined && spec !== "SYMMETRIC_DEFAULT") continue;
        const rotation = key.config.enable_key_rotation;
        if (isToken(rotation) || bool(rotation) === true) continue;
        hits.push({ address: key.address, message: "enable_key_rotation is not true" });
      }
      return hits;
    },
  },
  {
    id: "KMS-002",
    title: "KMS keys have an explicit key policy",
    rationale:
      "The default key policy delegates everything to IAM; an explicit policy says who may use the key.",
    severity: "high",
    external: { checkov: ["CKV2_AWS_64"] },
    check: (context) => {
      const { stack } = context;
      const policies = stack.resources("aws_kms_key_policy");
      const uncertain = policies.some((p) => stack.isOpaque(p.config.key_id));
      return stack
        .resources("aws_kms_key")
        .filter((key) => key.config.policy === undefined)
        .filter((key) => !policies.some((p) => stack.pointsTo(p.config.key_id, key)))
        .filter(() => !uncertain)
        .map((key) => ({ address: key.address, message: "has no policy and no aws_kms_key_policy" }));
    },
  },
  {
    id: "KMS-003",
    title: "Key policies grant kms:* only to the account root",
    rationale:
      "Full key control belongs to the account (delegated through IAM), never to one role or service.",
    severity: "high",
    external: {},
    check: (context) =>
      keyPolicies(context).flatMap(({ node, statements }) =>
        statements
          .filter((s) => s.effect === "Allow" && allowsEverything(s) && s.principal !== undefined)
          .filter((s) => {
            const p = s.principal!;
            const onlyRoot = !p.wildcard && p.service.length === 0 && p.federated.length === 0;
            return !(onlyRoot && p.aws.length > 0 && p.aws.every(isAccountRoot));
          })
          .map(() => ({
            address: node.address,
            message: "grants kms:* to a principal other than the account root",
          })),
      ),
  },
  {
    id: "KMS-004",
    title: "Key policies do not allow Principal * without a condition",
    rationale: "A wildcard principal with no condition lets any AWS account use the key.",
    severity: "critical",
    external: { checkov: ["CKV_AWS_33"] },
    check: (context) =>
      keyPolicies(context).flatMap(({ node, statements }) =>
        statements
          .filter((s) => s.effect === "Allow" && s.principal?.wildcard === true)
          .filter((s) => Object.keys(s.conditions).length === 0)
          .map(() => ({ address: node.address, message: "allows Principal * without a condition" })),
      ),
  },
  {
    id: "KMS-005",
    title: "Key policy grants to service principals are constrained by a source or context condition",
    rationale:
      "aws:SourceAccount/aws:SourceArn/kms:ViaService/kms:EncryptionContext stop other accounts' resources using the key through the same service (confused deputy).",
    severity: "high",
    external: {},
    check: (context) =>
      keyPolicies(context).flatMap(({ node, statements }) =>
        statements
          .filter((s) => s.effect === "Allow" && (s.principal?.service.length ?? 0) > 0)
          .filter(
            (s) => !s.principal!.service.every((svc) => SERVICE_PRINCIPALS_WITHOUT_CONDITIONS.includes(svc)),
          )
          .filter(
            (s) =>
              !conditionKeys(s).some((key) =>
                SERVICE_PRINCIPAL_CONDITION_KEYS.some((allowed) =>
                  allowed.endsWith(":") ? key.startsWith(allowed) : key === allowed,
                ),
              ),
          )
          .map((s) => ({
            address: node.address,
            message: `grants ${s.principal!.service.join(", ")} without an aws:SourceAccount, aws:SourceArn, kms:ViaService or kms:EncryptionContext condition`,
          })),
      ),
  },
];
