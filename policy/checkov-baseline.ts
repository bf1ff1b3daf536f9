/**
 * Turns the in-code suppressions of synthesized stacks into a Checkov baseline (`--baseline`), which
 * suppresses exactly the Checkov checks each suppressed rule mirrors (`external.checkov`) on exactly
 * the suppressed resources. Checkov's terraform_json runner reads no skips from the JSON itself
 * (bridgecrewio/checkov#4634, hashicorp/terraform-cdk#3609).
 *
 *   npx tsx policy/checkov-baseline.ts <folder of <stack>/cdk.tf.json> > checkov-baseline.json
 *
 * Every skip and its reason goes to stderr. Baseline entries match on the report's resource id, so each
 * is written as `<type>.<name>` (graph checks) and as `resource.<name>` (the id the terraform_json
 * runner gives resource checks). Data source suppressions have no Checkov counterpart and are left out.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SUPPRESSIONS_KEY } from "../constructs/core/suppressions";
import { ruleById } from "./rules";

/** One Checkov baseline file entry. */
export interface BaselineFile {
  readonly file: string;
  readonly findings: readonly { readonly resource: string; readonly check_ids: readonly string[] }[];
}

/** What a skip is for, for the log. */
export interface Skip {
  readonly checkId: string;
  readonly address: string;
  readonly ruleId: string;
  readonly reason: string;
}

type Json = { resource?: Record<string, Record<string, { "//"?: Record<string, unknown> }>> };

/** The baseline for these stacks (`file` is the path Checkov reports, `/<stack>/cdk.tf.json` under the scanned folder). */
export function checkovBaseline(stacks: readonly { readonly file: string; readonly json: Json }[]): {
  baseline: { failed_checks: BaselineFile[] };
  skips: Skip[];
} {
  const skips: Skip[] = [];
  const failed_checks = stacks.map(({ file, json }) => {
    const findings: { resource: string; check_ids: string[] }[] = [];
    for (const [type, resources] of Object.entries(json.resource ?? {})) {
      for (const [name, body] of Object.entries(resources)) {
        const entries = (body["//"]?.[SUPPRESSIONS_KEY] ?? []) as { rule: string; reason: string }[];
        const ids = entries.flatMap((e) => {
          const checks = ruleById(e.rule)?.external.checkov ?? [];
          for (const checkId of checks) {
            skips.push({ checkId, address: `${type}.${name}`, ruleId: e.rule, reason: e.reason });
          }
          return checks;
        });
        if (ids.length === 0) continue;
        findings.push(
          { resource: `${type}.${name}`, check_ids: ids },
          { resource: `resource.${name}`, check_ids: ids },
        );
      }
    }
    return { file, findings };
  });
  return { baseline: { failed_checks }, skips };
}

if (require.main === module) {
  const root = process.argv[2];
  if (!root) {
    console.error("usage: npx tsx policy/checkov-baseline.ts <folder of <stack>/cdk.tf.json>");
    process.exit(2);
  }
  const stacks = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => ({
      file: `/${join(root, e.name, "cdk.tf.json")}`,
      json: JSON.parse(readFileSync(join(root, e.name, "cdk.tf.json"), "utf8")) as Json,
    }));
  const { baseline, skips } = checkovBaseline(stacks);
  for (const s of skips)
    process.stderr.write(`skip ${s.checkId} on ${s.address}: ${s.ruleId}: ${s.reason}\n`);
  process.stdout.write(`${JSON.stringify(baseline, null, 1)}\n`);
}
