// The cdktf app's fast path (cdktf.json `app`, `npm run synth`, scripts/deploy.ts): esbuild bundles
// main.ts and the repository's own TypeScript into build/app/main.js (node_modules stay external and
// load as usual), and plain node runs it. Without tsx there is no source-map work each time cdktf
// captures a stack trace for a lazy token, which is most of a synth's time and memory.
// The bundle is rebuilt only when a file it was built from is newer than it (build/app/inputs.json).
//   node scripts/app.cjs        (the variables main.ts reads still apply: PLATFORMS, BENCH_ENVIRONMENTS)
const { buildSync } = require("esbuild");
const { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
const outdir = join(root, "build", "app");
const outfile = join(outdir, "main.js");
const inputsFile = join(outdir, "inputs.json");

function upToDate() {
  if (!existsSync(outfile) || !existsSync(inputsFile)) return false;
  const built = statSync(outfile).mtimeMs;
  const inputs = JSON.parse(readFileSync(inputsFile, "utf8"));
  return inputs.every((file) => existsSync(join(root, file)) && statSync(join(root, file)).mtimeMs <= built);
}

if (!upToDate()) {
  mkdirSync(outdir, { recursive: true });
  const result = buildSync({
    entryPoints: [join(root, "main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node22",
    packages: "external",
    logLevel: "warning",
    metafile: true,
    absWorkingDir: root,
  });
  writeFileSync(inputsFile, `${JSON.stringify(Object.keys(result.metafile.inputs), null, 1)}\n`);
}
require(outfile);
