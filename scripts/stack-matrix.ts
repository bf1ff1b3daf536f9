/**
 * Every stack the app synthesizes, with what CI needs to run it, as JSON on stdout:
 *
 *   npx tsx scripts/stack-matrix.ts             every stack of every platform
 *   npx tsx scripts/stack-matrix.ts --plan      only the stacks a pull request plans (plan.yml's matrix)
 *   npx tsx scripts/stack-matrix.ts --deploy    one entry per platform and environment (deploy.yml's matrix)
 *
 * A stack entry (stacks/registry.ts, StackEntry): `stack` (the cdktf stack id and
 * `cdktf.out/stacks/<stack>`), `platform` (null for a state store's stack), `environment`, `source`,
 * `store`, `workspace`, `account` (the environment's or its store's `accountId`, or null), `plan`
 * (whether a pull request plans it) and `planRoleVariable` (the GitHub variable holding the plan
 * role's ARN). It reads the settings only: nothing is synthesized.
 */
import { loadStateStores } from "../environments";
import { PLATFORMS } from "../stacks/platforms";
import { planApp, type StackEntry } from "../stacks/registry";

/** Every stack of the registered platforms and the state stores. */
export function stackMatrix(): readonly StackEntry[] {
  return planApp(PLATFORMS, loadStateStores()).entries;
}

/** One deployment of deploy.yml: a platform's environment and its stacks in deploy order. */
export interface DeployEntry {
  readonly platform: string;
  readonly environment: string;
  readonly workspace: string;
  readonly account: string | null;
  /** Space-separated stack ids, applied in this order by deploy-environment.yml. */
  readonly stacks: string;
  /** `<platform>-<environment>`: the GitHub Actions concurrency group and job name. */
  readonly name: string;
}

/** The stacks grouped per platform and environment (state stores excluded: an administrator applies them). */
export function deployMatrix(entries: readonly StackEntry[]): DeployEntry[] {
  const groups = new Map<string, StackEntry[]>();
  for (const e of entries) {
    if (e.platform === null || e.environment === undefined) continue;
    const key = `${e.platform}-${e.environment}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  return [...groups].map(([name, stacks]) => ({
    platform: stacks[0]!.platform!,
    environment: stacks[0]!.environment!,
    workspace: stacks[0]!.workspace,
    account: stacks[0]!.account,
    stacks: stacks.map((s) => s.stack).join(" "),
    name,
  }));
}

if (require.main === module) {
  const entries = stackMatrix();
  const output = process.argv.includes("--deploy")
    ? deployMatrix(entries)
    : process.argv.includes("--plan")
      ? entries.filter((e) => e.plan)
      : entries;
  process.stdout.write(`${JSON.stringify(output)}\n`);
}
