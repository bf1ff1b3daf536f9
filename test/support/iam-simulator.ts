/**
 * Evaluates synthesized IAM policies for concrete requests with @cloud-copilot/iam-simulate (AWS's
 * evaluation logic: explicit deny, identity and resource policies, permissions boundaries,
 * condition operators), so tests assert what AWS would decide, not what a string contains.
 *
 * Synthesized policies hold Terraform references (`${data.aws_caller_identity.x.account_id}`);
 * {@link resolveTokens} replaces them with concrete values first and fails on any it cannot.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";

/** The account every simulated request runs in. */
export const ACCOUNT = "123456789012";
/** Another account, for cross-account requests. */
export const OTHER_ACCOUNT = "210987654321";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** Well-known references; tests add their own (role ARNs, key ARNs) through `values`. */
const KNOWN: readonly [RegExp, string][] = [
  [/\$\{data\.aws_partition\.[^.}]+\.partition\}/g, "aws"],
  [/\$\{data\.aws_caller_identity\.[^.}]+\.account_id\}/g, ACCOUNT],
  [/\$\{data\.aws_region\.[^.}]+\.(name|region)\}/g, "us-east-1"],
];

/**
 * Replaces Terraform references in a policy document (string or object) by concrete values:
 * `values` maps a reference's inner expression (`aws_iam_role.x.arn`, or a prefix such as
 * `aws_iam_role.x`) to its value. Throws when a reference is left.
 */
export function resolveTokens(document: unknown, values: Readonly<Record<string, string>> = {}): any {
  // `$${...}` is Terraform's escape for a literal `${...}` (an IAM policy variable): keep it for IAM.
  let text = (typeof document === "string" ? document : JSON.stringify(document)).replaceAll(
    "$${",
    "\u0000{",
  );
  for (const [pattern, value] of KNOWN) text = text.replace(pattern, value);
  text = text.replace(/\$\{([^}]+)\}/g, (whole, expression: string) => {
    const key = Object.keys(values)
      .sort((a, b) => b.length - a.length)
      .find((k) => expression === k || expression.startsWith(`${k}.`));
    if (key === undefined) throw new Error(`no value for the reference ${whole} in the simulated policy`);
    return values[key]!;
  });
  return JSON.parse(text.replaceAll("\u0000{", "${"));
}

/** PowerUserAccess as AWS publishes it (the part that matters: everything but IAM, Organizations, Account). */
export const POWER_USER_ACCESS = {
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*" },
    {
      Effect: "Allow",
      Action: [
        "iam:CreateServiceLinkedRole",
        "iam:DeleteServiceLinkedRole",
        "iam:ListRoles",
        "organizations:DescribeOrganization",
        "account:ListRegions",
        "account:GetAccountInformation",
      ],
      Resource: "*",
    },
  ],
};

/**
 * A stand-in for ReadOnlyAccess that is wider than the real one (it allows every action): a deny that
 * holds against it holds against ReadOnlyAccess.
 */
export const ALLOW_EVERYTHING = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
};

export interface SimulatedRequest {
  /** ARN of the calling principal (a role ARN for assumed-role sessions, as `aws:PrincipalArn` sees it). */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** Account that owns the resource. @default ACCOUNT */
  readonly resourceAccount?: string;
  readonly context?: Readonly<Record<string, string | string[]>>;
  /** Identity policies of the principal (parsed documents). */
  readonly identity?: readonly unknown[];
  /** The resource's policy (parsed), if any. */
  readonly resourcePolicy?: unknown;
  /** The principal's permissions boundary (parsed), if any. */
  readonly boundary?: unknown;
}

/** What AWS would decide for one request. Throws on a simulation the library rejects (bad action, bad ARN). */
export async function decide(request: SimulatedRequest): Promise<Decision> {
  const principalIsRole = request.principal.includes(":role/");
  const result = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount ?? ACCOUNT },
        contextVariables: {
          "aws:PrincipalArn": request.principal,
          "aws:PrincipalAccount": /:(\d{12}):/.exec(request.principal)?.[1] ?? ACCOUNT,
          ...(principalIsRole ? { "aws:PrincipalType": "AssumedRole" } : {}),
          ...request.context,
        },
      },
      identityPolicies: (request.identity ?? []).map((policy, i) => ({ name: `identity-${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(request.resourcePolicy ? { resourcePolicy: request.resourcePolicy } : {}),
      ...(request.boundary
        ? { permissionBoundaryPolicies: [{ name: "boundary", policy: request.boundary }] }
        : {}),
    },
    {},
  );
  if (result.resultType === "error") {
    throw new Error(`the simulation was rejected: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult as Decision;
}

/** IAM's `StringLike`: `*` matches any run of characters, `?` exactly one; case-sensitive. */
export function stringLike(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${regex}$`, "s").test(value);
}

/**
 * Whether a role's trust policy lets a web-identity token with these claims assume it
 * (`sts:AssumeRoleWithWebIdentity`): an Allow whose federated principal and every `StringEquals`
 * and `StringLike` condition match, and no Deny that matches. The IAM simulator library ignores
 * OIDC claim keys (they are not in AWS's service reference), so this narrow evaluator stands in
 * for it; it refuses any other condition operator rather than guess.
 */
export function trustAllows(
  trust: any,
  token: { readonly federated: string; readonly claims: Readonly<Record<string, string>> },
): boolean {
  const matches = (statement: any): boolean => {
    const actions = [statement.Action].flat();
    if (!actions.includes("sts:AssumeRoleWithWebIdentity")) return false;
    if (![statement.Principal?.Federated].flat().includes(token.federated)) return false;
    for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
      if (operator !== "StringEquals" && operator !== "StringLike") {
        throw new Error(`trustAllows does not evaluate ${operator}`);
      }
      for (const [key, expected] of Object.entries(entries as Record<string, string | string[]>)) {
        const value = token.claims[key];
        if (value === undefined) return false;
        const ok = [expected]
          .flat()
          .some((e) => (operator === "StringEquals" ? e === value : stringLike(e, value)));
        if (!ok) return false;
      }
    }
    return true;
  };
  const statements = [trust.Statement].flat();
  if (statements.some((s: any) => s.Effect === "Deny" && matches(s))) return false;
  return statements.some((s: any) => s.Effect === "Allow" && matches(s));
}
