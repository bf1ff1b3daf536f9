import production from "../../environments/freeside/production";
import staging from "../../environments/freeside/staging";
import { inEnvironmentFile } from "../app";
import { definePlatform, githubVariable, type PlatformStack } from "../registry";
import { FreesideStack } from "./environment-stack";
import { type FreesideEnvironment, parseFreesideEnvironment } from "./settings";

/** The platform's environment files, in deploy order. */
export const FREESIDE_FILES: readonly { readonly input: unknown; readonly source: string }[] = [
  { input: staging, source: "environments/freeside/staging.ts" },
  { input: production, source: "environments/freeside/production.ts" },
];

/** Where each construct prop that a setting feeds comes from in the environment file. */
const SETTING_OF_PROP: Readonly<Record<string, string>> = {
  cidr: "network.cidr",
  availabilityZones: "network.availabilityZones",
  natGateways: "network.natGateways",
  endpoints: "network.endpoints",
  flowLogRetentionDays: "network.flowLogRetentionDays",
  "subnetCidrs.public": "network.publicSubnets",
  "subnetCidrs.private": "network.privateSubnets",
  keepImages: "ecrKeepImages",
  repositoryName: "ecrRepositoryName",
  logRetentionDays: "logRetentionDays",
  domainName: "edge.domainName",
  certificateArn: "edge.certificateArn",
  hostedZoneName: "edge.hostedZoneName",
  http: "edge.http",
  targetPort: "services.api.containerPort",
  healthCheckPath: "services.api.healthCheckPath",
  email: "alertEmail",
  deletionProtection: "deletionProtection",
  githubRepository: "ci.githubRepository",
  githubEnvironment: "ci.githubEnvironment",
  operatorRoleName: "access.operatorRoleName",
  breakGlassRoleName: "access.breakGlassRoleName",
};

/** The id of an environment's stack: `freeside-<env>`. */
export function freesideStackId(environment: string): string {
  return `freeside-${environment}`;
}

/** The Freeside platform (seed 002), built from the given files. */
export function freesidePlatform(files = FREESIDE_FILES) {
  return definePlatform<FreesideEnvironment>({
    name: "freeside",
    environments: () => files.map((f) => parseFreesideEnvironment(f.input, f.source)),
    stacks: (env): PlatformStack[] => [
      {
        id: freesideStackId(env.environment),
        plan: true,
        planRoleVariable: githubVariable("AWS_PLAN_ROLE_ARN", "freeside", env.environment),
      },
    ],
    build: (app, context) => {
      for (const env of context.environments) {
        const id = freesideStackId(env.environment);
        // A construct's error names its prop; the user needs the file and the setting.
        inEnvironmentFile(env, SETTING_OF_PROP, () => {
          new FreesideStack(app, id, { environment: env, state: context.storeOf(env) });
        });
      }
    },
  });
}

/** The registry entry: Freeside built from environments/freeside/*.ts. */
export const freeside = freesidePlatform();
