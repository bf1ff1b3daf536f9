import { defineEnvironment } from "../../stacks/meeting-notes/settings";

/** Production: a NAT gateway per AZ, on-demand Fargate, two tasks, long log retention, deletion protection. */
export default defineEnvironment({
  projectName: "meeting-notes",
  environment: "prod",
  region: "us-east-1",
  stateStore: "default",
  // The seed keeps prod in its existing GitHub Actions environment, `sandbox`.
  ci: { githubRepository: "example-org/meeting-notes", githubEnvironment: "sandbox" },
  // People's roles (they exist outside this repository): the operator sets secret values, the
  // break-glass role alone changes secret policies and applies what the CI deploy role may not.
  access: { operatorRoleName: "meeting-notes-operator", breakGlassRoleName: "meeting-notes-break-glass" },
  // alertEmail: "oncall@example.com",
  // apiDomain: "api.example.com",
  // hostedZoneName: "example.com",
  grafanaSuffixSeed: "1",
  network: { cidr: "10.30.0.0/16", availabilityZones: 2, natGateways: "perAz", flowLogRetentionDays: 90 },
  service: { cpu: 512, memoryMiB: 1024, desiredCount: 2, capacity: "fargate" },
  logRetentionDays: 90,
  deletionProtection: true,
});
