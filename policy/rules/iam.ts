import {
  actionMatches,
  blocks,
  conditionKeys,
  conditionValues,
  isToken,
  readPolicy,
  type StackModel,
  type Statement,
  strings,
  type TfNode,
} from "../model";
import type { Rule, RuleContext, RuleHit } from "../types";

/**
 * Actions AWS does not let a policy scope to a resource, so `"Resource": "*"` is the only form that
 * works. A statement may use `*` as its resource only when every action is listed here (exactly, or
 * matched by an entry that itself ends in `*`). Keep entries to actions whose service authorization
 * reference lists no resource type.
 */
export const UNSCOPABLE_ACTIONS: readonly string[] = [
  "ecr:GetAuthorizationToken",
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:DescribeResourcePolicies",
  "logs:DeleteResourcePolicy",
  "logs:DescribeLogGroups",
  "cloudwatch:PutMetricData",
  "cloudwatch:GetMetricData",
  "cloudwatch:GetMetricStatistics",
  "cloudwatch:ListMetrics",
  "xray:Put*",
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSampling*",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "xray:GetSamplingStatisticSummaries",
  "sts:GetCallerIdentity",
  "s3:ListAllMyBuckets",
  "ec2:Describe*",
  "ec2:CreateNetworkInterface",
  "ec2:DeleteNetworkInterface",
  "ec2:AssignPrivateIpAddresses",
  "ec2:UnassignPrivateIpAddresses",
  "ecs:RegisterTaskDefinition",
  "ecs:DeregisterTaskDefinition",
  "ecs:DescribeTaskDefinition",
  "ecs:ListTaskDefinitions",
  "ecs:ListClusters",
  "elasticloadbalancing:Describe*",
  "kms:ListAliases",
  "kms:ListKeys",
  "secretsmanager:GetRandomPassword",
  "secretsmanager:ListSecrets",
  "ssm:DescribeParameters",
  "sns:ListTopics",
  "aps:ListWorkspaces",
  "grafana:ListWorkspaces",
  "tag:GetResources",
  "acm:ListCertificates",
  "iam:ListOpenIDConnectProviders",
  "iam:ListRoles",
  "iam:ListPolicies",
];

/** AWS managed policies that grant administrator-level or IAM-wide power. */
export const FORBIDDEN_MANAGED_POLICIES: readonly string[] = [
  "AdministratorAccess",
  "IAMFullAccess",
  "PowerUserAccess",
  "SecretsManagerReadWrite",
];

function isUnscopable(action: string): boolean {
  return UNSCOPABLE_ACTIONS.some(
    (entry) =>
      entry.toLowerCase() === action.toLowerCase() || (!action.includes("*") && actionMatches(entry, action)),
  );
}

interface PolicyHolder {
  readonly node: TfNode;
  /** Which attribute of the node holds the document, for messages. */
  readonly attribute: string;
  readonly value: unknown;
}

/**
 * Managed policies used only as permissions boundaries: a boundary caps what a role may do and grants
 * nothing, so the identity-grant rules do not apply to it. A policy that is also attached anywhere
 * is an identity policy too.
 */
export function boundaryOnlyPolicies(stack: StackModel): Set<string> {
  const boundaries = strings(stack.resources("aws_iam_role").map((r) => r.config.permissions_boundary));
  const attached = [
    ...stack.resources("aws_iam_role_policy_attachment"),
    ...stack.resources("aws_iam_policy_attachment"),
    ...stack.resources("aws_iam_user_policy_attachment"),
    ...stack.resources("aws_iam_group_policy_attachment"),
  ];
  const out = new Set<string>();
  for (const policy of stack.resources("aws_iam_policy")) {
    const name = policy.config.name;
    if (typeof name !== "string" || isToken(name)) continue;
    const isBoundary = boundaries.some(
      (arn) => arn === `\${${policy.address}.arn}` || arn.endsWith(`:policy/${name}`),
    );
    const isAttached = attached.some(
      (a) =>
        a.config.policy_arn === `\${${policy.address}.arn}` ||
        (typeof a.config.policy_arn === "string" && a.config.policy_arn.endsWith(`:policy/${name}`)),
    );
    if (isBoundary && !isAttached) out.add(policy.address);
  }
  return out;
}

