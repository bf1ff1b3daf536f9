import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { LAMBDA_BUNDLE_TARGET } from "./runtimes";
import { invalid } from "./validation";

/** What to bundle. */
export interface BundleFunctionOptions {
  /** Handler entry file (TypeScript), absolute or relative to the repository root. */
  readonly entry: string;
  /** File name of the zip without extension: lowercase letters, digits and hyphens. */
  readonly name: string;
  /**
   * Folder the zip is written to, absolute or relative to the repository root.
   * @default - `<repository root>/build/functions`
   */
  readonly outDir?: string;
}

/** A reproducible Lambda deployment package. */
export interface FunctionBundle {
  /** Absolute path of the zip; it holds one file, `index.js`, so the Lambda handler is `index.handler`. */
  readonly zipPath: string;
  /** Base64 SHA-256 of the zip's bytes, the form Lambda's `source_code_hash` expects. */
  readonly sourceCodeHash: string;
  /** Size of the zip in bytes. */
  readonly sizeBytes: number;
}

/**
 * Fixed modification time of `index.js` in every zip. A local-time constructor, because zip
 * timestamps are local DOS times: the stored fields are 1980-01-01 12:00:00 in any time zone.
 */
const FIXED_MTIME = new Date(1980, 0, 1, 12, 0, 0);
/** PKZIP "version made by" host: Unix, so the permission bits below are honoured. */
const UNIX_HOST = 3;
/** Regular file, rw-r--r--, in the high 16 bits of the external attributes. */
const FILE_ATTRIBUTES = (0o100644 << 16) >>> 0;

function findRepositoryRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

const repositoryRoot = findRepositoryRoot();

interface BuiltZip {
  readonly bytes: Uint8Array;
  readonly sourceCodeHash: string;
  /** The repository files esbuild read (node_modules excluded: the lock file stands for them). */
  readonly inputs: readonly string[];
}

/**
 * Beside each zip, `<name>.inputs.json` records what the zip was built from, so the next synth can
 * reuse it without loading esbuild: the digest of the bundler and the lock file, and a digest of
 * every repository file esbuild read.
 */
interface BuildRecord {
  readonly toolchain: string;
  readonly inputs: readonly string[];
  readonly inputsDigest: string;
  readonly sourceCodeHash: string;
}

function sha256(...parts: (string | Uint8Array)[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part).update("\u0000");
  return hash.digest("hex");
}

/** Changes when the bundler or any installed package version changes. */
function toolchainDigest(): string {
  // The source of the build options, read from the repository (not __filename, which is the app bundle
  // when the app runs through scripts/app.cjs), and the lock file that pins esbuild.
  return sha256(
    readFileSync(join(repositoryRoot, "constructs", "core", "bundle.ts")),
    readFileSync(join(repositoryRoot, "package-lock.json")),
  );
}

function inputsDigest(inputs: readonly string[]): string | undefined {
  const parts: string[] = [];
  for (const input of inputs) {
    const file = join(repositoryRoot, input);
    if (!existsSync(file)) return undefined;
    parts.push(input, sha256(readFileSync(file)));
  }
  return sha256(...parts);
}

/** The zip from an earlier build when nothing it was built from has changed. */
function reuse(zipPath: string, recordPath: string): BuiltZip | undefined {
  if (!existsSync(zipPath) || !existsSync(recordPath)) return undefined;
  const record = JSON.parse(readFileSync(recordPath, "utf8")) as BuildRecord;
  if (record.toolchain !== toolchainDigest() || record.inputsDigest !== inputsDigest(record.inputs))
    return undefined;
  const bytes = new Uint8Array(readFileSync(zipPath));
  const sourceCodeHash = createHash("sha256").update(bytes).digest("base64");
  return sourceCodeHash === record.sourceCodeHash
    ? { bytes, sourceCodeHash, inputs: record.inputs }
    : undefined;
}

/** Zips built in this process, by absolute entry path. */
const built = new Map<string, BuiltZip>();
/** Results already written in this process, by absolute entry path and zip path. */
const written = new Map<string, FunctionBundle>();

