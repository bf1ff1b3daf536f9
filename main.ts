import { App, TerraformStack } from "cdktf";
import { loadStateStores } from "./environments";
import { synthWarnings } from "./stacks/app";
import { benchmarkPlatforms } from "./stacks/bench";
import { PLATFORMS } from "./stacks/platforms";
import { buildApp, selectPlatforms } from "./stacks/registry";
import { invalidateSynthOutput, removeStaleStacks } from "./stacks/synth-output";

// `PLATFORMS=<a>,<b>` narrows the synth to those platforms (and the state stores they use); default all.
// `BENCH_ENVIRONMENTS=<n>` (set by `npm run bench -- --stacks <count>`) adds generated environments.
const platforms = benchmarkPlatforms(PLATFORMS, Number(process.env.BENCH_ENVIRONMENTS ?? 0));
const app = new App();
try {
  buildApp(app, {
    platforms,
    selected: selectPlatforms(platforms, process.env.PLATFORMS),
    stores: loadStateStores(),
  });
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