/** Identity policies: role/user/group inline policies and managed policies (boundaries excluded). */
function identityPolicies(stack: StackModel): PolicyHolder[] {
  const out: PolicyHolder[] = [];
  const boundaries = boundaryOnlyPolicies(stack);
  for (const type of [
    "aws_iam_role_policy",
    "aws_iam_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
  ]) {
    for (const node of stack.resources(type)) {
      if (boundaries.has(node.address)) continue;
      out.push({ node, attribute: "policy", value: node.config.policy });
    }
  }
  for (const role of stack.resources("aws_iam_role")) {
    for (const inline of blocks(role.config.inline_policy)) {
      out.push({ node: role, attribute: "inline_policy", value: inline.policy });
    }
  }
  return out;
}

/** Every attribute in the stack that holds an IAM-style policy document. */
function allPolicies(stack: StackModel): PolicyHolder[] {
  const out = identityPolicies(stack);
  for (const role of stack.resources("aws_iam_role")) {
    out.push({ node: role, attribute: "assume_role_policy", value: role.config.assume_role_policy });
  }
  const resourcePolicies: Record<string, string> = {
    aws_kms_key: "policy",
    aws_kms_key_policy: "policy",
    aws_s3_bucket_policy: "policy",
    aws_sns_topic: "policy",
    aws_sns_topic_policy: "policy",
    aws_ecr_repository_policy: "policy",
    aws_secretsmanager_secret: "policy",
    aws_secretsmanager_secret_policy: "policy",
    aws_sqs_queue_policy: "policy",
  };
  for (const [type, attribute] of Object.entries(resourcePolicies)) {
    for (const node of stack.resources(type)) {
      if (node.config[attribute] !== undefined) out.push({ node, attribute, value: node.config[attribute] });
    }
  }
  return out;
}

/** Runs `test` over every Allow statement of every identity policy. */
function identityStatements(
  context: RuleContext,
  test: (statement: Statement) => string | undefined,
): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const holder of identityPolicies(context.stack)) {
    const read = readPolicy(holder.value);
    if (read.status !== "ok") continue;
    for (const statement of read.statements.filter((s) => s.effect === "Allow")) {
      const message = test(statement);
      if (message) hits.push({ address: holder.node.address, message });
    }
  }
  return hits;
}

/** Trust policies of roles, parsed. */
function trustStatements(context: RuleContext): { role: TfNode; statement: Statement }[] {
  const out: { role: TfNode; statement: Statement }[] = [];
  for (const role of context.stack.resources("aws_iam_role")) {
    const read = readPolicy(role.config.assume_role_policy);
    if (read.status !== "ok") continue;
    for (const statement of read.statements) out.push({ role, statement });
  }
  return out;
}

