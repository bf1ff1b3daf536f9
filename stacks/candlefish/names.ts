import type { CandlefishEnvironment } from "./settings";

/** The two ECS services, by key. */
export const CANDLEFISH_SERVICES = ["core-api", "workflow-engine"] as const;

/** The functions, by key (each `<prefix>-<key>`, its log group `/aws/lambda/<prefix>-<key>`). */
export const CANDLEFISH_FUNCTIONS = [
  "stage-gate-processor",
  "wip-limit-processor",
  "github-webhook",
  "daily-unblock",
  "db-init",
  "secret-age",
] as const;

/**
 * The physical names of a Candlefish environment's resources, from its settings alone: what the
 * operations script (`npm run ops`) and the runbooks use. test/stacks/candlefish.test.ts checks each
 * against the synthesized stack, so they cannot drift from what the constructs name.
 */
export function candlefishNames(env: CandlefishEnvironment) {
  const prefix = `${env.projectName}-${env.environment}`;
  const services = { "core-api": `${prefix}-core-api`, "workflow-engine": `${prefix}-workflow-engine` };
  const desired = {
    "core-api": env.services.coreApi.desiredCount,
    "workflow-engine": env.services.workflowEngine.desiredCount,
  };
  return {
    prefix,
    apiUrl: `https://${env.edge.domainName}`,
    cluster: `${prefix}-cluster`,
    services,
    /** The scaling bounds the stack sets (scale-reset returns to them). */
    scaling: {
      "core-api": { min: desired["core-api"], max: desired["core-api"] * 2 },
      "workflow-engine": {
        min: desired["workflow-engine"],
        max: env.services.workflowEngine.maxCount ?? desired["workflow-engine"] * 3,
      },
    },
    logGroups: {
      "core-api": `/ecs/${prefix}/core-api`,
      "workflow-engine": `/ecs/${prefix}/workflow-engine`,
      ...Object.fromEntries(CANDLEFISH_FUNCTIONS.map((f) => [f, `/aws/lambda/${prefix}-${f}`])),
    } as Readonly<Record<string, string>>,
    dashboardUrl: `https://${env.region}.console.aws.amazon.com/cloudwatch/home?region=${env.region}#dashboards/dashboard/${prefix}-overview`,
    dbCluster: `${prefix}-aurora`,
    dbSubnetGroup: `${prefix}-aurora`,
    dbParameterGroup: `${prefix}-aurora-apg${(env.database.engineVersion ?? "16").split(".")[0]}`,
  };
}
