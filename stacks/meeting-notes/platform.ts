import type { App } from "cdktf";
import { bundleFunction } from "../../constructs/core/bundle";
import type { FunctionCode } from "../../constructs/observability";
import { WorkspaceGuard } from "../../constructs/workspace-guard";
import prod from "../../environments/meeting-notes/prod";
import staging from "../../environments/meeting-notes/staging";
import { inEnvironmentFile } from "../app";
import { useRemoteState } from "../backend";
import { definePlatform, githubVariable, type PlatformBuildContext, type PlatformStack } from "../registry";
import { EnvironmentStack } from "./environment-stack";
import { GrafanaStack } from "./grafana-stack";
import { type EnvironmentConfig, type EnvironmentInput, parseEnvironment } from "./settings";

/** The platform's environment files, in deploy order. */
export const ENVIRONMENT_FILES: readonly { readonly input: EnvironmentInput; readonly source: string }[] = [
  { input: staging, source: "environments/meeting-notes/staging.ts" },
  { input: prod, source: "environments/meeting-notes/prod.ts" },
];

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

/** The GitHub variable holding an environment's plan role ARN (`AWS_PLAN_ROLE_ARN_STAGING`, from before the registry). */
export function planRoleVariable(environment: string): string {
  return githubVariable("AWS_PLAN_ROLE_ARN", environment);
}

/** Options of a meeting-notes build (tests pass a prebuilt function bundle). */
export interface MeetingNotesOptions {
  /** The environment files to build from. @default {@link ENVIRONMENT_FILES} */
  readonly files?: readonly { readonly input: unknown; readonly source: string }[];
  /**
   * The Grafana token rotation function's bundle.
   * @default - functions/grafana-token-rotation bundled with esbuild into a reproducible zip
   */
  readonly rotationCode?: FunctionCode;
}

/** The stacks of one meeting-notes build, by environment. */
export interface MeetingNotesStacks {
  readonly environments: Readonly<Record<string, EnvironmentStack>>;
  readonly grafana: Readonly<Record<string, GrafanaStack>>;
}

/**
 * Per environment: `<env>` (the application infrastructure, so `cdktf deploy staging` does what it
 * says) and `<env>-grafana` (phase 2: Grafana content, kept apart so an expired token never blocks a
 * deploy of the application). The bootstrap stack `state` is the state store named `default`.
 */
export function buildMeetingNotes(
  app: App,
  context: PlatformBuildContext<EnvironmentConfig>,
  options: MeetingNotesOptions = {},
): MeetingNotesStacks {
  const rotationCode =
    options.rotationCode ??
    bundleFunction({
      entry: "functions/grafana-token-rotation/handler.ts",
      name: "grafana-token-rotation",
    });
  const environments: Record<string, EnvironmentStack> = {};
  const grafana: Record<string, GrafanaStack> = {};
  for (const env of context.environments) {
    const store = context.storeOf(env);
    // A construct's error names its prop; the user needs the file and the setting.
    inEnvironmentFile(env, SETTING_OF_PROP, () => {
      const grafanaId = `${env.environment}-grafana`;
      const stack = new EnvironmentStack(app, env.environment, {
        environment: env,
        state: store,
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
        configureBackend: (s) => useRemoteState(s, store, grafanaId),
        configure: (s) =>
          new WorkspaceGuard(s, "workspace-guard", { workspace: env.workspace, stackName: grafanaId }),
      });
    });
  }
  return { environments, grafana };
}

/** The meeting-notes platform (seed 000) as the registry builds it, from the given files. */
export function meetingNotesPlatform(options: MeetingNotesOptions = {}) {
  const files = options.files ?? ENVIRONMENT_FILES;
  return definePlatform<EnvironmentConfig>({
    name: "meeting-notes",
    unprefixedStackIds: true,
    // Each environment's GitHub environment holds its own deploy role (from before the registry).
    deployRoleVariable: () => "AWS_DEPLOY_ROLE_ARN",
    environments: () => files.map((f) => parseEnvironment(f.input, f.source)),
    stacks: (env): PlatformStack[] => [
      { id: env.environment, plan: true, planRoleVariable: planRoleVariable(env.environment) },
      // Planning it needs the Grafana token, which the plan role may not read.
      { id: `${env.environment}-grafana`, plan: false },
    ],
    build: (app, context) => {
      buildMeetingNotes(app, context, options);
    },
  });
}

/** The registry entry: meeting-notes built from environments/meeting-notes/*.ts. */
export const meetingNotes = meetingNotesPlatform();
