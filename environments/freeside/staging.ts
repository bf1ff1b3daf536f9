import { defineFreesideEnvironment } from "../../stacks/freeside/settings";

/**
 * Freeside staging (the seed's planned environment): its own address range, the smallest sizes,
 * one API task, everything on Fargate Spot, port 80 closed, short log retention, no deletion protection.
 */
export default defineFreesideEnvironment({
  projectName: "arrakis",
  environment: "staging",
  region: "us-east-1",
  accountId: "891376933289",
  stateStore: "freeside",
  ci: { githubRepository: "example-org/freeside", githubEnvironment: "freeside-staging", deployOnPush: true },
  access: { operatorRoleName: "arrakis-operator", breakGlassRoleName: "arrakis-break-glass" },
  network: {
    cidr: "10.1.0.0/16",
    availabilityZones: 2,
    publicSubnets: ["10.1.101.0/24", "10.1.102.0/24"],
    privateSubnets: ["10.1.1.0/24", "10.1.2.0/24"],
    natGateways: "single",
  },
  services: {
    api: { cpu: 256, memoryMiB: 512, desiredCount: 1, capacity: "fargateSpot" },
    worker: {
      cpu: 256,
      memoryMiB: 512,
      desiredCount: 1,
      capacity: "fargateSpot",
      command: ["node", "dist/worker.js"],
    },
  },
  ecrKeepImages: 10,
  database: {
    instanceClass: "db.t4g.micro",
    engineVersion: "15",
    backupRetentionDays: 1,
    databaseName: "arrakis",
  },
  cache: { engine: "redis", nodeType: "cache.t4g.micro", nodes: 1 },
  edge: {
    domainName: "api.staging.freeside.example.com",
    hostedZoneName: "freeside.example.com",
    http: "closed",
  },
  logRetentionDays: 14,
});
