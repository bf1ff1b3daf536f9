import { describe, expect, test } from "vitest";
import prod from "../environments/meeting-notes/prod";
import staging from "../environments/meeting-notes/staging";
import { parseState, stores } from "../environments/state";
import { type EnvironmentInput, parseEnvironment } from "../stacks/meeting-notes/settings";
import { loadEnvironments, loadState } from "./support/platform";

const state = stores.default;

const base: EnvironmentInput = {
  projectName: "meeting-notes",
  environment: "staging",
  stateStore: "default",
  ci: { githubRepository: "acme/meeting-notes", githubEnvironment: "staging" },
  access: { operatorRoleName: "meeting-notes-operator", breakGlassRoleName: "meeting-notes-break-glass" },
};
const parse = (overrides: Record<string, unknown>) =>
  parseEnvironment({ ...base, ...overrides }, "environments/x.ts");

describe("environment files", () => {
  test("both shipped environments pass the schema with no user input", () => {
    const envs = loadEnvironments();
    expect(envs.map((e) => e.environment)).toEqual(expect.arrayContaining(["staging", "prod"]));
    expect(loadState().bucketName.length).toBeGreaterThan(2);
  });

  test("prod and staging differ the way seed 001's environment settings do", () => {
    const [s, p] = [parseEnvironment(staging, "s"), parseEnvironment(prod, "p")];
    expect([s.network.natGateways, p.network.natGateways]).toEqual(["single", "perAz"]);
    expect(p.service.desiredCount).toBeGreaterThan(s.service.desiredCount!);
    expect(p.logRetentionDays).toBeGreaterThan(s.logRetentionDays!);
    expect([s.deletionProtection, p.deletionProtection]).toEqual([false, true]);
  });
});

describe("defaults", () => {
  test("a minimal environment passes on only what it sets: every other default is the constructs'", () => {
    const env = parse({});
    expect(env).toMatchObject({
      region: "us-east-1",
      workspace: "staging",
      deletionProtection: false,
      logRetentionFloorDays: 7,
      network: {},
      service: {},
      observability: {},
      tags: {},
    });
    for (const field of ["grafanaSuffixSeed", "logRetentionDays", "alertEmail", "apiDomain"] as const) {
      expect(env[field]).toBeUndefined();
    }
  });

  test("the workspace can be set apart from the environment name", () => {
    expect(parse({ workspace: "default" }).workspace).toBe("default");
  });
});

describe("bad configurations are rejected with the field, rule, value and fix", () => {
  test.each<[string, Record<string, unknown>, string]>([
    [
      "an unknown setting",
      { alertEmial: "a@b.co" },
      'environments/x.ts: `alertEmial` is not a known setting, got "alertEmial". Did you mean `alertEmail`? Remove it, or check its spelling against README.md (Environment settings).',
    ],
    [
      "a bad project name",
      { projectName: "Meeting_Notes" },
      'environments/x.ts: `projectName` must be lowercase letters, digits and hyphens, start with a letter (for example meeting-notes), got "Meeting_Notes". See README.md (Environment settings) for the accepted values.',
    ],
    [
      "a missing ci block",
      { ci: undefined },
      "environments/x.ts: `ci` is required, got nothing. See README.md (Environment settings) for the accepted values.",
    ],
    [
      "an account id of the wrong length",
      { accountId: "12345" },
      'environments/x.ts: `accountId` must be a 12-digit AWS account id, got "12345". See README.md (Environment settings) for the accepted values.',
    ],
    [
      "no access roles",
      { access: undefined },
      "environments/x.ts: `access` is required, got nothing. See README.md (Environment settings) for the accepted values.",
    ],
    [
      "an operator role given as an ARN",
      { access: { operatorRoleName: "arn:aws:iam::123456789012:role/ops", breakGlassRoleName: "bg" } },
      'environments/x.ts: `access.operatorRoleName` must be an IAM role name, with its path if it has one (letters, digits, +=,.@_- and *), not an ARN, got "arn:aws:iam::123456789012:role/ops". See README.md (Environment settings) for the accepted values.',
    ],
    [
      "a reserved concurrency of zero for the rotation function",
      { observability: { tokenRotationReservedConcurrency: 0 } },
      "environments/x.ts: `observability.tokenRotationReservedConcurrency` must be at least 1 (leave it out to reserve nothing), got 0. See README.md (Environment settings) for the accepted values.",
    ],
    [
      "a bad alert email",
      { alertEmail: "oncall" },
      'environments/x.ts: `alertEmail` must be an email address, got "oncall". See README.md (Environment settings) for the accepted values.',
    ],
    [
      "an API domain without a certificate source",
      { apiDomain: "api.example.com" },
      'environments/x.ts: `apiDomain` needs a certificate: set apiCertArn, or hostedZoneName so a certificate can be issued and validated in Route 53, got "api.example.com". Set apiCertArn or hostedZoneName, or remove apiDomain.',
    ],
    [
      "an API domain outside its zone",
      { apiDomain: "api.example.org", hostedZoneName: "example.com" },
      'environments/x.ts: `apiDomain` must be inside hostedZoneName (example.com), got "api.example.org". Use a name in that zone, or fix hostedZoneName.',
    ],
    [
      "a hosted zone without an API domain",
      { hostedZoneName: "example.com" },
      'environments/x.ts: `hostedZoneName` only applies with apiDomain, got "example.com". Set apiDomain too, or remove it.',
    ],
    [
      "a certificate from another region",
      {
        apiDomain: "api.example.com",
        apiCertArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0f0e1d2c-aaaa-bbbb-cccc-1234567890ab",
      },
      'environments/x.ts: `apiCertArn` must be a certificate in the environment\'s region (us-east-1), as the ALB requires, got "arn:aws:acm:eu-west-1:123456789012:certificate/0f0e1d2c-aaaa-bbbb-cccc-1234567890ab". Issue or import the certificate in that region.',
    ],
    [
      "a log retention CloudWatch does not offer",
      { logRetentionDays: 10 },
      "environments/x.ts: `logRetentionDays` must be a CloudWatch Logs retention period (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653), got 10. See README.md (Environment settings) for the accepted values.",
    ],
    [
      "a NAT mode that does not exist",
      { network: { natGateways: "double" } },
      'environments/x.ts: `network.natGateways` must be "none", "single" or "perAz", got "double". See README.md (Environment settings) for the accepted values.',
    ],
  ])("%s", (_name, overrides, message) => {
    expect(() => parse(overrides)).toThrow(message);
  });
});

