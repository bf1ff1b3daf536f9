import { defineFreesideEnvironment } from "../../stacks/freeside/settings";

/**
 * Freeside production (seed 002): the seed's network, sizes and names (`arrakis-production-*`), in
 * account 891376933289. Set `edge` to the API's real name and zone before the first deploy.
 */
export default defineFreesideEnvironment({
  projectName: "arrakis",
  environment: "production",
  region: "us-east-1",
  accountId: "891376933289",
  stateStore: "freeside",
  ci: { githubRepository: "example-org/freeside", githubEnvironment: "freeside-production" },
  access: { operatorRoleName: "arrakis-operator", breakGlassRoleName: "arrakis-break-glass" },
  // alertEmail: "oncall@example.com",
  network: {
    cidr: "10.0.0.0/16",
    availabilityZones: 2,
    publicSubnets: ["10.0.101.0/24", "10.0.102.0/24"],
    privateSubnets: ["10.0.1.0/24", "10.0.2.0/24"],
    natGateways: "single",
    flowLogRetentionDays: 90,
  },
  services: {
    api: { cpu: 512, memoryMiB: 1024, desiredCount: 2, capacity: "fargate" },
    // Background jobs tolerate a Spot interruption: the seed's cost option, Spot first.
    worker: {
      cpu: 256,
      memoryMiB: 512,
      desiredCount: 1,
      capacity: [
        { provider: "FARGATE_SPOT", weight: 1 },
        { provider: "FARGATE", weight: 0 },
      ],
      command: ["node", "dist/worker.js"],
    },
  },
  ecrKeepImages: 10,
  // The seed's db.t3.small and 20 GB on PostgreSQL 15 (15.10 is the seed's minimum; RDS upgrades minors).
  database: {
    instanceClass: "db.t3.small",
    engineVersion: "15",
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 100,
    backupRetentionDays: 7,
    databaseName: "arrakis",
  },
  // The seed's cache.t3.micro running Redis OSS 7, one node (set nodes: 2 for failover and Multi-AZ).
  cache: {
    engine: "redis",
    engineVersion: "7.1",
    nodeType: "cache.t3.micro",
    nodes: 1,
    snapshotRetentionDays: 7,
  },
  edge: { domainName: "api.freeside.example.com", hostedZoneName: "freeside.example.com", http: "redirect" },
  logRetentionDays: 90,
  deletionProtection: true,
});
