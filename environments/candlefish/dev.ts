import { defineCandlefishEnvironment } from "../../stacks/candlefish/settings";

/**
 * Candlefish dev (seed 001, "Environment-Specific Settings: Development"): one NAT gateway, one
 * Aurora instance on Serverless v2 (the seed's db.t3.micro does not exist for Aurora PostgreSQL;
 * at 0 ACU it pauses when idle), 1 day of backups, one task each, and auto shutdown outside office
 * hours in New York.
 */
export default defineCandlefishEnvironment({
  projectName: "clos-v2",
  environment: "dev",
  region: "us-east-1",
  accountId: "444455556666",
  stateStore: "candlefish",
  ci: { githubRepository: "example-org/candlefish", githubEnvironment: "candlefish-dev", deployOnPush: true },
  access: { operatorRoleName: "clos-v2-operator", breakGlassRoleName: "clos-v2-break-glass" },
  network: { cidr: "10.21.0.0/16", availabilityZones: 3, natGateways: "single" },
  services: {
    coreApi: { cpu: 256, memoryMiB: 512, desiredCount: 1, containerPort: 8080, healthCheckPath: "/health" },
    workflowEngine: { cpu: 256, memoryMiB: 512, desiredCount: 1, maxCount: 2 },
  },
  database: {
    instanceClass: "db.serverless",
    serverless: { minAcu: 0, maxAcu: 2, secondsUntilAutoPause: 1800 },
    multiAz: false,
    engineVersion: "16",
    backupRetentionDays: 1,
    databaseName: "clos",
    masterUsername: "clos_admin",
  },
  stages: [
    { key: "backlog", requiresApproval: false },
    { key: "ready", requiresApproval: false, wipLimit: 20 },
    { key: "in-progress", requiresApproval: false, wipLimit: 8 },
    { key: "review", requiresApproval: true, wipLimit: 5 },
    { key: "done", requiresApproval: true },
  ],
  autoShutdown: {
    timeZone: "America/New_York",
    start: "cron(0 8 ? * MON-FRI *)",
    stop: "cron(0 20 ? * MON-FRI *)",
  },
  edge: {
    domainName: "api.dev.candlefish.example.com",
    hostedZoneName: "candlefish.example.com",
    http: "closed",
  },
  logRetentionDays: 14,
});
