/**
 * Policy runner: `tsx policy/run.ts [cdktf.out]`.
 *
 * Loads every `<outdir>/stacks/<stack>/cdk.tf.json`, evaluates every rule, prints each violation as
 * `<ruleId> <stack> <address>: <message>`, each suppression with its reason, and last the summary
 * line. Exits 1 when anything is violated or no stack was found.
 */
import { resolve } from "node:path";
import { evaluate, exitCode, loadStacks, reportLines } from "./engine";

export { evaluate } from "./engine";

/** Runs the suite over `argv[0]` (default `cdktf.out`), writing lines to `write`; returns the exit code. */
export function runPolicy(argv: readonly string[], write: (line: string) => void): number {
  const outdir = resolve(argv[0] ?? "cdktf.out");
  const stacks = loadStacks(outdir);
  if (stacks.length === 0) write(`policy: no stacks found under ${outdir}/stacks (run the synth first)`);
  const report = evaluate(stacks);
  for (const line of reportLines(report)) write(line);
  return exitCode(report);
}

if (require.main === module) {
  process.exitCode = runPolicy(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`));
}
