import { App } from "cdktf";
import { loadEnvironments, loadState } from "./environments";
import { buildPlatform, synthWarnings } from "./stacks/app";

const app = new App();
buildPlatform(app, { environments: loadEnvironments(), state: loadState() });
app.synth();
// The cdktf CLI (which sets CDKTF_OUTDIR) prints warnings itself; a plain `npm run synth` prints them here.
if (process.env.CDKTF_OUTDIR === undefined) {
  for (const warning of synthWarnings(app)) process.stderr.write(`Warning: ${warning}\n`);
}
