// The cdktf app's fast path (cdktf.json `app`, `npm run synth`, scripts/deploy.ts): esbuild bundles
// main.ts and the repository's own TypeScript into build/app/main.js (node_modules stay external and
// load as usual), and plain node runs it. Without tsx there is no source-map work each time cdktf
// captures a stack trace for a lazy token, which is most of a synth's time and memory.
// The bundle is reused only while the contents of everything it was built from are unchanged: every
// input file, this file (the build options), tsconfig.json and package-lock.json (which pins esbuild);
// build/app/inputs.json records them and their digest. A new bundle replaces the old one atomically.
//   node scripts/app.cjs        (the variables main.ts reads still apply: PLATFORMS, BENCH_ENVIRONMENTS)
const { createHash } = require("node:crypto");
const { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

const root = join(__dirname, "..");
const outdir = join(root, "build", "app");
const outfile = join(outdir, "main.js");
const recordFile = join(outdir, "inputs.json");
const ALWAYS = ["scripts/app.cjs", "tsconfig.json", "package-lock.json"];

/** Digest of the files' contents, or undefined when one is missing. */
function digest(files) {
  const hash = createHash("sha256");
  for (const file of [...ALWAYS, ...files]) {
    const path = join(root, file);
    if (!existsSync(path)) return undefined;
    hash.update(file).update("\0").update(readFileSync(path)).update("\0");
  }
  return hash.digest("hex");
}

function upToDate() {
  if (!existsSync(outfile) || !existsSync(recordFile)) return false;
  const record = JSON.parse(readFileSync(recordFile, "utf8"));
  return Array.isArray(record.inputs) && record.digest === digest(record.inputs);
}

if (!upToDate()) {
  const { buildSync } = require("esbuild");
  mkdirSync(outdir, { recursive: true });
  const result = buildSync({
    entryPoints: [join(root, "main.ts")],
    outfile,
    write: false,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node22",
    packages: "external",
    logLevel: "warning",
    metafile: true,
    absWorkingDir: root,
  });
  const inputs = Object.keys(result.metafile.inputs);
  // Written beside the target, then renamed: a concurrent run never loads half a bundle.
  const temporary = `${outfile}.${process.pid}.tmp`;
  writeFileSync(temporary, result.outputFiles[0].contents);
  renameSync(temporary, outfile);
  writeFileSync(recordFile, `${JSON.stringify({ digest: digest(inputs), inputs }, null, 1)}\n`);
}
require(outfile);
