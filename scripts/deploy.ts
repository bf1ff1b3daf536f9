/**
 * Plans or applies stacks in their own Terraform workspace, creating the workspace when missing.
 *
 *   npm run deploy -- staging -var image_tag=abc123     apply one stack (extra args go to terraform)
 *   npm run plan -- prod -var image_tag=abc123          plan one stack
 *   npm run bootstrap -- staging -var image_tag=abc123  apply `staging`, then `staging-grafana`
 *
 * It synthesizes first (unless `--synthesized` says a synth already ran, as in the workflows), then runs,
 * in cdktf.out/stacks/<stack>:
 *   terraform init -input=false [-plugin-dir=$TF_PROVIDER_MIRROR]
 *   terraform workspace select -or-create <workspace>
 *   terraform plan|apply <args>
 *
 * A `-var name=value` for a variable the stack does not declare is dropped (Terraform refuses it), so
 * one command line can serve every stack of an environment: `-var image_tag=<sha>` reaches the stacks
 * that run an image and no other.
 *
 * `TF_PROVIDER_MIRROR` (the root of a filesystem provider mirror, as for the tests) makes `init` install
 * providers from it instead of the registry. Terraform's update check is off (`CHECKPOINT_DISABLE=1`)
 * unless you set it: offline it only prints an error.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { meetingNotes } from "../stacks/meeting-notes/platform";
import { stackMatrix } from "./stack-matrix";
import { argumentsFor } from "./terraform-args";

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { stdio: "inherit", env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function terraform(stack: string, workspace: string, command: "plan" | "apply", args: string[]): void {
  const dir = join("cdktf.out", "stacks", stack);
  if (!existsSync(join(dir, "cdk.tf.json"))) {
    console.error(`stack ${stack} was not synthesized (${dir}/cdk.tf.json is missing)`);
    process.exit(1);
  }
  const config = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as { variable?: object };
  const stackArgs = argumentsFor(Object.keys(config.variable ?? {}), args);
  // TF_WORKSPACE would override the selection below; this script owns the workspace choice.
  const env: NodeJS.ProcessEnv = { CHECKPOINT_DISABLE: "1", ...process.env };
  delete env.TF_WORKSPACE;
  const mirror = process.env.TF_PROVIDER_MIRROR;
  run(
    "terraform",
    [`-chdir=${dir}`, "init", "-input=false", ...(mirror ? [`-plugin-dir=${mirror}`] : [])],
    env,
  );
  run("terraform", [`-chdir=${dir}`, "workspace", "select", "-or-create", workspace], env);
  run("terraform", [`-chdir=${dir}`, command, "-input=false", ...stackArgs], env);
}

/** Waits until the rotation seeded the token secret (it has an AWSCURRENT version), at most `timeoutMs`. */
async function waitForToken(environment: string, timeoutMs = 180_000): Promise<void> {
  const env = meetingNotes.environments().find((e) => e.environment === environment)!;
  const secretId = `${env.projectName}-${env.environment}/grafana-service-account-token`;
  const client = new SecretsManagerClient({ region: env.region });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const secret = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
    const stages = Object.values(secret.VersionIdsToStages ?? {}).flat();
    if (stages.includes("AWSCURRENT")) return;
    if (Date.now() > deadline) {
      console.error(
        `${secretId} still has no current token after ${timeoutMs / 1000} s. Read the rotation function's logs, ` +
          `then run: aws lambda invoke --function-name ${env.projectName}-${env.environment}-grafana-token-rotation /dev/stdout`,
      );
      process.exit(1);
    }
    console.log(`waiting for the first Grafana token in ${secretId} ...`);
    await new Promise((resolve) => setTimeout(resolve, 10_000));
  }
}

const argv = process.argv.slice(2);
const synthesized = argv.includes("--synthesized");
const [mode, stack, ...rest] = argv.filter((a) => a !== "--synthesized");
const matrix = stackMatrix();
const workspaces = Object.fromEntries(matrix.map((e) => [e.stack, e.workspace]));
// The two-phase Grafana bootstrap is meeting-notes': `<env>` then `<env>-grafana`.
const bootstrappable = meetingNotes.environments().map((e) => e.environment);
const valid =
  (mode === "plan" || mode === "apply" || mode === "bootstrap") &&
  stack !== undefined &&
  stack in workspaces &&
  (mode !== "bootstrap" || bootstrappable.includes(stack));
if (!valid) {
  console.error(
    "usage: npm run deploy|plan -- <stack> [--synthesized] [terraform args] | npm run bootstrap -- <environment> [terraform args]\n" +
      `stacks: ${Object.keys(workspaces).join(", ")}\nbootstrap environments: ${bootstrappable.join(", ")}`,
  );
  process.exit(2);
}
// Only the stack's platform (and its state store) is synthesized; a state store's stack synthesizes all.
const platform = matrix.find((e) => e.stack === stack)!.platform;
if (!synthesized) run(process.execPath, ["scripts/app.cjs"], { ...process.env, PLATFORMS: platform ?? "" });
const workspace = workspaces[stack]!;
if (mode === "bootstrap") {
  // Phase 1 creates the workspaces, service account, secret and function, and seeds the first token;
  // phase 2 provisions the data sources and dashboard with that token.
  terraform(stack, workspace, "apply", rest);
  waitForToken(stack).then(
    () => {
      terraform(`${stack}-grafana`, workspace, "apply", rest);
    },
    (error: Error) => {
      console.error(`could not read the token secret: ${error.name}: ${error.message}`);
      process.exit(1);
    },
  );
} else {
  terraform(stack, workspace, mode, rest);
}
