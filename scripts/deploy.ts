/**
 * Plans or applies one stack in its own Terraform workspace, creating the workspace when missing.
 *
 *   npm run deploy -- staging [extra terraform apply arguments, e.g. -var image_tag=abc123]
 *   npm run plan -- prod -var image_tag=abc123
 *
 * It synthesizes first, then runs, in cdktf.out/stacks/<stack>:
 *   terraform init -input=false
 *   terraform workspace select -or-create <workspace>
 *   terraform plan|apply <args>
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { stackWorkspaces } from "./stack-workspaces";

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const result = spawnSync(command, args, { stdio: "inherit", env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const [mode, stack, ...rest] = process.argv.slice(2);
const workspaces = stackWorkspaces();
if ((mode !== "plan" && mode !== "apply") || !stack || !(stack in workspaces)) {
  console.error(
    `usage: npm run deploy|plan -- <stack> [terraform args]; stacks: ${Object.keys(workspaces).join(", ")}`,
  );
  process.exit(2);
}
const workspace = workspaces[stack]!;
run(process.execPath, ["--import", "tsx", "main.ts"]);
const dir = join("cdktf.out", "stacks", stack);
if (!existsSync(dir)) {
  console.error(`stack ${stack} was not synthesized (${dir} is missing)`);
  process.exit(1);
}
// TF_WORKSPACE would override the selection below; the script owns the workspace choice.
const env = { ...process.env };
delete env.TF_WORKSPACE;
run("terraform", [`-chdir=${dir}`, "init", "-input=false"], env);
if (stack !== "state" || workspace !== "default") {
  run("terraform", [`-chdir=${dir}`, "workspace", "select", "-or-create", workspace], env);
}
run("terraform", [`-chdir=${dir}`, mode, "-input=false", ...rest], env);
