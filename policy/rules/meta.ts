import { readSuppressions } from "../suppression-records";
import type { Rule } from "../types";

/** Rules about suppressions themselves. Their findings cannot be suppressed. */
export const metaRules: readonly Rule[] = [
  {
    id: "POLICY-001",
    title: "Every suppression gives a reason",
    rationale: "A suppression is an accepted risk; without a reason nobody can review or revisit it.",
    severity: "high",
    external: {},
    check: (context) =>
      readSuppressions(context.stack)
        .filter((s) => s.reason === "")
        .map((s) => ({
          address: s.address || "(stack)",
          message: `suppresses ${s.ruleId || "(no rule)"} without a reason`,
        })),
  },
  {
    id: "POLICY-002",
    title: "Every suppression names an existing rule",
    rationale: "A suppression of a misspelt or removed rule suppresses nothing and hides the mistake.",
    severity: "medium",
    external: {},
    check: (context) =>
      readSuppressions(context.stack)
        .filter((s) => !context.ruleIds.has(s.ruleId) || s.ruleId.startsWith("POLICY-"))
        .map((s) => ({
          address: s.address || "(stack)",
          message: `suppresses unknown rule ${s.ruleId || "(empty)"}`,
        })),
  },
];
