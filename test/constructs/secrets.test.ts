import { describe, expect, test } from "vitest";
import { DEFAULT_RUNTIME_SECRETS, RuntimeSecrets } from "../../constructs/secrets";
import { key, naming } from "../support/fixtures";
import { parsed, resourcesOf, synthScope } from "../support/synth";

const reader = {
  roleArn: "arn:aws:iam::123456789012:role/meeting-notes-staging-bot-execution",
  roleName: "meeting-notes-staging-bot-execution",
};

describe("RuntimeSecrets", () => {
  test("creates the seed's eight secrets, named <project>-<env>/<name>, KMS-encrypted and without a value", () => {
    const json = synthScope((s) => new RuntimeSecrets(s, "runtime-secrets", { naming, encryptionKey: key }));
    const secrets = Object.values(resourcesOf(json, "aws_secretsmanager_secret"));
    expect(secrets.map((x) => x.name).sort()).toEqual([
      "meeting-notes-staging/discord-bot-token",
      "meeting-notes-staging/discord-client-secret",
      "meeting-notes-staging/langfuse-public-key",
      "meeting-notes-staging/langfuse-secret-key",
      "meeting-notes-staging/oauth-secret",
      "meeting-notes-staging/openai-api-key",
      "meeting-notes-staging/stripe-secret-key",
      "meeting-notes-staging/stripe-webhook-secret",
    ]);
    for (const secret of secrets) expect(secret.kms_key_id).toBe(key.keyArn);
    // No value ever passes through Terraform: no secret version resource exists.
    expect(resourcesOf(json, "aws_secretsmanager_secret_version")).toEqual({});
  });

  test("keeps each secret at a fixed Terraform address derived from its short name", () => {
    const json = synthScope((s) => new RuntimeSecrets(s, "runtime-secrets", { naming, encryptionKey: key }));
    expect(Object.keys(resourcesOf(json, "aws_secretsmanager_secret"))).toContain(
      "runtime-secrets_openai-api-key_A12A4449",
    );
  });

  test("recovery window: 30 days by default, and as set", () => {
    const byDefault = synthScope((s) => new RuntimeSecrets(s, "r", { naming, encryptionKey: key }));
    const set = synthScope(
      (s) => new RuntimeSecrets(s, "r", { naming, encryptionKey: key, recoveryWindowDays: 7 }),
    );
    expect(
      Object.values(resourcesOf(byDefault, "aws_secretsmanager_secret"))[0].recovery_window_in_days,
    ).toBe(30);
    expect(Object.values(resourcesOf(set, "aws_secretsmanager_secret"))[0].recovery_window_in_days).toBe(7);
  });

  test("secret names can be overridden, and map to UPPER_SNAKE container variables", () => {
    let secrets!: RuntimeSecrets;
    synthScope((s) => {
      secrets = new RuntimeSecrets(s, "r", { naming, encryptionKey: key, secretNames: ["db-password"] });
    });
    expect(secrets.secretNames).toEqual(["meeting-notes-staging/db-password"]);
    expect(secrets.containerSecrets[0]!.name).toBe("DB_PASSWORD");
    expect(DEFAULT_RUNTIME_SECRETS).toHaveLength(8);
  });

  test("grantReadTo lets exactly that role read, and denies every other principal in each secret's policy", () => {
    const json = synthScope((s) =>
      new RuntimeSecrets(s, "r", { naming, encryptionKey: key }).grantReadTo(reader),
    );
    const policy = parsed(Object.values(resourcesOf(json, "aws_iam_role_policy"))[0].policy);
    expect(Object.values(resourcesOf(json, "aws_iam_role_policy"))[0].role).toBe(reader.roleName);
    expect(policy.Statement[0].Action).toBe("secretsmanager:GetSecretValue");
    expect(policy.Statement[0].Resource).toHaveLength(8);
    expect(policy.Statement[1]).toMatchObject({
      Action: "kms:Decrypt",
      Resource: key.keyArn,
      Condition: { StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } },
    });
    const secretPolicies = Object.values(resourcesOf(json, "aws_secretsmanager_secret_policy"));
    expect(secretPolicies).toHaveLength(8);
    expect(parsed(secretPolicies[0].policy).Statement[0]).toEqual({
      Sid: "OnlyTheReaderRoleReadsTheValue",
      Effect: "Deny",
      Principal: { AWS: "*" },
      Action: "secretsmanager:GetSecretValue",
      Resource: "*",
      Condition: { StringNotEquals: { "aws:PrincipalArn": reader.roleArn } },
    });
  });

  test.each<[string, Record<string, unknown>, string]>([
    [
      "a short recovery window",
      { recoveryWindowDays: 3 },
      "`recoveryWindowDays` must be a whole number from 7 to 30 (Secrets Manager's allowed window), got 3. Set it to a whole number from 7 to 30.",
    ],
    [
      "a bad secret name",
      { secretNames: ["Open AI"] },
      '`secretNames` entries must be lowercase letters, digits and hyphens, got "Open AI". Rename the secret, for example openai-api-key.',
    ],
    [
      "a duplicate secret name",
      { secretNames: ["a-b", "a-b"] },
      '`secretNames` entries must be unique, got "a-b". Remove the duplicate.',
    ],
  ])("rejects %s", (_name, overrides, message) => {
    expect(() =>
      synthScope((s) => new RuntimeSecrets(s, "r", { naming, encryptionKey: key, ...overrides })),
    ).toThrow(message);
  });

  test("a second reader is refused", () => {
    expect(() =>
      synthScope((s) => {
        const secrets = new RuntimeSecrets(s, "r", { naming, encryptionKey: key });
        secrets.grantReadTo(reader);
        secrets.grantReadTo({ roleArn: "arn:aws:iam::1:role/other", roleName: "other" });
      }),
    ).toThrow(
      '`grantReadTo` can be called once (one role reads the runtime secrets), got "other". Grant the existing reader role instead.',
    );
  });
});
