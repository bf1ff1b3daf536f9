import { defineCandlefishEnvironment } from "../../stacks/candlefish/settings";

/**
 * Candlefish production (seed 001, "Environment-Specific Settings: Production"): three zones with a
 * NAT gateway each, Aurora Multi-AZ (the seed's db.r5.large writer and a reader in another zone),
 * 14 days of backups, three Core API tasks, WAF, deletion protection. Set `edge` to the API's real
 * name and zone, and `accountId`, before the first deploy.
 */
export default defineCandlefishEnvironment({
  projectName: "clos-v2",
  environment: "prod",
  region: "us-east-1",
  accountId: "444455556666",
  stateStore: "candlefish",
  ci: { githubRepository: "example-org/candlefish", githubEnvironment: "candlefish-prod" },
  access: { operatorRoleName: "clos-v2-operator", breakGlassRoleName: "clos-v2-break-glass" },
  // alertEmail: "oncall@example.com",
  network: { cidr: "10.20.0.0/16", availabilityZones: 3, natGateways: "perAz", flowLogRetentionDays: 90 },
  services: {
    coreApi: { cpu: 512, memoryMiB: 1024, desiredCount: 3, containerPort: 8080, healthCheckPath: "/health" },
    workflowEngine: { cpu: 512, memoryMiB: 1024, desiredCount: 3, maxCount: 10, messagesPerTask: 100 },
  },
  database: {
    instanceClass: "db.r5.large",
    readers: 1,
    multiAz: true,
    engineVersion: "16",
    backupRetentionDays: 14,
    databaseName: "clos",
    masterUsername: "clos_admin",
    databaseInsights: "advanced",
  },
  stages: [
    { key: "backlog", requiresApproval: false },
    { key: "ready", requiresApproval: false, wipLimit: 20 },
    { key: "in-progress", requiresApproval: false, wipLimit: 8 },
    { key: "review", requiresApproval: true, wipLimit: 5 },
    { key: "done", requiresApproval: true },
  ],
  dailyUnblock: { schedule: "cron(0 9 * * ? *)", timeZone: "America/New_York", blockedDays: 3 },
  edge: {
    domainName: "api.candlefish.example.com",
    hostedZoneName: "candlefish.example.com",
    http: "redirect",
  },
  waf: true,
  secretMaxAgeDays: 90,
  ecrKeepImages: 20,
  logRetentionDays: 90,
  deletionProtection: true,
});
