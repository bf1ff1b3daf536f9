import { App, TerraformStack } from "cdktf";
import { loadEnvironments, loadState } from "./environments";
import { buildPlatform, synthWarnings } from "./stacks/app";
import { invalidateSynthOutput, removeStaleStacks } from "./stacks/synth-output";

const app = new App();
try {
  buildPlatform(app, { environments: loadEnvironments(), state: loadState() });
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
