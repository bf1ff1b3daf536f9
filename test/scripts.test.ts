import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { argumentsFor } from "../scripts/terraform-args";
import { invalidateSynthOutput } from "../stacks/synth-output";
import { synthPlatform } from "./support/platform";

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