function buildZip(entry: string): BuiltZip {
  // Loaded only when a build is needed: an unchanged function costs a few file hashes, not esbuild.
  const { buildSync } = require("esbuild") as typeof import("esbuild");
  const { zipSync } = require("fflate") as typeof import("fflate");
  const result = buildSync({
    entryPoints: [entry],
    absWorkingDir: repositoryRoot,
    bundle: true,
    platform: "node",
    target: LAMBDA_BUNDLE_TARGET,
    format: "cjs",
    mainFields: ["module", "main"],
    minify: true,
    sourcemap: false,
    legalComments: "none",
    charset: "utf8",
    write: false,
    outfile: "index.js",
    logLevel: "silent",
    metafile: true,
  });
  const output = result.outputFiles.find((file) => file.path.endsWith("index.js"));
  if (output === undefined) throw new Error(`esbuild produced no index.js for ${entry}`);
  const bytes = zipSync(
    { "index.js": [output.contents, { mtime: FIXED_MTIME, os: UNIX_HOST, attrs: FILE_ATTRIBUTES }] },
    { level: 9 },
  );
  const inputs = Object.keys(result.metafile?.inputs ?? {})
    .map((input) => relative(repositoryRoot, resolve(repositoryRoot, input)))
    .filter((input) => !input.split(/[\\/]/).includes("node_modules"))
    .sort();
  return { bytes, sourceCodeHash: createHash("sha256").update(bytes).digest("base64"), inputs };
}

/**
 * Bundles a Lambda handler with esbuild (the runtime's Node target, CommonJS, minified, AWS SDK included so its
 * version is the one pinned in package-lock.json) into a zip whose bytes depend only on the
 * source: same source, same bytes, same hash. Each entry is bundled once per process.
 */
export function bundleFunction(options: BundleFunctionOptions): FunctionBundle {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(options.name)) {
    throw invalid(
      "name",
      "must be lowercase letters, digits and hyphens, starting with a letter or digit",
      options.name,
      "Use the function's folder name, for example grafana-token-rotation.",
    );
  }
  const entry = isAbsolute(options.entry) ? options.entry : resolve(repositoryRoot, options.entry);
  if (!existsSync(entry)) {
    throw invalid(
      "entry",
      "must be an existing handler file",
      options.entry,
      "Point it at the handler's .ts file.",
    );
  }
  const outDir = options.outDir
    ? isAbsolute(options.outDir)
      ? options.outDir
      : resolve(repositoryRoot, options.outDir)
    : join(repositoryRoot, "build", "functions");
  const zipPath = join(outDir, `${options.name}.zip`);

  const key = `${entry}\u0000${zipPath}`;
  const done = written.get(key);
  if (done !== undefined && existsSync(zipPath)) return done;

  const recordPath = join(outDir, `${options.name}.inputs.json`);
  let zip = built.get(entry) ?? reuse(zipPath, recordPath);
  if (zip === undefined) {
    zip = buildZip(entry);
  }
  built.set(entry, zip);
  mkdirSync(outDir, { recursive: true });
  if (!existsSync(zipPath) || !Buffer.from(readFileSync(zipPath)).equals(Buffer.from(zip.bytes))) {
    writeFileSync(zipPath, zip.bytes);
  }
  const record: BuildRecord = {
    toolchain: toolchainDigest(),
    inputs: zip.inputs,
    inputsDigest: inputsDigest(zip.inputs)!,
    sourceCodeHash: zip.sourceCodeHash,
  };
  writeFileSync(recordPath, `${JSON.stringify(record, null, 2)}\n`);
  const bundle: FunctionBundle = { zipPath, sourceCodeHash: zip.sourceCodeHash, sizeBytes: zip.bytes.length };
  written.set(key, bundle);
  return bundle;
}

/** Forgets every bundle built in this process (for tests that change an entry's source). */
export function resetBundleCache(): void {
  built.clear();
  written.clear();
}
