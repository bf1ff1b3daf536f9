import { join } from "node:path";
import type { App } from "cdktf";
import { bundleFunction } from "../constructs/internal/bundle";
import { invalid } from "../constructs/internal/validation";
import type { FunctionCode } from "../constructs/observability";
import { WorkspaceGuard } from "../constructs/workspace-guard";
import type { EnvironmentConfig, StateConfig } from "../environments";
import { useRemoteState } from "./backend";
import { EnvironmentStack } from "./environment-stack";
import { GrafanaStack } from "./grafana-stack";
import { StateStack } from "./state-stack";

/** What the app is built from: the checked environments and the bootstrap stack's settings. */
export interface PlatformAppProps {
  readonly environments: readonly EnvironmentConfig[];
  readonly state: StateConfig;
  /**
   * The Grafana token rotation function's bundle.
   * @default - functions/grafana-token-rotation bundled with esbuild into a reproducible zip
   */
  readonly rotationCode?: FunctionCode;
}

/** The stacks of one build, by name. */
export interface Platform {
  readonly state: StateStack;
  readonly environments: Readonly<Record<string, EnvironmentStack>>;
  readonly grafana: Readonly<Record<string, GrafanaStack>>;
}

/**
 * Adds every stack of the platform to the app: `state` (the bootstrap), then per environment
 * `<env>` (the application infrastructure, so `cdktf deploy staging` does what it says) and
 * `<env>-grafana` (phase 2: Grafana content, kept apart so an expired token never blocks a deploy
 * of the application).
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
  const rotationCode =
    props.rotationCode ??
    bundleFunction({
      entry: join(__dirname, "..", "functions", "grafana-token-rotation", "handler.ts"),
      name: "grafana-token-rotation",
    });

  const state = new StateStack(app, "state", { state: props.state, backend: props.state.backend });
  const environments: Record<string, EnvironmentStack> = {};
  const grafana: Record<string, GrafanaStack> = {};
  for (const env of props.environments) {
    const grafanaId = `${env.environment}-grafana`;
    const stack = new EnvironmentStack(app, env.environment, {
      environment: env,
      state: props.state,
      rotationCode,
      stateStackIds: [env.environment, grafanaId],
    });
    environments[env.environment] = stack;
    grafana[env.environment] = new GrafanaStack(app, grafanaId, {
      environment: env,
      grafanaWorkspaceUrl: stack.grafana.url,
      tokenSecretArn: stack.tokenRotation.secretArn,
      prometheusWorkspaceQueryUrl: stack.prometheus.endpoint,
      prometheusWorkspaceId: stack.prometheus.workspaceId,
      ecsClusterName: stack.service.clusterName,
      ecsServiceName: stack.service.serviceName,
      albArnSuffix: stack.apiDomain?.albArnSuffix,
      targetGroupArnSuffix: stack.apiDomain?.targetGroupArnSuffix,
      configureBackend: (s) => useRemoteState(s, props.state, grafanaId),
      configure: (s) =>
        new WorkspaceGuard(s, "workspace-guard", { workspace: env.workspace, stackName: grafanaId }),
    });
  }
  return { state, environments, grafana };
}

/** Every warning a construct of the app recorded (`Annotations.of(scope).addWarning`), as `path: message`. */
export function synthWarnings(app: App): string[] {
  return app.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === "@cdktf/warn")
        .map((entry) => `${construct.node.path}: ${String(entry.data)}`),
    );
}
