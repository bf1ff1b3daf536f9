import { join } from "node:path";
import type { App } from "cdktf";
import { bundleFunction } from "../constructs/internal/bundle";
import { ConfigurationError } from "../constructs/internal/validation";
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
  checkEnvironmentSet(props.environments);
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
    // A construct's error names its prop; the user needs the file and the setting.
    inEnvironmentFile(env, () => {
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

/** Where each construct prop that a setting feeds comes from in the environment file. */
const SETTING_OF_PROP: Readonly<Record<string, string>> = {
  cidr: "network.cidr",
  availabilityZones: "network.availabilityZones",
  natGateways: "network.natGateways",
  vpcEndpoints: "network.vpcEndpoints",
  flowLogRetentionDays: "network.flowLogRetentionDays",
  cpu: "service.cpu",
  memoryMiB: "service.memoryMiB",
  desiredCount: "service.desiredCount",
  containerPort: "service.containerPort",
  targetPort: "service.containerPort",
  capacity: "service.capacity",
  autoscaling: "service.autoscaling",
  "autoscaling.minCount": "service.autoscaling.minCount",
  "autoscaling.maxCount": "service.autoscaling.maxCount",
  "autoscaling.targetCpuPercent": "service.autoscaling.targetCpuPercent",
  ecrKeepImages: "service.ecrKeepImages",
  environmentVariables: "service.environmentVariables",
  healthCheckPath: "service.healthCheckPath",
  logRetentionDays: "logRetentionDays",
  domainName: "apiDomain",
  certificateArn: "apiCertArn",
  hostedZoneName: "hostedZoneName",
  email: "alertEmail",
  grafanaVersion: "observability.grafanaVersion",
  serviceAccountId: "observability.grafanaServiceAccountId",
  suffixSeed: "grafanaSuffixSeed",
  intervalDays: "observability.tokenRotationIntervalDays",
  reservedConcurrency: "observability.tokenRotationReservedConcurrency",
  githubRepository: "ci.githubRepository",
  githubEnvironment: "ci.githubEnvironment",
  operatorRoleName: "access.operatorRoleName",
  breakGlassRoleName: "access.breakGlassRoleName",
};

/** Runs `build`, turning a construct's configuration error into one that names the file and the setting. */
function inEnvironmentFile(env: EnvironmentConfig, build: () => void): void {
  try {
    build();
  } catch (error) {
    if (!(error instanceof ConfigurationError) || error.message.startsWith(`${env.source}:`)) throw error;
    const setting = error.field ? SETTING_OF_PROP[error.field] : undefined;
    const message =
      setting && error.field
        ? error.message.replace(`\`${error.field}\``, `\`${setting}\``)
        : `${error.message} (raised while building the stacks of this environment)`;
    throw new ConfigurationError(`${env.source}: ${message}`, setting ?? error.field);
  }
}

/**
 * Rules across environments: unique names, no name that collides with another environment's stack
 * ids (`state`, `<env>-grafana`), and no `<project>-<env>-` prefix that begins another's (their
 * resource names, IAM scopes and alarm names would overlap).
 */
export function checkEnvironmentSet(environments: readonly EnvironmentConfig[]): void {
  const stackIds = new Map<string, EnvironmentConfig>();
  for (const env of environments) {
    for (const id of [env.environment, `${env.environment}-grafana`]) {
      const other = stackIds.get(id);
      if (other) {
        // Blame the environment whose own name is the clashing id (staging named "prod-grafana").
        const [culprit, owner] =
          other.environment === id && env.environment !== id ? [other, env] : [env, other];
        throw new ConfigurationError(
          `${culprit.source}: \`environment\` must give stack ids no other environment uses, got ${JSON.stringify(culprit.environment)}: stack ${JSON.stringify(id)} is also built from ${owner.source} (environment ${JSON.stringify(owner.environment)}). Rename one of the environments.`,
          "environment",
        );
      }
      stackIds.set(id, env);
    }
    if (env.environment === "state") {
      throw new ConfigurationError(
        `${env.source}: \`environment\` must not be "state" (the bootstrap stack's id), got "state". Rename the environment.`,
        "environment",
      );
    }
  }
  for (const a of environments) {
    for (const b of environments) {
      if (a === b) continue;
      const prefixA = `${a.projectName}-${a.environment}-`;
      const prefixB = `${b.projectName}-${b.environment}-`;
      if (prefixB === prefixA) {
        // The same prefix from another split of project and environment: both files are named.
        throw new ConfigurationError(
          `${b.source}: \`environment\` must not give the same name prefix as another environment, got project ${JSON.stringify(b.projectName)} and environment ${JSON.stringify(b.environment)}: its resources are named ${prefixB}*, exactly as those of ${a.source} (project ${JSON.stringify(a.projectName)}, environment ${JSON.stringify(a.environment)}). Rename one of the environments (or projects).`,
          "environment",
        );
      }
      if (prefixB.startsWith(prefixA)) {
        throw new ConfigurationError(
          `${b.source}: \`environment\` must not make a name prefix that begins another environment's, got ${JSON.stringify(b.environment)}: its resources are named ${prefixB}*, which ${a.source} (${prefixA}*) also covers. Rename one of the environments (or projects).`,
          "environment",
        );
      }
    }
  }
}
