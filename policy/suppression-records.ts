import type { StackModel } from "./model";

/**
 * Where suppressions live in synthesized Terraform JSON (written by `suppress()` in
 * constructs/internal/suppressions.ts):
 *
 * - on a resource: `"//": { "policy_suppressions": [{ "rule": "S3-010", "reason": "..." }] }`
 * - at the top of a stack (used for data sources, whose `//` cdktf rewrites):
 *   `"//": { "policy_suppressions": [{ "address": "data.aws_x.y", "rule": "...", "reason": "..." }] }`
 */
export const SUPPRESSIONS_KEY = "policy_suppressions";

/** One suppression as found in a stack. */
export interface SuppressionRecord {
  readonly address: string;
  readonly ruleId: string;
  /** Trimmed; empty when the suppression gives no reason. */
  readonly reason: string;
}

function entries(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value)
    ? value.filter((v): v is Record<string, unknown> => v !== null && typeof v === "object")
    : [];
}

function text(value: unknown): string {
  return typeof value === "string" ? value.trim() : "";
}

/** Every suppression recorded in a stack, on its resources, data sources and top-level comment. */
export function readSuppressions(stack: StackModel): SuppressionRecord[] {
  const out: SuppressionRecord[] = [];
  for (const node of stack.nodes) {
    const comment = node.config["//"];
    if (comment === null || typeof comment !== "object") continue;
    for (const entry of entries((comment as Record<string, unknown>)[SUPPRESSIONS_KEY])) {
      out.push({ address: node.address, ruleId: text(entry.rule), reason: text(entry.reason) });
    }
  }
  const top = stack.json["//"];
  if (top !== null && typeof top === "object") {
    for (const entry of entries((top as Record<string, unknown>)[SUPPRESSIONS_KEY])) {
      out.push({ address: text(entry.address), ruleId: text(entry.rule), reason: text(entry.reason) });
    }
  }
  return out;
}
