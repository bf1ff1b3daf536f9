import type { App } from "cdktf";
import { invalid } from "../constructs/internal/validation";
import type { EnvironmentConfig, StateConfig } from "../environments";
import { EnvironmentStack } from "./environment-stack";
import { StateStack } from "./state-stack";

/** What the app is built from: the checked environments and the bootstrap stack's settings. */
export interface PlatformAppProps {
  readonly environments: readonly EnvironmentConfig[];
  readonly state: StateConfig;
}

/** The stacks of one build, by name. */
export interface Platform {
  readonly state: StateStack;
  readonly environments: Readonly<Record<string, EnvironmentStack>>;
}

/**
 * Adds every stack of the platform to the app: `state` (the bootstrap), then one stack per
 * environment named after it (`staging`, `prod`), so `cdktf deploy staging` does what it says.
 */
export function buildPlatform(app: App, props: PlatformAppProps): Platform {
  const names = new Set<string>();
  for (const env of props.environments) {
    if (names.has(env.environment) || env.environment === "state") {
      throw invalid(
        "environment",
        'must be unique across environments and not "state" (stack names)',
        env.environment,
        "Give each environment its own name.",
      );
    }
    names.add(env.environment);
  }
  const state = new StateStack(app, "state", { state: props.state, backend: props.state.backend });
  const environments: Record<string, EnvironmentStack> = {};
  for (const env of props.environments) {
    environments[env.environment] = new EnvironmentStack(app, env.environment, {
      environment: env,
      state: props.state,
    });
  }
  return { state, environments };
}
