import { describe, expect, test } from "vitest";
import { ConnectionSecret, type ConnectionSecretProps } from "../../constructs/secrets";
import { key, naming } from "../support/fixtures";
import { onlyResource, parsed, resourcesOf, synthScope } from "../support/synth";

const props: ConnectionSecretProps = {
  naming,
  name: "redis-credentials",
  description: "Redis endpoint",
  encryptionKey: key,
  value: { host: "cache.internal", port: 6379, user: "app", url: "rediss://app@cache.internal:6379" },
};
const build = (overrides: Partial<ConnectionSecretProps> = {}) =>
  synthScope((s) => {
    new ConnectionSecret(s, "connection", { ...props, ...overrides });
  });

describe("ConnectionSecret", () => {
  test("a secret <project>-<env>/<name> encrypted with the key, its value the JSON of the given details", () => {
    const json = build();
    expect(onlyResource(json, "aws_secretsmanager_secret")).toMatchObject({
      name: "meeting-notes-staging/redis-credentials",
      kms_key_id: key.keyArn,
      recovery_window_in_days: 30,
      description: "Redis endpoint (connection details, no credential; written by Terraform)",
    });
    expect(parsed(onlyResource(json, "aws_secretsmanager_secret_version").secret_string)).toEqual(
      props.value,
    );
  });

  test("the recovery window can be shortened", () => {
    expect(
      onlyResource(build({ recoveryWindowDays: 7 }), "aws_secretsmanager_secret").recovery_window_in_days,
    ).toBe(7);
  });

  test("grantRead: GetSecretValue on this secret and decryption through Secrets Manager only, per workload", () => {
    const json = synthScope((s) => {
      const secret = new ConnectionSecret(s, "connection", props);
      secret.grantRead({ roleArn: "arn:aws:iam::123456789012:role/api", roleName: "api" }, "api");
      secret.grantRead({ roleArn: "arn:aws:iam::123456789012:role/worker", roleName: "worker" }, "worker");
    });
    const policies = Object.values(resourcesOf(json, "aws_iam_role_policy"));
    expect(policies.map((p) => p.role).sort()).toEqual(["api", "worker"]);
    expect(parsed(policies[0].policy).Statement).toEqual([
      {
        Sid: "ReadConnectionDetails",
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: expect.stringMatching(/aws_secretsmanager_secret\.connection_secret_.+\.arn/),
      },
      {
        Sid: "DecryptThroughSecretsManager",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: key.keyArn,
        Condition: { StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } },
      },
    ]);
  });

  test.each([
    ["password", { password: "hunter2" }],
    ["authToken", { authToken: "x" }],
    ["apiKey", { apiKey: "x" }],
    ["client_secret", { client_secret: "x" }],
  ])("refuses a field named like a credential (%s): Terraform would keep it in state", (field, value) => {
    expect(() => build({ value: { host: "h", ...value } })).toThrow(
      `\`value.${field}\` must not be a credential (Terraform writes the value, so it would be kept in state), got "${field}". Keep credentials out of it: use IAM authentication, or a secret that a rotation function writes.`,
    );
  });

  test("refuses a URL that carries a password", () => {
    expect(() => build({ value: { url: "rediss://app:hunter2@cache.internal:6379" } })).toThrow(
      '`value.url` must not carry a password in a URL (Terraform writes the value, so it would be kept in state), got "url". Leave the password out of the URL: use IAM authentication, or a secret that a rotation function writes.',
    );
  });

  test("a second grant with one key is refused", () => {
    expect(() =>
      synthScope((s) => {
        const secret = new ConnectionSecret(s, "connection", props);
        const role = { roleArn: "arn:aws:iam::123456789012:role/api", roleName: "api" };
        secret.grantRead(role, "api");
        secret.grantRead(role, "api");
      }),
    ).toThrow(
      '`grantRead` needs a key of lowercase letters, digits and hyphens, unique per secret, got "api". Name the workload, for example api.',
    );
  });
});
