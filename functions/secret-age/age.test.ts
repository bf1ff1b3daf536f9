import {
  DescribeSecretCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, test } from "vitest";
import { createLogger } from "../shared/logger";
import { createSecretAgeHandler, readSecretArns, SECRET_AGE_METRIC } from "./age";

const ARN = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
const NOW = new Date("2026-12-04T06:00:00Z");

/** Secrets Manager's DescribeSecret over a few secrets: their names, dates and version labels. */
const secrets: Record<
  string,
  { Name: string; CreatedDate: Date; LastChangedDate?: Date; VersionIdsToStages?: Record<string, string[]> }
> = {
  [ARN("github-token")]: {
    Name: "clos-v2-prod/github-token",
    CreatedDate: new Date("2026-01-01T00:00:00Z"),
    LastChangedDate: new Date("2026-11-03T18:00:00Z"),
    VersionIdsToStages: { v1: ["AWSPREVIOUS"], v2: ["AWSCURRENT"] },
  },
  [ARN("slack-token")]: {
    Name: "clos-v2-prod/slack-token",
    CreatedDate: new Date("2026-12-01T06:00:00Z"),
  },
};
const sm = mockClient(SecretsManagerClient);
let lines: Record<string, unknown>[] = [];
const run = (arns: string[]) =>
  createSecretAgeHandler({
    secretArns: arns,
    namespace: "Candlefish/clos-v2-prod",
    secretsManager: new SecretsManagerClient({ region: "us-east-1" }),
    logger: createLogger({ service: "secret-age", write: (l) => lines.push(JSON.parse(l)) }),
    now: () => NOW,
  })();

beforeEach(() => {
  lines = [];
  sm.reset();
  sm.on(DescribeSecretCommand).callsFake((input: { SecretId: string }) => {
    const secret = secrets[input.SecretId];
    if (!secret) throw new ResourceNotFoundException({ message: "not found", $metadata: {} });
    return { ARN: input.SecretId, ...secret };
  });
});

describe("secret-age", () => {
  test("reports days since the value last changed, per secret, as SecretAgeDays in Embedded Metric Format", async () => {
    const result = await run([ARN("github-token"), ARN("slack-token")]);
    expect(result.secrets).toEqual([
      { secretName: "clos-v2-prod/github-token", ageDays: 30.5, hasValue: true },
      { secretName: "clos-v2-prod/slack-token", ageDays: 3, hasValue: false },
    ]);
    const metrics = lines.filter((l) => "_aws" in l);
    expect(metrics).toHaveLength(2);
    expect(metrics[0]).toMatchObject({
      _aws: {
        Timestamp: NOW.getTime(),
        CloudWatchMetrics: [
          {
            Namespace: "Candlefish/clos-v2-prod",
            Dimensions: [["SecretName"]],
            Metrics: [{ Name: SECRET_AGE_METRIC }],
          },
        ],
      },
      SecretName: "clos-v2-prod/github-token",
      SecretAgeDays: 30.5,
    });
    // A secret never set counts from its creation, and says so.
    expect(lines).toContainEqual(
      expect.objectContaining({ level: "WARN", secretName: "clos-v2-prod/slack-token" }),
    );
  });

  test("describes, never reads a value", async () => {
    await run([ARN("github-token")]);
    expect(sm.calls().map((c) => c.args[0].constructor.name)).toEqual(["DescribeSecretCommand"]);
  });

  test("reports the others, then fails the run naming a secret it could not describe", async () => {
    await expect(run([ARN("missing"), ARN("github-token")])).rejects.toThrow(
      `could not describe 1 secret(s): ${ARN("missing")}`,
    );
    expect(lines.filter((l) => "_aws" in l).map((l) => l.SecretName)).toEqual(["clos-v2-prod/github-token"]);
  });

  test("SECRET_ARNS must be a JSON list of secret ARNs", () => {
    expect(readSecretArns(JSON.stringify([ARN("a")]))).toEqual([ARN("a")]);
    for (const bad of ["", "[]", '["arn:aws:s3:::bucket"]', "not json"]) {
      expect(() => readSecretArns(bad)).toThrow(/SECRET_ARNS/);
    }
  });
});
