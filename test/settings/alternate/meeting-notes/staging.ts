import { defineEnvironment } from "../../../../stacks/meeting-notes/settings";

/**
 * A second set of settings, as a user writes them in step (a) of the first deployment: their own
 * project, repository, roles, alert address and API domain. CI runs the whole suite against it too
 * (`.ci/run`), so the tests prove they follow the settings instead of the shipped values.
 */
export default defineEnvironment({
  projectName: "acme-standup-bot",
  environment: "staging",
  region: "eu-west-1",
  stateStore: "default",
  ci: { githubRepository: "acme-corp/standup-bot", githubEnvironment: "staging", deployOnPush: true },
  access: { operatorRoleName: "acme-operator", breakGlassRoleName: "acme-break-glass" },
  alertEmail: "alerts@acme.example",
  apiDomain: "api.staging.acme.example",
  hostedZoneName: "acme.example",
  grafanaSuffixSeed: "7",
  network: { cidr: "10.60.0.0/16", availabilityZones: 3, natGateways: "single" },
  service: { cpu: 256, memoryMiB: 512, desiredCount: 1, capacity: "fargateSpot" },
  logRetentionDays: 14,
  deletionProtection: false,
});
