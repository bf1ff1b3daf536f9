/**
 * Every stack the app synthesizes, with what CI needs to run it, as JSON on stdout:
 *
 *   npx tsx scripts/stack-matrix.ts             every stack of every platform
 *   npx tsx scripts/stack-matrix.ts --plan      only the stacks a pull request plans (plan.yml's matrix)
 *   npx tsx scripts/stack-matrix.ts --deploy    one entry per platform and environment
 *   npx tsx scripts/stack-matrix.ts --deploy --push              those a push to main deploys (deploy.yml)
 *   npx tsx scripts/stack-matrix.ts --deploy --target <p>-<env>  that one (deploy.yml, by hand)
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
  /** The GitHub environment the deployment runs in (the deploy role trusts only it). */
  readonly githubEnvironment: string;
  /** The variable of that GitHub environment holding the deploy role's ARN. */
  readonly deployRoleVariable: string;
  /** Whether a push to main deploys it. */
  readonly deployOnPush: boolean;
}

/** The stacks grouped per platform and environment (state stores excluded: an administrator applies them). */
export function deployMatrix(entries: readonly StackEntry[]): DeployEntry[] {
  const groups = new Map<string, StackEntry[]>();
  for (const e of entries) {
    if (e.platform === null || e.environment === undefined) continue;
    // Keyed by the pair, not the joined name (the registry also refuses names that would make it ambiguous).
    const key = JSON.stringify([e.platform, e.environment]);
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  return [...groups.values()].map((stacks) => {
    const first = stacks[0]!;
    const name = `${first.platform}-${first.environment}`;
    return {
      platform: first.platform!,
      environment: first.environment!,
      workspace: first.workspace,
      account: first.account,
      stacks: stacks.map((s) => s.stack).join(" "),
      name,
      githubEnvironment: first.githubEnvironment!,
      deployRoleVariable: first.deployRoleVariable!,
      deployOnPush: first.deployOnPush,
    };
  });
}

/** The deployments a run makes: `--push` those with deployOnPush, `--target <name>` that one (an unknown name throws). */
export function selectDeployments(
  deployments: readonly DeployEntry[],
  selection: { readonly push?: boolean; readonly target?: string },
): DeployEntry[] {
  if (selection.target !== undefined) {
    const found = deployments.filter((d) => d.name === selection.target);
    if (found.length === 0) {
      throw new Error(
        `target ${JSON.stringify(selection.target)} is not a platform's environment of this repository (${deployments.map((d) => d.name).join(", ")}). Give one of those names.`,
      );
    }
    return found;
  }
  return selection.push ? deployments.filter((d) => d.deployOnPush) : [...deployments];
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const entries = stackMatrix();
  const targetAt = args.indexOf("--target");
  const output = args.includes("--deploy")
    ? selectDeployments(deployMatrix(entries), {
        push: args.includes("--push"),
        ...(targetAt >= 0 ? { target: args[targetAt + 1] ?? "" } : {}),
      })
    : args.includes("--plan")
      ? entries.filter((e) => e.plan)
      : entries;
  process.stdout.write(`${JSON.stringify(output)}\n`);
}
