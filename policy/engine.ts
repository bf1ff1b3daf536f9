import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { StackModel } from "./model";
import { RULES } from "./rules";
import { boundMismatches, readSuppressions } from "./suppression-records";
import type { Finding, PolicyReport, PolicyStack, Rule, SuppressedFinding, UnusedSuppression } from "./types";

/** Rules whose findings no suppression can turn off (they police the suppressions). */
const UNSUPPRESSIBLE_PREFIX = "POLICY-";

/**
 * Evaluates every rule over every stack and applies in-code suppressions: a finding is suppressed when
 * the resource it names carries a suppression of that rule with a non-empty reason.
 */
export function evaluate(
  stacks: readonly PolicyStack[],
  rules: readonly Rule[] = RULES,
  options: { readonly today?: Date } = {},
): PolicyReport {
  const today = options.today ?? new Date();
  const models = stacks.map((s) => new StackModel(s.name, s.json as Record<string, any>));
  const ruleIds = new Set(rules.map((r) => r.id));
  const violations: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const unusedSuppressions: UnusedSuppression[] = [];

  for (const stack of models) {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const rule of rules) {
      for (const hit of rule.check({ stack, stacks: models, ruleIds, today })) {
        const key = `${rule.id}\u0000${hit.address}\u0000${hit.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        findings.push({
          ruleId: rule.id,
          severity: rule.severity,
          stack: stack.name,
          address: hit.address,
          message: hit.message,
        });
      }
    }

    const records = readSuppressions(stack).filter((s) => s.reason !== "" && ruleIds.has(s.ruleId));
    const used = new Set<number>();
    for (const finding of findings) {
      const index = finding.ruleId.startsWith(UNSUPPRESSIBLE_PREFIX)
        ? -1
        : records.findIndex((s) => s.ruleId === finding.ruleId && s.address === finding.address);
      const record = index === -1 ? undefined : records[index]!;
      const node = record ? stack.nodes.find((n) => n.address === record.address) : undefined;
      const stale = record ? boundMismatches(record, node?.config ?? {}) : [];
      if (record === undefined) {
        violations.push(finding);
      } else if (stale.length > 0) {
        // The resource changed since the exception was granted: the rule applies again.
        used.add(index);
        violations.push({
          ...finding,
          message: `${finding.message} (its suppression was granted for other values: ${stale.join("; ")})`,
        });
      } else {
        used.add(index);
        suppressed.push({ ...finding, reason: record.reason });
      }
    }
    records.forEach((s, index) => {
      if (!used.has(index) && !s.ruleId.startsWith(UNSUPPRESSIBLE_PREFIX)) {
        unusedSuppressions.push({
          ruleId: s.ruleId,
          stack: stack.name,
          address: s.address,
          reason: s.reason,
        });
      }
    });
  }

  return { rules: rules.length, stacks: models.length, violations, suppressed, unusedSuppressions };
}

/** `<ruleId> <stack> <address>: <message>` */
export function formatViolation(finding: Finding): string {
  return `${finding.ruleId} ${finding.stack} ${finding.address}: ${finding.message}`;
}

/** The last line of every run. */
export function summaryLine(report: PolicyReport): string {
  return `policy: ${report.rules} rules, ${report.stacks} stacks, ${report.violations.length} violations, ${report.suppressed.length} suppressions`;
}

/** Every line the runner prints: violations, suppressions with reasons, unused suppressions, then the summary. */
export function reportLines(report: PolicyReport): string[] {
  return [
    ...report.violations.map(formatViolation),
    ...report.suppressed.map((s) => `suppressed ${s.ruleId} ${s.stack} ${s.address}: ${s.reason}`),
    ...report.unusedSuppressions.map(
      (s) => `unused suppression ${s.ruleId} ${s.stack} ${s.address}: ${s.reason} (no finding to suppress)`,
    ),
    summaryLine(report),
  ];
}

/** Reads every `<outdir>/stacks/<stack>/cdk.tf.json`, sorted by stack name. */
export function loadStacks(outdir: string): PolicyStack[] {
  const stacksDir = join(outdir, "stacks");
  if (!existsSync(stacksDir)) return [];
  return readdirSync(stacksDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(stacksDir, entry.name, "cdk.tf.json")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({
      name,
      json: JSON.parse(readFileSync(join(stacksDir, name, "cdk.tf.json"), "utf8")) as Record<string, unknown>,
    }));
}

/** 1 when anything is violated or nothing was evaluated, else 0. */
export function exitCode(report: PolicyReport): number {
  return report.violations.length > 0 || report.stacks === 0 ? 1 : 0;
}
