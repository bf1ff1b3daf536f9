import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { unzipSync } from "fflate";
import { afterAll, describe, expect, test } from "vitest";
import { bundleFunction, resetBundleCache } from "../../constructs/core/bundle";

const repositoryRoot = resolve(__dirname, "..", "..");
const ENTRY = "functions/grafana-token-rotation/handler.ts";
const work = mkdtempSync(join(tmpdir(), "bundle-test-"));

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Reads the central directory entry of the only file: external attributes, "made by" host, DOS time/date. */
function centralEntry(zip: Buffer) {
  const at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  return {
    madeByHost: zip.readUInt8(at + 5),
    dosTime: zip.readUInt16LE(at + 12),
    dosDate: zip.readUInt16LE(at + 14),
    externalAttributes: zip.readUInt32LE(at + 38),
  };
}

describe("bundleFunction on the rotation handler", () => {
  test("writes build/functions/<name>.zip by default, with its hash and size", () => {
    resetBundleCache();
    const bundle = bundleFunction({ entry: ENTRY, name: "grafana-token-rotation" });
    const bytes = readFileSync(bundle.zipPath);
    expect(bundle.zipPath).toBe(join(repositoryRoot, "build", "functions", "grafana-token-rotation.zip"));
    expect(bundle.sizeBytes).toBe(bytes.length);
    expect(bundle.sourceCodeHash).toBe(createHash("sha256").update(bytes).digest("base64"));
  });

  test("two builds give byte-identical zips and the same hash", () => {
    resetBundleCache();
    const first = bundleFunction({ entry: ENTRY, name: "rotation-a", outDir: join(work, "a") });
    resetBundleCache();
    const second = bundleFunction({
      entry: join(repositoryRoot, ENTRY),
      name: "rotation-b",
      outDir: join(work, "b"),
    });
    expect(readFileSync(second.zipPath).equals(readFileSync(first.zipPath))).toBe(true);
    expect(second.sourceCodeHash).toBe(first.sourceCodeHash);
  });

  test("the zip holds only index.js, with a fixed time and Unix rw-r--r-- attributes", () => {
    const bundle = bundleFunction({ entry: ENTRY, name: "rotation-a", outDir: join(work, "a") });
    const zip = readFileSync(bundle.zipPath);
    expect(Object.keys(unzipSync(zip))).toEqual(["index.js"]);
    expect(centralEntry(zip)).toEqual({
      madeByHost: 3,
      dosTime: 12 << 11,
      dosDate: (0 << 9) | (1 << 5) | 1,
      externalAttributes: (0o100644 << 16) >>> 0,
    });
  });

  test("index.js exports handler when loaded by node with the function's environment", () => {
    const bundle = bundleFunction({ entry: ENTRY, name: "rotation-a", outDir: join(work, "a") });
    const dir = join(work, "unzipped");
    rmSync(dir, { recursive: true, force: true });
    const files = unzipSync(readFileSync(bundle.zipPath));
    execFileSync("mkdir", ["-p", dir]);
    writeFileSync(join(dir, "index.js"), files["index.js"]!);
    const out = execFileSync(
      process.execPath,
      [
        "-e",
        "const m = require(process.argv[1]); process.stdout.write(typeof m.handler);",
        join(dir, "index.js"),
      ],
      {
        env: {
          PATH: process.env.PATH,
          AWS_REGION: "us-east-1",
          NODE_NO_WARNINGS: "1",
          SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf",
          GRAFANA_WORKSPACE_ID: "g-0123456789",
          GRAFANA_URL: "https://g-0123456789.grafana-workspace.us-east-1.amazonaws.com/",
          GRAFANA_SERVICE_ACCOUNT_ID: "7",
          TOKEN_TTL_SECONDS: "2592000",
          METRIC_NAMESPACE: "MeetingNotes/Grafana",
        },
      },
    ).toString();
    expect(out).toBe("function");
  });

  test("the AWS SDK is bundled, not left as an external require", () => {
    const bundle = bundleFunction({ entry: ENTRY, name: "rotation-a", outDir: join(work, "a") });
    const source = Buffer.from(unzipSync(readFileSync(bundle.zipPath))["index.js"]!).toString("utf8");
    const external = [...new Set([...source.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].filter(
      (name) => !name!.startsWith("node:"),
    );
    // Only the optional CRT signer (SigV4a, unused here) stays external; the SDK itself is inside.
    expect(external).toEqual(["@aws-sdk/signature-v4-crt"]);
    expect(source.includes("CreateWorkspaceServiceAccountToken")).toBe(true);
  });
});

describe("bundleFunction on a small entry", () => {
  const entry = join(work, "tiny.ts");

  test("is memoized per entry: a second call does not rebuild", () => {
    writeFileSync(entry, 'export const handler = async () => "one";\n');
    resetBundleCache();
    const first = bundleFunction({ entry, name: "tiny", outDir: join(work, "tiny") });
    const mtime = statSync(first.zipPath).mtimeMs;
    writeFileSync(entry, 'export const handler = async () => "two";\n');
    const again = bundleFunction({ entry, name: "tiny", outDir: join(work, "tiny") });
    expect(again).toBe(first);
    expect(statSync(again.zipPath).mtimeMs).toBe(mtime);
  });

  test("changing the source changes the hash", () => {
    writeFileSync(entry, 'export const handler = async () => "one";\n');
    resetBundleCache();
    const one = bundleFunction({ entry, name: "tiny", outDir: join(work, "tiny") });
    writeFileSync(entry, 'export const handler = async () => "two";\n');
    resetBundleCache();
    const two = bundleFunction({ entry, name: "tiny", outDir: join(work, "tiny") });
    expect(two.sourceCodeHash).not.toBe(one.sourceCodeHash);
    expect(Buffer.from(unzipSync(readFileSync(two.zipPath))["index.js"]!).toString()).toContain('"two"');
  });

  test("a change in an imported module invalidates the zip kept from an earlier synth", () => {
    const dir = join(work, "imports");
    mkdirSync(dir, { recursive: true });
    const main = join(dir, "main.ts");
    const dep = join(dir, "dep.ts");
    writeFileSync(main, 'import { word } from "./dep";\nexport const handler = async () => word;\n');
    writeFileSync(dep, 'export const word = "first";\n');
    resetBundleCache();
    const first = bundleFunction({ entry: main, name: "imports", outDir: join(dir, "out") });
    const record = JSON.parse(readFileSync(join(dir, "out", "imports.inputs.json"), "utf8"));
    expect(record.inputs.some((input: string) => input.endsWith("dep.ts"))).toBe(true);
    resetBundleCache();
    expect(bundleFunction({ entry: main, name: "imports", outDir: join(dir, "out") }).sourceCodeHash).toBe(
      first.sourceCodeHash,
    );
    writeFileSync(dep, 'export const word = "second";\n');
    resetBundleCache();
    const changed = bundleFunction({ entry: main, name: "imports", outDir: join(dir, "out") });
    expect(changed.sourceCodeHash).not.toBe(first.sourceCodeHash);
    expect(Buffer.from(unzipSync(readFileSync(changed.zipPath))["index.js"]!).toString()).toContain("second");
  });

  test.each([
    [
      "Tiny",
      '`name` must be lowercase letters, digits and hyphens, starting with a letter or digit, got "Tiny". Use the function\'s folder name, for example grafana-token-rotation.',
    ],
    [
      "../escape",
      '`name` must be lowercase letters, digits and hyphens, starting with a letter or digit, got "../escape". Use the function\'s folder name, for example grafana-token-rotation.',
    ],
    [
      "",
      '`name` must be lowercase letters, digits and hyphens, starting with a letter or digit, got "". Use the function\'s folder name, for example grafana-token-rotation.',
    ],
  ])("name %j is refused", (name, message) => {
    expect(() => bundleFunction({ entry: ENTRY, name })).toThrow(message);
  });

  test("a missing entry is refused", () => {
    expect(() => bundleFunction({ entry: "functions/nope/handler.ts", name: "nope" })).toThrow(
      '`entry` must be an existing handler file, got "functions/nope/handler.ts". Point it at the handler\'s .ts file.',
    );
  });
});
