import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * Runs the real Terraform engine on synthesized stacks, offline.
 *
 * Settings (environment variables):
 * - `TERRAFORM_BIN`: the Terraform CLI (default `terraform` on PATH); 1.11.x is what CI uses.
 * - `TF_PROVIDER_MIRROR`: root of a filesystem provider mirror holding hashicorp/aws 5.100.0 (the folder
 *   above `registry.terraform.io`). Default: `/opt/tf-plugins` when it exists, else none, and Terraform
 *   downloads the provider from the registry.
 */
export const TERRAFORM_BIN = process.env.TERRAFORM_BIN ?? "terraform";

function defaultMirror(): string | undefined {
  if (process.env.TF_PROVIDER_MIRROR) return process.env.TF_PROVIDER_MIRROR;
  return existsSync("/opt/tf-plugins/registry.terraform.io") ? "/opt/tf-plugins" : undefined;
}

/** The result of one Terraform command. */
export interface EngineResult {
  readonly ok: boolean;
  /** stdout and stderr, without colour codes. */
  readonly output: string;
}

let workRoot: string | undefined;
let cliConfig: string | undefined;

function root(): string {
  if (!workRoot) {
    workRoot = mkdtempSync(join(tmpdir(), "engine-"));
    const mirror = defaultMirror();
    cliConfig = join(workRoot, "terraform.rc");
    // The mirror doubles as the plugin cache, so `init` links the 700 MB provider instead of copying it.
    writeFileSync(
      cliConfig,
      mirror
        ? [
            `plugin_cache_dir = ${JSON.stringify(mirror)}`,
            "plugin_cache_may_break_dependency_lock_file = true",
            "provider_installation {",
            `  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/hashicorp/*"]\n  }`,
            '  direct {\n    exclude = ["registry.terraform.io/hashicorp/*"]\n  }',
            "}",
            "",
          ].join("\n")
        : "",
    );
  }
  return workRoot;
}

/** Fails loudly when Terraform is missing: the engine checks are required, not optional. */
export async function requireTerraform(): Promise<string> {
  try {
    const { stdout } = await run(TERRAFORM_BIN, ["version", "-json"], { env: engineEnv() });
    return (JSON.parse(stdout) as { terraform_version: string }).terraform_version;
  } catch (error) {
    throw new Error(
      `Terraform is not available (${TERRAFORM_BIN}): the engine checks cannot run. Install Terraform 1.11.x ` +
        `or set TERRAFORM_BIN to its path. Cause: ${(error as Error).message}`,
    );
  }
}

function engineEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  root();
  const env: NodeJS.ProcessEnv = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", ...extra };
  env.TF_CLI_CONFIG_FILE = cliConfig;
  delete env.TF_WORKSPACE;
  if (extra.TF_WORKSPACE) env.TF_WORKSPACE = extra.TF_WORKSPACE;
  return env;
}

async function terraform(
  dir: string,
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<EngineResult> {
  try {
    const { stdout, stderr } = await run(TERRAFORM_BIN, [`-chdir=${dir}`, ...args, "-no-color"], {
      env: engineEnv(extraEnv),
      maxBuffer: 64 * 1024 * 1024,
    });
    return { ok: true, output: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${e.stdout ?? ""}${e.stderr ?? ""}` || e.message };
  }
}

let warmUp: Promise<void> | undefined;

/**
 * One `terraform init` before any other: with a plugin cache but no mirror (GitHub's runners), the
 * first init downloads the provider into the cache, which concurrent inits must not race to fill.
 */
function warmProviderCache(): Promise<void> {
  warmUp ??= (async () => {
    const dir = join(root(), "warm-up");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "main.tf.json"),
      JSON.stringify({
        terraform: { required_providers: { aws: { source: "hashicorp/aws", version: "5.100.0" } } },
      }),
    );
    const result = await terraform(dir, ["init", "-backend=false", "-input=false"]);
    if (!result.ok)
      throw new Error(`terraform init could not install hashicorp/aws 5.100.0:\n${result.output}`);
  })();
  return warmUp;
}

/** A stack written to its own folder and initialised against the provider mirror. */
export class EngineStack {
  private constructor(public readonly dir: string) {}

  /** Writes the stack's JSON (and any `.tftest.hcl` files) and runs `terraform init -backend=false`. */
  static async init(
    name: string,
    stackJson: unknown,
    testFiles: Record<string, string> = {},
  ): Promise<EngineStack> {
    await warmProviderCache();
    // A folder of its own for every run: two variants that synthesize alike must not race in one.
    const dir = mkdtempSync(join(root(), `${name}-`));
    mkdirSync(join(dir, "tests"), { recursive: true });
    writeFileSync(join(dir, "main.tf.json"), JSON.stringify(stackJson, null, 2));
    for (const [file, content] of Object.entries(testFiles)) writeFileSync(join(dir, "tests", file), content);
    const result = await terraform(dir, ["init", "-backend=false", "-input=false"]);
    if (!result.ok) throw new Error(`terraform init failed for ${name}:\n${result.output}`);
    return new EngineStack(dir);
  }

  /** `terraform validate`. */
  validate(): Promise<EngineResult> {
    return terraform(this.dir, ["validate"]);
  }

  /** `terraform test` (mocked provider runs), in the given workspace. */
  test(options: { workspace?: string; filter?: string } = {}): Promise<EngineResult> {
    const args = ["test"];
    if (options.filter) args.push(`-filter=tests/${options.filter}`);
    return terraform(this.dir, args, options.workspace ? { TF_WORKSPACE: options.workspace } : {});
  }

  /** Any terraform command in the stack's folder. */
  run(args: string[]): Promise<EngineResult> {
    return terraform(this.dir, args);
  }

  /** Writes a file into the stack's folder (a state file, say). */
  write(file: string, content: string): void {
    writeFileSync(join(this.dir, file), content);
  }

  /** Reads a file of the stack's folder (for debugging failed runs). */
  read(file: string): string {
    return readFileSync(join(this.dir, file), "utf8");
  }
}

/** The Terraform address of the data source that carries a stack's workspace guard. */
export function workspaceGuardAddress(json: { readonly data?: Record<string, Record<string, any>> }): string {
  const [name] =
    Object.entries(json.data?.aws_caller_identity ?? {}).find(([, d]) => d.lifecycle?.postcondition) ?? [];
  if (!name) throw new Error("stack has no workspace guard");
  return `data.aws_caller_identity.${name}`;
}
