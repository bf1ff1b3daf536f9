/**
 * Every stack the app synthesizes, with what CI needs to run it, as JSON on stdout:
 *
 *   npx tsx scripts/stack-matrix.ts          every stack
 *   npx tsx scripts/stack-matrix.ts --plan   only the stacks a pull request plans (plan.yml's matrix)
 *
 * Each entry: `stack` (the cdktf stack id and `cdktf.out/stacks/<stack>`), `platform`, `environment`
 * (absent for the state stack), `workspace`, `account` (the environment's `accountId`, or null),
 * `plan` (whether a pull request plans it: the application stacks do; the Grafana stacks need the
 * Grafana token even to plan, which the plan role may not read; the state stack is an administrator's)
 * and `planRoleVariable` (the GitHub variable holding the plan role's ARN).
 */
import type { EnvironmentConfig } from "../environments";
import { loadEnvironments } from "../environments";

/** One stack of the matrix. */
export interface StackEntry {
  readonly stack: string;
  readonly platform: string;
  readonly environment?: string;
  readonly workspace: string;
  readonly account: string | null;
  readonly plan: boolean;
  readonly planRoleVariable?: string;
}

/** The platform every stack of this repository belongs to today (the registry adds the others). */
export const PLATFORM = "meeting-notes";

/** The matrix for these environments: the state stack, then each environment's stack and its Grafana stack. */
export function stackMatrix(environments: readonly EnvironmentConfig[]): StackEntry[] {
  const entries: StackEntry[] = [
    { stack: "state", platform: PLATFORM, workspace: "default", account: null, plan: false },
  ];
  for (const env of environments) {
    const common = {
      platform: PLATFORM,
      environment: env.environment,
      workspace: env.workspace,
      account: env.accountId ?? null,
    };
    entries.push(
      {
        stack: env.environment,
        ...common,
        plan: true,
        planRoleVariable: `AWS_PLAN_ROLE_ARN_${env.environment.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`,
      },
      { stack: `${env.environment}-grafana`, ...common, plan: false },
    );
  }
  return entries;
}

if (require.main === module) {
  const entries = stackMatrix(loadEnvironments());
  const selected = process.argv.includes("--plan") ? entries.filter((e) => e.plan) : entries;
  process.stdout.write(`${JSON.stringify(selected)}\n`);
}
