import { SUPPRESSIONS_KEY } from "../constructs/core/suppressions";
import type { StackModel } from "./model";

/** Where suppressions live in synthesized Terraform JSON: see constructs/core/suppressions.ts. */
export { SUPPRESSIONS_KEY };

/** One suppression as found in a stack. */
export interface SuppressionRecord {
  readonly address: string;
  readonly ruleId: string;
  /** Trimmed; empty when the suppression gives no reason. */
  readonly reason: string;
  /**
   * The attribute values the suppression was granted for: it applies only while the resource's
   * attributes still have exactly these values. Empty when the suppression names none.
   */
  readonly bound: Readonly<Record<string, unknown>>;
}

const bound = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/** Canonical JSON (sorted keys), to compare attribute values. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** The bound attributes whose current value differs, as `name: granted -> now` lines; empty when all match. */
export function boundMismatches(
  record: SuppressionRecord,
  config: Readonly<Record<string, unknown>>,
): string[] {
  return Object.entries(record.bound)
    .filter(([name, value]) => canonical(config[name]) !== canonical(value))
    .map(([name, value]) => `${name} was ${canonical(value)}, is ${canonical(config[name])}`);
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
      out.push({
        address: node.address,
        ruleId: text(entry.rule),
        reason: text(entry.reason),
        bound: bound(entry.bound),
      });
    }
  }
  const top = stack.json["//"];
  if (top !== null && typeof top === "object") {
    for (const entry of entries((top as Record<string, unknown>)[SUPPRESSIONS_KEY])) {
      out.push({
        address: text(entry.address),
        ruleId: text(entry.rule),
        reason: text(entry.reason),
        bound: bound(entry.bound),
      });
    }
  }
  return out;
}
