import { defineEnvironment } from "../../../../stacks/meeting-notes/settings";

/** The second set's production: see staging.ts beside this file. */
export default defineEnvironment({
  projectName: "acme-standup-bot",
  environment: "prod",
  region: "eu-west-1",
  stateStore: "default",
  ci: { githubRepository: "acme-corp/standup-bot", githubEnvironment: "production" },
  access: { operatorRoleName: "acme-operator", breakGlassRoleName: "acme-break-glass" },
  alertEmail: "pager@acme.example",
  apiDomain: "api.acme.example",
  hostedZoneName: "acme.example",
  grafanaSuffixSeed: "7",
  network: { cidr: "10.70.0.0/16", availabilityZones: 3, natGateways: "perAz", flowLogRetentionDays: 90 },
  service: { cpu: 512, memoryMiB: 1024, desiredCount: 2, capacity: "fargate" },
  logRetentionDays: 90,
  deletionProtection: true,
  tags: { CostCenter: "bots" },
});
