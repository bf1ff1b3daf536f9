import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { argumentsFor } from "../scripts/terraform-args";
import { githubVariable } from "../stacks/registry";
import { invalidateSynthOutput } from "../stacks/synth-output";
import { loadEnvironments, synthApp, synthPlatform } from "./support/platform";

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
    expect(matrix.map((e) => e.stack).sort()).toEqual(Object.keys(synthApp()).sort());
    for (const env of environments) {
      expect(matrix.find((e) => e.stack === env.environment)).toMatchObject({
        platform: "meeting-notes",
        workspace: env.workspace,
        plan: true,
        planRoleVariable: githubVariable("AWS_PLAN_ROLE_ARN", env.environment),
        account: env.accountId ?? null,
        githubEnvironment: env.ci.githubEnvironment,
        deployRoleVariable: "AWS_DEPLOY_ROLE_ARN",
      });
      expect(matrix.find((e) => e.stack === `${env.environment}-grafana`)).toMatchObject({ plan: false });
    }
    expect(matrix.find((e) => e.stack === "state")).toMatchObject({
      platform: null,
      workspace: "default",
      plan: false,
    });
  });

  test("deployments group each platform's environment, its stacks in order; a push deploys those with deployOnPush", async () => {
    const { deployMatrix, selectDeployments, stackMatrix } = await import("../scripts/stack-matrix");
    const deployments = deployMatrix(stackMatrix());
    const environments = loadEnvironments();
    expect(deployments.filter((d) => d.platform === "meeting-notes")).toEqual(
      environments.map((env) => ({
        platform: "meeting-notes",
        environment: env.environment,
        workspace: env.workspace,
        account: env.accountId ?? null,
        stacks: `${env.environment} ${env.environment}-grafana`,
        name: `meeting-notes-${env.environment}`,
        githubEnvironment: env.ci.githubEnvironment,
        deployRoleVariable: "AWS_DEPLOY_ROLE_ARN",
        deployOnPush: env.ci.deployOnPush,
      })),
    );
    expect(deployments.filter((d) => d.platform === "freeside").map((d) => [d.name, d.stacks])).toEqual([
      ["freeside-staging", "freeside-staging"],
      ["freeside-production", "freeside-production"],
    ]);
    expect(deployments.filter((d) => d.platform === "candlefish").map((d) => [d.name, d.stacks])).toEqual([
      ["candlefish-dev", "candlefish-dev"],
      ["candlefish-prod", "candlefish-prod"],
    ]);
    expect(selectDeployments(deployments, { push: true }).map((d) => d.name)).toEqual(
      deployments.filter((d) => d.deployOnPush).map((d) => d.name),
    );
    expect(selectDeployments(deployments, { push: true }).map((d) => d.name)).toEqual([
      "meeting-notes-staging",
      "freeside-staging",
      "candlefish-dev",
    ]);
    const last = deployments[deployments.length - 1]!;
    expect(selectDeployments(deployments, { target: last.name })).toEqual([last]);
    expect(() => selectDeployments(deployments, { target: "nowhere-prod" })).toThrow(
      `target "nowhere-prod" is not a platform's environment of this repository (${deployments.map((d) => d.name).join(", ")}). Give one of those names.`,
    );
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

describe("deployment is one reusable workflow, the one the deploy roles trust", () => {
  const workflow = (name: string) =>
    readFileSync(join(__dirname, "..", ".github", "workflows", name), "utf8");

  test("the trusted workflow is called by workflow_call only, and deploy.yml calls it for each matrix entry", async () => {
    const { DEFAULT_DEPLOY_WORKFLOW } = await import("../constructs/ci");
    const trusted = readFileSync(join(__dirname, "..", DEFAULT_DEPLOY_WORKFLOW), "utf8");
    expect(trusted).toMatch(/^on:\n {2}workflow_call:\n/m);
    expect(trusted).not.toMatch(/^ {2}(push|workflow_dispatch|pull_request):/m);
    const caller = workflow("deploy.yml");
    expect(caller).toContain(`uses: ./${DEFAULT_DEPLOY_WORKFLOW}`);
    expect(caller).toContain("include: ${{ fromJSON(needs.matrix.outputs.deployments) }}");
    // Only the trusted workflow's jobs assume a deploy role.
    expect(caller).not.toContain("configure-aws-credentials");
    expect(trusted).toContain("role-to-assume: ${{ vars[inputs.deploy_role_variable] }}");
  });

  test("the trusted workflow's job runs only for deploy.yml on main (job_workflow_ref does not name the caller)", async () => {
    const { DEFAULT_DEPLOY_WORKFLOW } = await import("../constructs/ci");
    const trusted = readFileSync(join(__dirname, "..", DEFAULT_DEPLOY_WORKFLOW), "utf8");
    const jobs = trusted.split("\njobs:\n")[1]!;
    // One job, and its guard comes before any step (so before the checkout of the caller's code).
    expect([...jobs.matchAll(/^ {2}[a-z-]+:$/gm)]).toHaveLength(1);
    const guard = jobs.slice(0, jobs.indexOf("    steps:"));
    expect(guard).toContain("github.ref == 'refs/heads/main'");
    expect(guard).toContain(
      "github.workflow_ref == format('{0}/.github/workflows/deploy.yml@refs/heads/main', github.repository)",
    );
  });

  test("no workflow but deploy.yml calls the trusted workflow", async () => {
    const { DEFAULT_DEPLOY_WORKFLOW } = await import("../constructs/ci");
    const dir = join(__dirname, "..", ".github", "workflows");
    const callers = readdirSync(dir).filter((f) =>
      readFileSync(join(dir, f), "utf8").includes(`uses: ./${DEFAULT_DEPLOY_WORKFLOW}`),
    );
    expect(callers).toEqual(["deploy.yml"]);
  });

  test("every input deploy.yml passes is one the reusable workflow declares, and every required one is passed", () => {
    const declared = [
      ...workflow("deploy-environment.yml").matchAll(/^ {6}([a-z_]+):\n {8}description:/gm),
    ].map((m) => m[1]);
    const withBlock = workflow("deploy.yml").split("\n    with:\n")[1]!;
    const passed = [...withBlock.matchAll(/^ {6}([a-z_]+):/gm)].map((m) => m[1]);
    expect(passed.sort()).toEqual(declared.sort());
  });

  test("plan.yml plans the matrix's stacks, each synthesized for its platform only", () => {
    const plan = workflow("plan.yml");
    expect(plan).toContain("npx tsx scripts/stack-matrix.ts --plan");
    expect(plan).toContain("PLATFORMS: ${{ matrix.platform }}");
    expect(plan).toContain("role-to-assume: ${{ vars[matrix.planRoleVariable] }}");
  });
});

describe("npm run bench's generated environments", () => {
  test("pass every check of the registry, each with its own stacks, workspace and GitHub environment", async () => {
    const { benchmarkPlatforms } = await import("../stacks/bench");
    const { PLATFORMS } = await import("../stacks/platforms");
    const { planApp } = await import("../stacks/registry");
    const { loadStateStores } = await import("../environments");
    const shipped = planApp(PLATFORMS, loadStateStores()).entries.length;
    const { entries } = planApp(benchmarkPlatforms(PLATFORMS, 3), loadStateStores());
    const perEnvironment = PLATFORMS[0]!.stacks(PLATFORMS[0]!.environments()[0]!).length;
    expect(entries.length).toBe(shipped + 3 * perEnvironment);
    expect(entries.filter((e) => e.environment === "bench3").map((e) => e.githubEnvironment)).toContain(
      "bench3",
    );
  });
});

describe("the synth fast path (scripts/app.cjs) builds what main.ts builds", () => {
  test("same stacks, byte for byte, as running main.ts with tsx; PLATFORMS is read, and an unknown name refused", async () => {
    const { execFileSync } = await import("node:child_process");
    const synth = (args: string[], env: Record<string, string> = {}) => {
      const outdir = mkdtempSync(join(tmpdir(), "synth-path-"));
      execFileSync(process.execPath, args, {
        env: { ...process.env, CDKTF_OUTDIR: outdir, ...env },
        stdio: "pipe",
      });
      const stacks = readdirSync(join(outdir, "stacks")).sort();
      return Object.fromEntries(
        stacks.map((s) => [s, readFileSync(join(outdir, "stacks", s, "cdk.tf.json"), "utf8")]),
      );
    };
    const fast = synth(["scripts/app.cjs"]);
    expect(Object.keys(fast)).toEqual(Object.keys(synthApp()).sort());
    expect(fast).toEqual(synth(["--import", "tsx", "main.ts"]));
    expect(synth(["scripts/app.cjs"], { PLATFORMS: "meeting-notes,freeside,candlefish" })).toEqual(fast);
    // One platform: its stacks and its store's, byte for byte as in the full synth.
    const one = synth(["scripts/app.cjs"], { PLATFORMS: "freeside" });
    expect(Object.keys(one)).toEqual([
      "account-freeside-us-east-1",
      "freeside-production",
      "freeside-staging",
      "state-freeside",
    ]);
    for (const [stack, json] of Object.entries(one)) expect(json).toBe(fast[stack]);
    expect(() => synth(["scripts/app.cjs"], { PLATFORMS: "nowhere" })).toThrow(
      'PLATFORMS: "nowhere" is not a platform of this repository',
    );
  }, 60_000);
});

describe("the fast path's bundle follows its inputs' contents, not their times", () => {
  test("an edit that keeps the file's modification time is still picked up", async () => {
    const { execFileSync } = await import("node:child_process");
    const { copyFileSync, symlinkSync, statSync, utimesSync } = await import("node:fs");
    const dir = mkdtempSync(join(tmpdir(), "app-path-"));
    mkdirSync(join(dir, "scripts"));
    copyFileSync(join(__dirname, "..", "scripts", "app.cjs"), join(dir, "scripts", "app.cjs"));
    symlinkSync(join(__dirname, "..", "node_modules"), join(dir, "node_modules"));
    writeFileSync(join(dir, "tsconfig.json"), "{}");
    writeFileSync(join(dir, "package-lock.json"), "{}");
    writeFileSync(join(dir, "main.ts"), 'import { value } from "./value";\nprocess.stdout.write(value);\n');
    const value = join(dir, "value.ts");
    const run = () => execFileSync(process.execPath, [join(dir, "scripts", "app.cjs")], { encoding: "utf8" });
    writeFileSync(value, 'export const value = "first";\n');
    expect(run()).toBe("first");
    const { mtime } = statSync(value);
    writeFileSync(value, 'export const value = "again";\n');
    utimesSync(value, mtime, mtime);
    expect(run()).toBe("again");
    expect(run()).toBe("again");
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
