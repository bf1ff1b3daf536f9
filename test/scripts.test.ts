import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { argumentsFor } from "../scripts/terraform-args";
import { invalidateSynthOutput } from "../stacks/synth-output";
import { loadEnvironments, synthPlatform } from "./support/platform";

describe("npm run bootstrap passes the user's Terraform arguments to phase 2", () => {
  const grafanaVariables = Object.keys(synthPlatform()["staging-grafana"]!.variable ?? {});

  test("the Grafana stack declares its own variables, not image_tag", () => {
    expect(grafanaVariables.sort()).toEqual(["grafana_api_key", "grafana_url"]);
  });

  test("keeps every argument but values of variables the stack does not declare", () => {
    expect(
      argumentsFor(grafanaVariables, [
        "-var",
        "image_tag=abc123",
        "-lock-timeout=5m",
        "-var=grafana_url=https://g-1.grafana-workspace.us-east-1.amazonaws.com",
        "-parallelism=4",
        "-var=image_tag=def",
      ]),
    ).toEqual([
      "-lock-timeout=5m",
      "-var",
      "grafana_url=https://g-1.grafana-workspace.us-east-1.amazonaws.com",
      "-parallelism=4",
    ]);
  });
});

describe("a failed synth leaves nothing that looks deployable", () => {
  test("invalidateSynthOutput removes the manifest and every stack's configuration, and keeps .terraform", () => {
    const outdir = mkdtempSync(join(tmpdir(), "synth-out-"));
    for (const stack of ["staging", "prod"]) {
      mkdirSync(join(outdir, "stacks", stack, ".terraform"), { recursive: true });
      writeFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "{}");
    }
    writeFileSync(join(outdir, "manifest.json"), "{}");

    invalidateSynthOutput(outdir);

    expect(existsSync(join(outdir, "manifest.json"))).toBe(false);
    for (const stack of ["staging", "prod"]) {
      expect(existsSync(join(outdir, "stacks", stack, "cdk.tf.json"))).toBe(false);
      expect(existsSync(join(outdir, "stacks", stack, ".terraform"))).toBe(true);
    }
  });

  test("and a missing output folder is fine", () => {
    expect(() => invalidateSynthOutput(join(tmpdir(), "does-not-exist-synth-out"))).not.toThrow();
    expect(existsSync(join(tmpdir(), "does-not-exist-synth-out"))).toBe(false);
  });
});

describe("the CI matrix is read from the app", () => {
  test("every synthesized stack is in the matrix, with its workspace; pull requests plan the application stacks", async () => {
    const { stackMatrix } = await import("../scripts/stack-matrix");
    const environments = loadEnvironments();
    const matrix = stackMatrix();
    expect(matrix.map((e) => e.stack).sort()).toEqual(Object.keys(synthPlatform()).sort());
    for (const env of environments) {
      expect(matrix.find((e) => e.stack === env.environment)).toMatchObject({
        workspace: env.workspace,
        plan: true,
        planRoleVariable: `AWS_PLAN_ROLE_ARN_${env.environment.toUpperCase()}`,
        account: env.accountId ?? null,
      });
      expect(matrix.find((e) => e.stack === `${env.environment}-grafana`)).toMatchObject({ plan: false });
    }
    expect(matrix.find((e) => e.stack === "state")).toMatchObject({ workspace: "default", plan: false });
  });

  test("the script prints the plan matrix as JSON", async () => {
    const { execFileSync } = await import("node:child_process");
    const out = execFileSync(process.execPath, ["--import", "tsx", "scripts/stack-matrix.ts", "--plan"], {
      encoding: "utf8",
    });
    const entries = JSON.parse(out) as { stack: string; plan: boolean }[];
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.plan)).toBe(true);
  });
});

describe("a successful synth removes the configuration of stacks the app no longer has", () => {
  test("removeStaleStacks keeps current stacks and .terraform folders", async () => {
    const { removeStaleStacks } = await import("../stacks/synth-output");
    const outdir = mkdtempSync(join(tmpdir(), "synth-out-"));
    for (const stack of ["staging", "qa"]) {
      mkdirSync(join(outdir, "stacks", stack, ".terraform"), { recursive: true });
      writeFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "{}");
    }
    expect(removeStaleStacks(outdir, ["staging"])).toEqual(["qa"]);
    expect(existsSync(join(outdir, "stacks", "staging", "cdk.tf.json"))).toBe(true);
    expect(existsSync(join(outdir, "stacks", "qa", "cdk.tf.json"))).toBe(false);
    expect(existsSync(join(outdir, "stacks", "qa", ".terraform"))).toBe(true);
  });
});
