import { describe, expect, test } from "vitest";
import { evaluate, loadStacks, summaryLine } from "../policy/engine";
import { synthPlatformToDir, WITH_ALERTS_AND_API } from "./support/platform";

describe("the policy suite on every shipped stack", () => {
  test.each([
    ["as shipped", {}],
    ["with alerts and API domains", WITH_ALERTS_AND_API],
  ])("%s: no violations, every suppression has a reason", (_name, overrides) => {
    const stacks = loadStacks(synthPlatformToDir(overrides));
    expect(stacks.map((s) => s.name)).toEqual(expect.arrayContaining(["state", "staging", "prod"]));
    const report = evaluate(stacks);
    const violations = report.violations.map((v) => `${v.ruleId} ${v.stack} ${v.address}: ${v.message}`);
    expect(violations).toEqual([]);
    expect(report.suppressed.length).toBeGreaterThan(0);
    for (const s of report.suppressed) expect(s.reason.trim().length).toBeGreaterThan(10);
    expect(summaryLine(report)).toMatch(/^policy: \d+ rules, \d+ stacks, 0 violations, \d+ suppressions$/);
  });
});
