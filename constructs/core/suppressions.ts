import { Lazy, TerraformDataSource, type TerraformResource, TerraformStack } from "cdktf";
import { invalid } from "./validation";

/**
 * The suppression format: a leaf that both the constructs (which write suppressions) and the policy
 * suite (which reads them, policy/suppression-records.ts) import, so that `constructs/` never imports
 * `policy/`. Whether a rule exists is the suite's check (POLICY-002), as is the Checkov baseline built
 * from the same entries (policy/checkov-baseline.ts).
 *
 * - on a resource: `"//": { "policy_suppressions": [{ "rule": "S3-010", "reason": "...", "bound": { "bucket": "x" } }] }`
 * - at the top of a stack (used for data sources, whose `//` cdktf rewrites):
 *   `"//": { "policy_suppressions": [{ "address": "data.aws_x.y", "rule": "...", "reason": "...", "bound": {...} }] }`
 */
export const SUPPRESSIONS_KEY = "policy_suppressions";

/** What a rule id looks like (`S3-010`, `IAM-012`). */
const RULE_ID = /^[A-Z][A-Z0-9]*-\d{3}$/;

/** One suppression as written into the synthesized JSON. */
interface Entry {
  readonly rule: string;
  readonly reason: string;
  readonly bound: Readonly<Record<string, unknown>>;
}

const resourceEntries = new WeakMap<TerraformResource, Entry[]>();
const stackEntries = new WeakMap<TerraformStack, (Entry & { address: string })[]>();
const dataSourceRules = new WeakMap<TerraformDataSource, Set<string>>();

/**
 * Records, inside the synthesized Terraform JSON of `element`, that policy rule `ruleId` does not apply
 * to it and why. The policy runner (`npm run policy`) then reports the finding as suppressed with the
 * reason instead of as a violation.
 *
 * For a resource it writes into the resource's `//` comment object (Terraform ignores it):
 * `"//": { "policy_suppressions": [{ "rule": "<ruleId>", "reason": "<reason>", "bound": {...} }] }`.
 * cdktf rewrites the `//` of data sources, so for a data source the entry goes to the stack's
 * top-level `//` with an `address` (`data.<type>.<name>`).
 *
 * `boundTo` names the attribute values (Terraform names, as synthesized: `{ from_port: 443 }`) the
 * exception is granted for: the policy runner applies the suppression only while the resource still
 * has exactly those values, so widening a suppressed port 443 rule to all ports makes the rule fire
 * again.
 *
 * Throws when the reason is empty, when the rule id is not one (`S3-010`) or names a rule that polices
 * suppressions itself (`POLICY-*`), when `boundTo` is empty, or when the same rule is already suppressed
 * on the element. A well-formed id of no rule fails the policy suite (POLICY-002).
 */
export function suppress(
  element: TerraformResource | TerraformDataSource,
  ruleId: string,
  reason: string,
  boundTo: Readonly<Record<string, unknown>>,
): void {
  if (!RULE_ID.test(ruleId) || ruleId.startsWith("POLICY-")) {
    throw invalid(
      "ruleId",
      "must be a rule id of the policy suite such as S3-010, and not a POLICY-* rule",
      ruleId,
      "Use a rule ID listed in policy/README.md (POLICY-* rules cannot be suppressed).",
    );
  }
  const trimmed = reason.trim();
  if (trimmed === "") {
    throw invalid(
      "reason",
      `must say why ${ruleId} does not apply to ${element.node.path} (a suppression without a reason is itself a policy violation)`,
      reason,
      "Pass one sentence that a reviewer can check, for example why the resource must be public.",
    );
  }

  if (Object.keys(boundTo).length === 0) {
    throw invalid(
      "boundTo",
      `must name at least one attribute value that ${ruleId} is suppressed for on ${element.node.path}`,
      boundTo,
      "Pass the attributes the exception depends on, for example { from_port: 443, to_port: 443 }.",
    );
  }
  const bound = { ...boundTo };

  if (TerraformDataSource.isTerraformDataSource(element)) {
    const rules = dataSourceRules.get(element) ?? new Set<string>();
    if (rules.has(ruleId)) throw duplicate(ruleId, element.node.path);
    rules.add(ruleId);
    dataSourceRules.set(element, rules);
    const stack = TerraformStack.of(element);
    const entries = stackEntries.get(stack) ?? [];
    entries.push({
      address: Lazy.stringValue({
        produce: () => `data.${element.terraformResourceType}.${element.friendlyUniqueId}`,
      }),
      rule: ruleId,
      reason: trimmed,
      bound,
    });
    stackEntries.set(stack, entries);
    stack.addOverride(`//.${SUPPRESSIONS_KEY}`, [...entries]);
    return;
  }

  const entries = resourceEntries.get(element) ?? [];
  if (entries.some((e) => e.rule === ruleId)) throw duplicate(ruleId, element.node.path);
  entries.push({ rule: ruleId, reason: trimmed, bound });
  resourceEntries.set(element, entries);
  element.addOverride(`//.${SUPPRESSIONS_KEY}`, [...entries]);
}

function duplicate(ruleId: string, path: string) {
  return invalid(
    "ruleId",
    `must be suppressed at most once per resource (${path})`,
    ruleId,
    "Remove the second suppress() call or merge the reasons into one.",
  );
}
