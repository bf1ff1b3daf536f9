import { defineEnvironment } from "./schema";

/** Staging: one NAT gateway, Fargate Spot, short log retention, no deletion protection. */
export default defineEnvironment({
  projectName: "meeting-notes",
  environment: "staging",
  region: "us-east-1",
  ci: { githubRepository: "example-org/meeting-notes", githubEnvironment: "staging" },
  // alertEmail: "oncall@example.com",
  // apiDomain: "api.staging.example.com",
  // hostedZoneName: "example.com",
  grafanaSuffixSeed: "1",
  network: { cidr: "10.20.0.0/16", availabilityZones: 2, natGateways: "single" },
  service: { cpu: 256, memoryMiB: 512, desiredCount: 1, capacity: "fargateSpot" },
  logRetentionDays: 14,
  deletionProtection: false,
});