describe("state settings", () => {
  test("default to a local backend for the first deploy", () => {
    const { backend: _backend, ...withoutBackend } = state as Record<string, unknown>;
    expect(parseState(withoutBackend).backend).toBe("local");
  });

  test.each<[string, Record<string, unknown>, string]>([
    [
      "a bad bucket name",
      { bucketName: "Bad_Bucket" },
      'environments/state.ts: `stores.default.bucketName` must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens), got "Bad_Bucket". See README.md (Remote state) for the accepted values.',
    ],
    [
      "a zero retention",
      { noncurrentVersionRetentionDays: 0 },
      "environments/state.ts: `stores.default.noncurrentVersionRetentionDays` must be at least 1 day, got 0. See README.md (Remote state) for the accepted values.",
    ],
    [
      "an unknown backend",
      { backend: "gcs" },
      'environments/state.ts: `stores.default.backend` must be "local" (first deploy) or "s3" (after migrating the state), got "gcs". See README.md (Remote state) for the accepted values.',
    ],
    [
      "an unknown setting",
      { bucket: "x" },
      'environments/state.ts: `stores.default.bucket` is not a known setting, got "bucket". Remove it, or check its spelling against README.md (Remote state).',
    ],
  ])("reject %s", (_n, overrides, message) => {
    expect(() => parseState({ ...state, ...overrides })).toThrow(message);
  });
});

describe("log retention floor", () => {
  test("defaults to 90 days with deletion protection and 7 without, and can be set", () => {
    expect(
      parse({ deletionProtection: true, logRetentionDays: 90, network: { flowLogRetentionDays: 90 } })
        .logRetentionFloorDays,
    ).toBe(90);
    expect(parse({}).logRetentionFloorDays).toBe(7);
    expect(parse({ logRetentionFloorDays: 14 }).logRetentionFloorDays).toBe(14);
  });

  test.each([
    [
      { deletionProtection: true, logRetentionDays: 30, network: { flowLogRetentionDays: 90 } },
      "environments/x.ts: `logRetentionDays` must be at least logRetentionFloorDays (90, the default with deletionProtection on), got 30. Raise it, or lower logRetentionFloorDays.",
    ],
    [
      { logRetentionFloorDays: 60, logRetentionDays: 90 },
      "environments/x.ts: `network.flowLogRetentionDays` must be at least logRetentionFloorDays (60), got 30. The file does not set it, and 30 is its default: set it to 60 or more, or lower logRetentionFloorDays.",
    ],
  ])("retention below the floor is refused: %j", (overrides, message) => {
    expect(() => parse(overrides)).toThrow(message);
  });
});
