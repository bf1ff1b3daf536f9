import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

/**
 * Makes an output folder look undeployable: removes the manifest and every stack's `cdk.tf.json`
 * (Terraform's own `.terraform` folders stay, so a later synth does not re-download providers).
 * Called when a synth fails, so that `terraform -chdir=cdktf.out/stacks/<stack> ...` finds no
 * configuration instead of the previous run's.
 */
export function invalidateSynthOutput(outdir: string): void {
  rmSync(join(outdir, "manifest.json"), { force: true });
  const stacks = join(outdir, "stacks");
  if (!existsSync(stacks)) return;
  for (const entry of readdirSync(stacks, { withFileTypes: true })) {
    if (entry.isDirectory()) rmSync(join(stacks, entry.name, "cdk.tf.json"), { force: true });
  }
}

/**
 * Removes the configuration of stacks the app no longer has (an environment renamed or removed), so
 * their folders under `stacks/` stop looking deployable; their `.terraform` folders stay.
 */
export function removeStaleStacks(outdir: string, stackIds: readonly string[]): string[] {
  const stacks = join(outdir, "stacks");
  if (!existsSync(stacks)) return [];
  const current = new Set(stackIds);
  const removed: string[] = [];
  for (const entry of readdirSync(stacks, { withFileTypes: true })) {
    const config = join(stacks, entry.name, "cdk.tf.json");
    if (entry.isDirectory() && !current.has(entry.name) && existsSync(config)) {
      rmSync(config);
      removed.push(entry.name);
    }
  }
  return removed;
}
