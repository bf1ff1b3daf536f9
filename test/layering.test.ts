/**
 * The repository's layering, read from the import statements: constructs depend on nothing above them;
 * only constructs use `constructs/internal/`; stacks compose constructs and create no AWS resource
 * themselves (neither AWS nor Grafana); a function's code uses its own folder and the shared function runtime only.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { TerraformResource } from "cdktf";
import { describe, expect, test } from "vitest";
import * as grafanaBindings from "../constructs/grafana/bindings";

const root = join(__dirname, "..");

function files(folder: string): string[] {
  return readdirSync(join(root, folder), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

/** Every relative import of a file, resolved to a repository path; package imports as written. */
function imports(file: string): string[] {
  const source = readFileSync(join(root, file), "utf8");
  return [...source.matchAll(/^(?:import|export)[^;]*?from\s+"([^"]+)"/gms)].map((m) => {
    const spec = m[1]!;
    return spec.startsWith(".") ? relative(root, resolve(dirname(join(root, file)), spec)) : spec;
  });
}

/** An import resolved to a file of this repository (not a package). */
const REPOSITORY_PATH = /^(functions|constructs|stacks|environments|policy|scripts|test|main)(\/|$)/;

/** The names a file imports with `import { a, b as c } from "..."`, with the resolved source. */
function namedImports(file: string): { from: string; name: string }[] {
  const source = readFileSync(join(root, file), "utf8");
  return [...source.matchAll(/^import\s+(?:type\s+)?\{([^}]*)\}\s*from\s+"([^"]+)"/gms)].flatMap((m) => {
    const spec = m[2]!;
    const from = spec.startsWith(".") ? relative(root, resolve(dirname(join(root, file)), spec)) : spec;
    return m[1]!
      .split(",")
      .map(
        (n) =>
          n
            .trim()
            .replace(/^type\s+/, "")
            .split(/\s+as\s+/)[0]!,
      )
      .filter((name) => name !== "")
      .map((name) => ({ from, name }));
  });
}

const offending = (sources: readonly string[], bad: (target: string) => boolean) =>
  sources.flatMap((file) =>
    imports(file)
      .filter(bad)
      .map((target) => `${file} -> ${target}`),
  );

describe("layering", () => {
  test("the import scanner sees imports (a check that it can fail)", () => {
    expect(imports("stacks/state-stack.ts")).toContain("constructs/ci");
    expect(namedImports("stacks/meeting-notes/grafana-stack.ts")).toContainEqual({
      from: "constructs/grafana",
      name: "GrafanaProvider",
    });
    expect(imports("stacks/providers.ts")).toContain("@cdktf/provider-aws/lib/provider");
  });

  test("constructs/ imports nothing from policy/, stacks/, environments/ or scripts/", () => {
    const above = ["policy", "stacks", "environments", "scripts", "main"];
    expect(
      offending(files("constructs"), (t) => above.some((a) => t === a || t.startsWith(`${a}/`))),
    ).toEqual([]);
  });

  test("only constructs/ uses constructs/internal/ (the rest uses the public constructs/core)", () => {
    const outside = [
      ...files("stacks"),
      ...files("environments"),
      ...files("scripts"),
      ...files("policy"),
      "main.ts",
    ].filter((f) => !f.endsWith(".test.ts"));
    expect(offending(outside, (t) => t.startsWith("constructs/internal"))).toEqual([]);
  });

  test("stacks/ creates no AWS resource itself: its only provider import is the provider", () => {
    expect(
      offending(
        files("stacks"),
        (t) => t.startsWith("@cdktf/provider-aws") && t !== "@cdktf/provider-aws/lib/provider",
      ),
    ).toEqual([]);
  });

  test("a function imports only its own folder, the shared function runtime and packages", () => {
    // Tests may read a construct's constant to check the two agree; the bundled code may not.
    const functionFiles = files("functions").filter(
      (f) => !f.startsWith("functions/shared/") && !f.endsWith(".test.ts"),
    );
    expect(functionFiles.length).toBeGreaterThan(0);
    const bad = functionFiles.flatMap((file) => {
      const own = `${file.split("/").slice(0, 2).join("/")}/`;
      return imports(file)
        .filter((t) => REPOSITORY_PATH.test(t) && !t.startsWith(own) && !t.startsWith("functions/shared/"))
        .map((t) => `${file} -> ${t}`);
    });
    expect(bad).toEqual([]);
  });

  test("the shared function runtime imports nothing of the repository but itself", () => {
    expect(
      offending(
        files("functions/shared"),
        (t) => REPOSITORY_PATH.test(t) && !t.startsWith("functions/shared/"),
      ),
    ).toEqual([]);
  });

  test("stacks/ creates no Grafana resource itself: it imports the Grafana provider and constructs only", () => {
    const resourceClasses = Object.entries(grafanaBindings)
      .filter(([, value]) => typeof value === "function" && value.prototype instanceof TerraformResource)
      .map(([name]) => name);
    expect(resourceClasses).toEqual(expect.arrayContaining(["GrafanaFolder", "GrafanaDashboard"]));
    const bad = files("stacks").flatMap((file) =>
      namedImports(file)
        .filter(({ from, name }) => from.startsWith("constructs/grafana") && resourceClasses.includes(name))
        .map(({ from, name }) => `${file} -> ${name} from ${from}`),
    );
    expect(bad).toEqual([]);
  });

  test("every import of @cdktf/provider-aws is a deep import", () => {
    const all = [
      ...files("constructs"),
      ...files("stacks"),
      ...files("policy"),
      ...files("test"),
      ...files("functions"),
    ];
    expect(offending(all, (t) => t === "@cdktf/provider-aws" || t === "@cdktf/provider-aws/lib")).toEqual([]);
  });
});
