import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { LAMBDA_BUNDLE_TARGET, LAMBDA_NODEJS_RUNTIME } from "../constructs/core/runtimes";

const root = join(__dirname, "..");
const major = /^nodejs(\d+)\.x$/.exec(LAMBDA_NODEJS_RUNTIME)![1]!;

describe("one Node.js version everywhere", () => {
  test("the bundle target follows the Lambda runtime", () => {
    expect(LAMBDA_BUNDLE_TARGET).toBe(`node${major}`);
  });

  test("package.json declares that Node.js major for engines and @types/node", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    expect(pkg.engines.node).toBe(`>=${major}`);
    expect(pkg.devDependencies["@types/node"]).toMatch(new RegExp(`^${major}\\.`));
  });

  test("every workflow sets up that Node.js major", () => {
    const dir = join(root, ".github", "workflows");
    const versions = readdirSync(dir)
      .filter((f) => f.endsWith(".yml"))
      .flatMap((f) => [...readFileSync(join(dir, f), "utf8").matchAll(/node-version:\s*["']?([^"'\s]+)/g)])
      .map((m) => m[1]);
    expect(versions.length).toBeGreaterThan(0);
    expect(new Set(versions)).toEqual(new Set([major]));
  });
});
