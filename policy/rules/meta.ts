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
  {
    id: "POLICY-003",
    title: "Every suppression is bound to the attribute values it was granted for",
    rationale:
      "An unbound suppression keeps silencing the rule after the resource changes (a port 443 exception would cover all ports).",
    severity: "medium",
    external: {},
    check: (context) =>
      readSuppressions(context.stack)
        .filter((s) => Object.keys(s.bound).length === 0)
        .map((s) => ({
          address: s.address || "(stack)",
          message: `suppresses ${s.ruleId || "(empty)"} without binding it to attribute values`,
        })),
  },
];
