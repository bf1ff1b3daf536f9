import dev from "../../environments/candlefish/dev";
import prod from "../../environments/candlefish/prod";
import { inEnvironmentFile } from "../app";
import { definePlatform, githubVariable, type PlatformStack } from "../registry";
import { CandlefishStack } from "./environment-stack";
import { type CandlefishEnvironment, parseCandlefishEnvironment } from "./settings";

/** The platform's environment files, in deploy order. */
export const CANDLEFISH_FILES: readonly { readonly input: unknown; readonly source: string }[] = [
  { input: dev, source: "environments/candlefish/dev.ts" },
  { input: prod, source: "environments/candlefish/prod.ts" },
];

/** Where each construct prop that a setting feeds comes from in the environment file. */
const SETTING_OF_PROP: Readonly<Record<string, string>> = {
  cidr: "network.cidr",
  availabilityZones: "network.availabilityZones",
  natGateways: "network.natGateways",
  flowLogRetentionDays: "network.flowLogRetentionDays",
  keepImages: "ecrKeepImages",
  logRetentionDays: "logRetentionDays",
  domainName: "edge.domainName",
  certificateArn: "edge.certificateArn",
  hostedZoneName: "edge.hostedZoneName",
  http: "edge.http",
  targetPort: "services.coreApi.containerPort",
  healthCheckPath: "services.coreApi.healthCheckPath",
  email: "alertEmail",
  deletionProtection: "deletionProtection",
  githubRepository: "ci.githubRepository",
  githubEnvironment: "ci.githubEnvironment",
  operatorRoleName: "access.operatorRoleName",
  breakGlassRoleName: "access.breakGlassRoleName",
  scheduleExpression: "dailyUnblock.schedule",
  timeZone: "dailyUnblock.timeZone",
};

/** The id of an environment's stack: `candlefish-<env>`. */
export function candlefishStackId(environment: string): string {
  return `candlefish-${environment}`;
}

/** The Candlefish platform (seed 001), built from the given files. */
export function candlefishPlatform(files = CANDLEFISH_FILES) {
  return definePlatform<CandlefishEnvironment>({
    name: "candlefish",
    environments: () => files.map((f) => parseCandlefishEnvironment(f.input, f.source)),
    stacks: (env): PlatformStack[] => [
      {
        id: candlefishStackId(env.environment),
        plan: true,
        planRoleVariable: githubVariable("AWS_PLAN_ROLE_ARN", "candlefish", env.environment),
      },
    ],
    build: (app, context) => {
      for (const env of context.environments) {
        const id = candlefishStackId(env.environment);
        inEnvironmentFile(env, SETTING_OF_PROP, () => {
          new CandlefishStack(app, id, { environment: env, state: context.storeOf(env) });
        });
      }
    },
  });
}

/** The registry entry: Candlefish built from environments/candlefish/*.ts. */
export const candlefish = candlefishPlatform();
