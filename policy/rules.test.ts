import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { renderRuleTable } from "./docs";
import { evaluate } from "./engine";
import { RULE_FIXTURES } from "./fixtures";
import { RULES } from "./rules";

const CHECKOV_ID = /^CKV2?_AWS_\d+$/;
const CDK_NAG_ID = /^AwsSolutions-[A-Z0-9]+$/;

function findingsOf(ruleId: string, json: Record<string, unknown>) {
  const report = evaluate([{ name: "fixture", json }]);
  return [...report.violations, ...report.suppressed].filter((f) => f.ruleId === ruleId);
}

describe("the rule catalogue", () => {
  test("has at least 40 rules with unique IDs", () => {
    const ids = RULES.map((r) => r.id);
    expect(ids.length).toBeGreaterThanOrEqual(40);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test.each(RULES.map((r) => [r.id, r] as const))("%s is documented and well-formed", (id, rule) => {
    expect(id).toMatch(/^[A-Z0-9]+-\d{3}$/);
    expect(rule.title.length).toBeGreaterThan(10);
    expect(rule.rationale.length).toBeGreaterThan(10);
    expect(["critical", "high", "medium", "low"]).toContain(rule.severity);
    for (const external of rule.external.checkov ?? []) expect(external).toMatch(CHECKOV_ID);
    for (const external of rule.external.cdkNag ?? []) expect(external).toMatch(CDK_NAG_ID);
  });

  test("policy/README.md lists every rule as the rules define it", () => {
    // The formatter pads Markdown table cells; compare cell contents only.
    const normalise = (text: string) =>
      text
        .split("\n")
        .map((line) =>
          line.trimStart().startsWith("|") ? line.replace(/\s*\|\s*/g, "|").replace(/-{3,}/g, "---") : line,
        )
        .join("\n");
    const readme = readFileSync(join(__dirname, "README.md"), "utf8");
    expect(normalise(readme)).toContain(normalise(renderRuleTable()));
  });

  test("every rule has fixtures and every fixture belongs to a rule", () => {
    expect(Object.keys(RULE_FIXTURES).sort()).toEqual(RULES.map((r) => r.id).sort());
  });
});

describe.each(RULES.map((r) => [r.id] as const))("%s", (id) => {
  test("fails its failing fixture", () => {
    const findings = findingsOf(id, RULE_FIXTURES[id]!.fail);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      expect(f.stack).toBe("fixture");
      expect(f.address).toMatch(/^(data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+$/);
      expect(f.message.length).toBeGreaterThan(0);
    }
  });

  test("passes its passing fixture", () => {
    expect(findingsOf(id, RULE_FIXTURES[id]!.pass)).toEqual([]);
  });
});