/** The OIDC issuer host a federated principal names (`token.actions.githubusercontent.com`), if known. */
function oidcHost(stack: StackModel, federated: string): string | undefined {
  const provider = stack.resolve(federated);
  if (provider?.type === "aws_iam_openid_connect_provider") {
    const url = provider.config.url;
    return typeof url === "string" && !isToken(url)
      ? url.replace(/^https:\/\//, "").replace(/\/$/, "")
      : undefined;
  }
  const match = /:oidc-provider\/(.+)$/.exec(federated);
  return match && !isToken(match[1]) ? match[1] : undefined;
}

const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
const GITHUB_REPO_SUBJECT = /^repo:[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(:.+)?$/;

export const iamRules: readonly Rule[] = [
  {
    id: "IAM-001",
    title: 'Identity policies never allow the action "*"',
    rationale: "A wildcard action is administrator access on whatever the resource list covers.",
    severity: "critical",
    external: { checkov: ["CKV_AWS_62", "CKV_AWS_63"] },
    check: (context) =>
      identityStatements(context, (s) =>
        s.actions.some((a) => a === "*" || a === "*:*") ? 'allows the action "*"' : undefined,
      ),
  },
  {
    id: "IAM-002",
    title: "Identity policies do not allow whole services (service:*)",
    rationale: "Service-wide wildcards grant actions nobody reviewed, including ones AWS adds later.",
    severity: "high",
    external: { cdkNag: ["AwsSolutions-IAM5"] },
    check: (context) =>
      identityStatements(context, (s) => {
        const wide = s.actions.filter((a) => /^[a-z0-9-]+:\*$/i.test(a));
        return wide.length > 0 ? `allows ${wide.join(", ")}` : undefined;
      }),
  },
  {
    id: "IAM-003",
    title: 'Statements with Resource "*" contain only actions AWS cannot scope to a resource',
    rationale: "Every scopable action must name its resources; the allowlist holds the few that cannot.",
    severity: "high",
    external: { checkov: ["CKV_AWS_355", "CKV_AWS_356"], cdkNag: ["AwsSolutions-IAM5"] },
    check: (context) =>
      identityStatements(context, (s) => {
        if (!s.resources.includes("*")) return undefined;
        const scopable = s.actions.filter((a) => !isUnscopable(a));
        return scopable.length > 0 ? `allows ${scopable.join(", ")} on Resource "*"` : undefined;
      }),
  },
  {
    id: "IAM-004",
    title: "Identity policies do not Allow with NotAction or NotResource",
    rationale: "An Allow with NotAction/NotResource grants everything except a list, which grows with AWS.",
    severity: "high",
    external: {},
    check: (context) =>
      identityStatements(context, (s) =>
        s.notActions.length > 0 || s.notResources.length > 0
          ? "allows with NotAction or NotResource"
          : undefined,
      ),
  },
  {
    id: "IAM-005",
    title: 'iam:PassRole is never allowed on Resource "*"',
    rationale: "Passing any role lets the holder hand itself the most powerful role in the account.",
    severity: "critical",
    external: { checkov: ["CKV_AWS_286"] },
    check: (context) =>
      identityStatements(context, (s) => {
        const passes = s.actions.some((a) => actionMatches(a, "iam:PassRole"));
        const anyRole = s.resources.some(
          (r) => r === "*" || /:role\/\*$/.test(r) || /^arn:[^:]*:iam::\*:/.test(r),
        );
        return passes && anyRole ? "allows iam:PassRole on any role" : undefined;
      }),
  },
  {
    id: "IAM-006",
    title: "Role trust policies do not trust Principal *",
    rationale: "A role that trusts * can be assumed from any AWS account.",
    severity: "critical",
    external: { checkov: ["CKV_AWS_60"] },
    check: (context) =>
      trustStatements(context)
        .filter(({ statement }) => statement.effect === "Allow" && statement.principal?.wildcard === true)
        .map(({ role }) => ({ address: role.address, message: "assume_role_policy trusts Principal *" })),
  },
  {
    id: "IAM-007",
    title: "OIDC trust policies pin the audience and a specific subject (GitHub: one org/repo)",
    rationale:
      "Without sub/aud conditions any repository or workload of the identity provider can assume the role.",
    severity: "critical",
    external: { checkov: ["CKV_AWS_358"] },
    check: (context) => {
      const hits: RuleHit[] = [];
      for (const { role, statement } of trustStatements(context)) {
        if (statement.effect !== "Allow") continue;
        for (const federated of statement.principal?.federated ?? []) {
          if (/:saml-provider\//.test(federated)) continue;
          const host = oidcHost(context.stack, federated);
          const key = (suffix: string) =>
            host
              ? conditionValues(statement, `${host}:${suffix}`)
              : Object.values(statement.conditions).flatMap((byKey) =>
                  Object.entries(byKey)
                    .filter(([k]) => k.toLowerCase().endsWith(`:${suffix}`))
                    .map(([, v]) => ({ operator: "", values: strings(v) })),
                );
          const subjects = key("sub").flatMap((c) => c.values);
          const audiences = key("aud").flatMap((c) => c.values);
          if (audiences.length === 0) {
            hits.push({
              address: role.address,
              message: `trusts ${host ?? "an OIDC provider"} without an :aud condition`,
            });
          }
          if (subjects.length === 0 || subjects.some((v) => v === "*" || v === "repo:*")) {
            hits.push({
              address: role.address,
              message: `trusts ${host ?? "an OIDC provider"} without a specific :sub condition`,
            });
          } else if (host === GITHUB_OIDC_HOST && !subjects.every((v) => GITHUB_REPO_SUBJECT.test(v))) {
            hits.push({
              address: role.address,
              message:
                "GitHub OIDC subject must name one organisation and repository (repo:<org>/<repo>:...)",
            });
          }
        }
      }
      return hits;
    },
  },
  {
    id: "IAM-008",
    title:
      "Roles do not carry AdministratorAccess, IAMFullAccess, PowerUserAccess or SecretsManagerReadWrite",
    rationale: "These AWS managed policies grant account-wide power that no workload role needs.",
    severity: "critical",
    external: { checkov: ["CKV_AWS_274", "CKV2_AWS_56"] },
    check: (context) => {
      const forbidden = (arn: unknown) =>
        typeof arn === "string" && FORBIDDEN_MANAGED_POLICIES.some((p) => arn.endsWith(`:policy/${p}`));
      const hits: RuleHit[] = [];
      for (const type of [
        "aws_iam_role_policy_attachment",
        "aws_iam_policy_attachment",
        "aws_iam_user_policy_attachment",
        "aws_iam_group_policy_attachment",
      ]) {
        for (const node of context.stack.resources(type)) {
          if (forbidden(node.config.policy_arn)) {
            hits.push({ address: node.address, message: `attaches ${node.config.policy_arn}` });
          }
        }
      }
      for (const role of context.stack.resources("aws_iam_role")) {
        for (const arn of strings(role.config.managed_policy_arns).filter(forbidden)) {
          hits.push({ address: role.address, message: `attaches ${arn}` });
        }
      }
      return hits;
    },
  },
  {
    id: "IAM-009",
    title: "Policy documents are JSON strings the policy suite can read",
    rationale:
      "A document that is an expression (data aws_iam_policy_document, jsonencode) hides its statements from every rule; build it with policyDocument().",
    severity: "medium",
    external: {},
    check: (context) =>
      allPolicies(context.stack)
        .map((holder) => ({ holder, read: readPolicy(holder.value) }))
        .filter(({ read }) => read.status === "unknown" || read.status === "invalid")
        .map(({ holder, read }) => ({
          address: holder.node.address,
          message:
            read.status === "unknown"
              ? `${holder.attribute} is an expression, not a readable JSON document`
              : `${holder.attribute} is not valid JSON`,
        })),
  },
  {
    id: "IAM-010",
    title: "Role creation and role policy changes are allowed only with a permissions boundary condition",
    rationale:
      "CreateRole, PutRolePolicy, AttachRolePolicy or PutRolePermissionsBoundary without iam:PermissionsBoundary lets the holder mint a role more powerful than itself, whatever the Resource.",
    severity: "critical",
    external: {},
    check: (context) =>
      identityStatements(context, (statement) => {
        const risky = ESCALATING_ROLE_ACTIONS.filter((a) => allowsAction(statement, a));
        if (risky.length === 0) return undefined;
        const bounded = conditionValues(statement, "iam:PermissionsBoundary").some(
          (c) => c.operator === "StringEquals" || c.operator === "ArnEquals",
        );
        return bounded
          ? undefined
          : `allows ${risky.join(", ")} without an iam:PermissionsBoundary condition`;
      }),
  },
  {
    id: "IAM-011",
    title: "iam:PassRole is allowed only with an iam:PassedToService condition",
    rationale:
      "Without PassedToService a role can be handed to any service (an EC2 instance, a Lambda function) that then acts with its permissions.",
    severity: "high",
    external: {},
    check: (context) =>
      identityStatements(context, (statement) =>
        allowsAction(statement, "iam:PassRole") &&
        conditionValues(statement, "iam:PassedToService").length === 0
          ? "allows iam:PassRole without an iam:PassedToService condition"
          : undefined,
      ),
  },
  {
    id: "IAM-012",
    title: "Identity policies do not allow editing role trust policies",
    rationale:
      "UpdateAssumeRolePolicy lets the holder make any role it can reach assumable by itself or by another account.",
    severity: "high",
    external: {},
    check: (context) =>
      identityStatements(context, (statement) =>
        allowsAction(statement, "iam:UpdateAssumeRolePolicy")
          ? "allows iam:UpdateAssumeRolePolicy"
          : undefined,
      ),
  },
  {
    id: "IAM-013",
    title: "Roles trusted by a wildcard OIDC subject (StringLike) cannot write",
    rationale:
      "A wildcard subject admits every branch and pull request of the repository; such a role must be read-only.",
    severity: "high",
    external: {},
    check: (context) => {
      const hits: RuleHit[] = [];
      for (const { role, statement } of trustStatements(context)) {
        if (statement.effect !== "Allow" || statement.principal?.federated.length === 0) continue;
        const wildcard = conditionValues(statement, `${GITHUB_OIDC_HOST}:sub`)
          .concat(
            ...statement.principal!.federated.map((f) =>
              conditionValues(statement, `${oidcHost(context.stack, f) ?? ""}:sub`),
            ),
          )
          .some(
            (c) =>
              c.operator.includes("StringLike") && c.values.some((v) => v.includes("*") || v.includes("?")),
          );
        if (!wildcard) continue;
        const writes = writeGrants(context.stack, role);
        if (writes.length > 0) {
          hits.push({
            address: role.address,
            message: `is trusted by a wildcard OIDC subject and can write (${writes.slice(0, 3).join(", ")})`,
          });
        }
      }
      return hits;
    },
  },
  {
    id: "IAM-014",
    title: "Trust and resource policies name no principal of another account",
    rationale:
      "An account ID or ARN of another account in a trust, key, bucket, topic or secret policy hands access outside the environment's account.",
    severity: "high",
    external: { checkov: ["CKV_AWS_60"] },
    check: (context) => {
      const allowed = new Set(
        (context.stack.json.provider as Record<string, any> | undefined)?.aws?.flatMap?.((p: any) =>
          strings(p.allowed_account_ids),
        ) ?? [],
      );
      const hits: RuleHit[] = [];
      for (const holder of trustAndResourcePolicies(context.stack)) {
        const read = readPolicy(holder.value);
        if (read.status !== "ok") continue;
        for (const statement of read.statements.filter((st) => st.effect === "Allow")) {
          for (const principal of statement.principal?.aws ?? []) {
            const account = literalAccount(principal);
            if (account !== undefined && !allowed.has(account)) {
              hits.push({
                address: holder.node.address,
                message: `${holder.attribute} names account ${account} (${principal})`,
              });
            }
          }
        }
      }
      return hits;
    },
  },
  {
    id: "IAM-015",
    title:
      "Resource policies allow Principal * only when a source, account, organization or endpoint condition narrows it",
    rationale:
      "Principal * means anyone on the internet unless aws:SourceArn, aws:SourceAccount, aws:PrincipalAccount, aws:PrincipalOrgID, aws:SourceVpce or kms:CallerAccount pins it down.",
    severity: "critical",
    external: {},
    check: (context) => {
      const hits: RuleHit[] = [];
      for (const holder of trustAndResourcePolicies(context.stack)) {
        const read = readPolicy(holder.value);
        if (read.status !== "ok") continue;
        for (const statement of read.statements) {
          const open =
            statement.effect === "Allow" &&
            !statement.notPrincipal &&
            (statement.principal?.wildcard === true || (statement.principal?.aws ?? []).includes("*"));
          if (!open) continue;
          const keys = conditionKeys(statement);
          if (!PRINCIPAL_NARROWING_KEYS.some((k) => keys.includes(k))) {
            hits.push({
              address: holder.node.address,
              message: `${holder.attribute} allows Principal * without ${PRINCIPAL_NARROWING_KEYS.join(", ")}`,
            });
          }
        }
      }
      return hits;
    },
  },
];

/** Actions that create a role or change what a role may do. */
const ESCALATING_ROLE_ACTIONS = [
  "iam:CreateRole",
  "iam:PutRolePolicy",
  "iam:AttachRolePolicy",
  "iam:PutRolePermissionsBoundary",
];

/** Condition keys that turn `Principal: *` into a bounded grant (lower case). */
const PRINCIPAL_NARROWING_KEYS = [
  "aws:sourcearn",
  "aws:sourceaccount",
  "aws:principalaccount",
  "aws:principalorgid",
  "aws:sourcevpce",
  "kms:calleraccount",
];

/** Whether an Allow statement's actions include `action` (wildcards and NotAction included). */
function allowsAction(statement: Statement, action: string): boolean {
  if (statement.notActions.length > 0) return !statement.notActions.some((p) => actionMatches(p, action));
  return statement.actions.some((p) => actionMatches(p, action));
}

/** Trust policies and the resource policies of keys, buckets, topics, queues, secrets and repositories. */
function trustAndResourcePolicies(stack: StackModel): PolicyHolder[] {
  const identity = new Set(identityPolicies(stack).map((h) => `${h.node.address}\u0000${h.attribute}`));
  return allPolicies(stack).filter((h) => !identity.has(`${h.node.address}\u0000${h.attribute}`));
}

/** The literal account a principal names (`123456789012`, `arn:aws:iam::123456789012:...`); none for references. */
function literalAccount(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  const match = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(principal);
  return match?.[1];
}

/** AWS managed policies that grant no write (a role carrying only these is read-only). */
const READ_ONLY_MANAGED = ["ReadOnlyAccess", "ViewOnlyAccess", "SecurityAudit"];

/** Write actions the role's own policies allow (inline, customer managed attached, AWS managed other than read-only ones). */
function writeGrants(stack: StackModel, role: TfNode): string[] {
  const out: string[] = [];
  const isRead = (action: string) =>
    /^[a-z0-9-]+:(Get|List|Describe|BatchGet|Query|Scan|View|Search|Lookup)/i.test(action);
  for (const policy of stack.resources("aws_iam_role_policy")) {
    if (!stack.pointsTo(policy.config.role, role, ["name"])) continue;
    const read = readPolicy(policy.config.policy);
    if (read.status !== "ok") continue;
    for (const st of read.statements.filter((x) => x.effect === "Allow")) {
      out.push(...st.actions.filter((a) => !isRead(a)));
      if (st.notActions.length > 0) out.push("NotAction");
    }
  }
  for (const inline of blocks(role.config.inline_policy)) {
    const read = readPolicy(inline.policy);
    if (read.status === "ok")
      for (const st of read.statements)
        if (st.effect === "Allow") out.push(...st.actions.filter((a) => !isRead(a)));
  }
  for (const attachment of stack.resources("aws_iam_role_policy_attachment")) {
    if (!stack.pointsTo(attachment.config.role, role, ["name"])) continue;
    const arn = attachment.config.policy_arn;
    if (typeof arn === "string" && READ_ONLY_MANAGED.some((p) => arn.endsWith(`:policy/${p}`))) continue;
    out.push(typeof arn === "string" ? arn.replace(/^.*:policy\//, "policy/") : "an attached policy");
  }
  return [...new Set(out)];
}
