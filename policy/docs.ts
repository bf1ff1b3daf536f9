import { RULES } from "./rules";
import type { Rule } from "./types";

function externalIds(rule: Rule): string {
  const ids = [...(rule.external.checkov ?? []), ...(rule.external.cdkNag ?? [])];
  return ids.length > 0 ? ids.map((id) => `\`${id}\``).join(", ") : "—";
}

/** The Markdown rule table of policy/README.md (a test keeps the README in step with the rules). */
export function renderRuleTable(rules: readonly Rule[] = RULES): string {
  const escapeCell = (text: string) => text.replace(/\|/g, "\\|");
  return [
    "| ID | Severity | What | Why | Mirrors |",
    "| --- | --- | --- | --- | --- |",
    ...rules.map(
      (r) =>
        `| ${r.id} | ${r.severity} | ${escapeCell(r.title)} | ${escapeCell(r.rationale)} | ${externalIds(r)} |`,
    ),
  ].join("\n");
}
