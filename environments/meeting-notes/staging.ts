import { defineEnvironment } from "../../stacks/meeting-notes/settings";

/** Staging: one NAT gateway, Fargate Spot, short log retention, no deletion protection. */
export default defineEnvironment({
  projectName: "meeting-notes",
  environment: "staging",
  region: "us-east-1",
  stateStore: "default",
  ci: { githubRepository: "example-org/meeting-notes", githubEnvironment: "staging", deployOnPush: true },
  // People's roles (they exist outside this repository): the operator sets secret values, the
  // break-glass role alone changes secret policies and applies what the CI deploy role may not.
  access: { operatorRoleName: "meeting-notes-operator", breakGlassRoleName: "meeting-notes-break-glass" },
  // alertEmail: "oncall@example.com",
  // apiDomain: "api.staging.example.com",
  // hostedZoneName: "example.com",
  grafanaSuffixSeed: "1",
  network: { cidr: "10.20.0.0/16", availabilityZones: 2, natGateways: "single" },
  service: { cpu: 256, memoryMiB: 512, desiredCount: 1, capacity: "fargateSpot" },
  logRetentionDays: 14,
  deletionProtection: false,
});
