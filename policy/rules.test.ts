import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { LAMBDA_NODEJS_RUNTIME } from "../constructs/core/runtimes";
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

describe("runtime end of life (LAMBDA-006, CANARY-001)", () => {
  const fn = (runtime: string) => ({
    resource: { aws_lambda_function: { fn: { function_name: "fn", role: "r", runtime } } },
  });
  const at = (day: string, json: Record<string, unknown>, ruleId = "LAMBDA-006") =>
    evaluate([{ name: "s", json }], RULES, { today: new Date(`${day}T12:00:00Z`) }).violations.filter(
      (v) => v.ruleId === ruleId,
    );

  test("the shipped runtime passes until 120 days before AWS blocks its updates (2027-07-01)", () => {
    expect(LAMBDA_NODEJS_RUNTIME).toBe("nodejs22.x");
    expect(at("2026-12-03", fn(LAMBDA_NODEJS_RUNTIME))).toEqual([]);
    expect(at("2027-03-02", fn(LAMBDA_NODEJS_RUNTIME))).toEqual([]);
    expect(at("2027-03-03", fn(LAMBDA_NODEJS_RUNTIME)).map((v) => v.message)).toEqual([
      "runtime nodejs22.x: AWS blocks updates from 2027-07-01, less than 120 days away; move to a newer runtime now (README: Upgrading the Lambda runtime)",
    ]);
    expect(at("2027-05-01", fn(LAMBDA_NODEJS_RUNTIME)).map((v) => v.message)).toEqual([
      "runtime nodejs22.x is deprecated since 2027-04-30 (AWS blocks updates from 2027-07-01); move to a supported runtime (README: Upgrading the Lambda runtime)",
    ]);
  });

  test.each([
    ["nodejs20.x", "runtime nodejs20.x is deprecated since 2026-04-30 (AWS blocks updates from 2026-07-01)"],
    ["nodejs18.x", "runtime nodejs18.x is deprecated since 2025-09-01 (AWS blocks updates from 2026-03-09)"],
    ["nodejs23.x", "runtime nodejs23.x is not in the policy's runtime table (policy/rules/runtimes.ts)"],
  ])("%s fails today", (runtime, message) => {
    expect(at("2026-12-03", fn(runtime)).map((v) => v.message)[0]).toContain(message);
  });

  test("a canary on a deprecated or unknown Synthetics runtime fails; a supported one passes", () => {
    const canary = (runtime_version: string) => ({
      resource: { aws_synthetics_canary: { c: { name: "c", runtime_version, handler: "index.handler" } } },
    });
    expect(at("2026-12-03", canary("syn-nodejs-puppeteer-7.0"), "CANARY-001").map((v) => v.message)).toEqual([
      "runtime syn-nodejs-puppeteer-7.0 is deprecated since 2026-01-22; move to a supported runtime (README: Upgrading the Lambda runtime)",
    ]);
    expect(at("2026-12-03", canary("syn-nodejs-playwright-9.0"), "CANARY-001")).toEqual([]);
    expect(at("2026-12-03", canary("syn-nodejs-playwright-0.1"), "CANARY-001")).toHaveLength(1);
  });
});
