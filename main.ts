import { App, TerraformStack } from "cdktf";
import { loadEnvironments, loadState } from "./environments";
import { buildPlatform, synthWarnings } from "./stacks/app";
import { invalidateSynthOutput, removeStaleStacks } from "./stacks/synth-output";

/**
 * `BENCH_ENVIRONMENTS=<n>` (set by `npm run bench -- --stacks <count>`) adds n generated copies of the
 * staging environment, so the synth budget can be measured with as many stacks as all platforms will have.
 */
function environments() {
  const loaded = loadEnvironments();
  const extra = Number(process.env.BENCH_ENVIRONMENTS ?? 0);
  const template = loaded[0]!;
  return [
    ...loaded,
    ...Array.from({ length: extra }, (_, i) => ({
      ...template,
      environment: `bench${i + 1}`,
      workspace: `bench${i + 1}`,
      source: `(generated benchmark environment ${i + 1})`,
    })),
  ];
}

const app = new App();
try {
  buildPlatform(app, { environments: environments(), state: loadState() });
  app.synth();
} catch (error) {
  // A failed synth must not leave the previous run's configuration looking current.
  invalidateSynthOutput(app.outdir);
  throw error;
}
// Stacks of a renamed or removed environment must not look deployable either.
removeStaleStacks(
  app.outdir,
  app.node.children.filter((c) => TerraformStack.isStack(c)).map((c) => c.node.id),
);
// The cdktf CLI (which sets CDKTF_OUTDIR) prints warnings itself; a plain `npm run synth` prints them here.
if (process.env.CDKTF_OUTDIR === undefined) {
  for (const warning of synthWarnings(app)) process.stderr.write(`Warning: ${warning}\n`);
}
