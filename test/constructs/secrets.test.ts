import { describe, expect, test } from "vitest";
import { DEFAULT_RUNTIME_SECRETS, RuntimeSecrets } from "../../constructs/secrets";
import { BREAK_GLASS_ROLE_ARN, key, naming, OPERATOR_ROLE_ARN, secretAccess } from "../support/fixtures";
import { ALLOW_EVERYTHING, decide, resolveTokens } from "../support/iam-simulator";
import { parsed, resourcesOf, synthScope } from "../support/synth";

const reader = {
  roleArn: "arn:aws:iam::123456789012:role/meeting-notes-staging-bot-execution",
  roleName: "meeting-notes-staging-bot-execution",
};

describe("RuntimeSecrets", () => {
  test("creates the seed's eight secrets, named <project>-<env>/<name>, KMS-encrypted and without a value", () => {
    const json = synthScope(
      (s) => new RuntimeSecrets(s, "runtime-secrets", { naming, encryptionKey: key, ...secretAccess }),
    );
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
    const json = synthScope(
      (s) => new RuntimeSecrets(s, "runtime-secrets", { naming, encryptionKey: key, ...secretAccess }),
    );
    expect(Object.keys(resourcesOf(json, "aws_secretsmanager_secret"))).toContain(
      "runtime-secrets_openai-api-key_A12A4449",
    );
  });

  test("recovery window: 30 days by default, and as set", () => {
    const byDefault = synthScope(
      (s) => new RuntimeSecrets(s, "r", { naming, encryptionKey: key, ...secretAccess }),
    );
    const set = synthScope(
      (s) =>
        new RuntimeSecrets(s, "r", { naming, encryptionKey: key, ...secretAccess, recoveryWindowDays: 7 }),
    );
    expect(
      Object.values(resourcesOf(byDefault, "aws_secretsmanager_secret"))[0].recovery_window_in_days,
    ).toBe(30);
    expect(Object.values(resourcesOf(set, "aws_secretsmanager_secret"))[0].recovery_window_in_days).toBe(7);
  });

  test("secret names can be overridden, and map to UPPER_SNAKE container variables", () => {
    let secrets!: RuntimeSecrets;
    synthScope((s) => {
      secrets = new RuntimeSecrets(s, "r", {
        naming,
        encryptionKey: key,
        ...secretAccess,
        secretNames: ["db-password"],
      });
    });
    expect(secrets.secretNames).toEqual(["meeting-notes-staging/db-password"]);
    expect(secrets.containerSecrets[0]!.name).toBe("DB_PASSWORD");
    expect(DEFAULT_RUNTIME_SECRETS).toHaveLength(8);
  });

  test("grantRead gives that role a read policy, and every secret a resource policy", () => {
    const json = synthScope((s) =>
      new RuntimeSecrets(s, "r", { naming, encryptionKey: key, ...secretAccess }).grantRead(reader),
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
  });

  describe("each secret's policy, evaluated for concrete requests", () => {
    const json = synthScope((s) =>
      new RuntimeSecrets(s, "r", { naming, encryptionKey: key, ...secretAccess }).grantRead(reader),
    );
    const policy = resolveTokens(
      Object.values(resourcesOf(json, "aws_secretsmanager_secret_policy"))[0].policy,
    );
    const SECRET =
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:meeting-notes-staging/openai-api-key-AbCdEf";
    const ADMIN = "arn:aws:iam::123456789012:role/Admin";
    const DEPLOY = "arn:aws:iam::123456789012:role/meeting-notes-staging-ci-deploy";
    // Everyone is allowed everything in IAM: the resource policy alone must decide.
    const cases: [string, string, string, string][] = [
      ["the reader", reader.roleArn, "secretsmanager:GetSecretValue", "Allowed"],
      ["an administrator with secretsmanager:*", ADMIN, "secretsmanager:GetSecretValue", "ExplicitlyDenied"],
      ["the operator", OPERATOR_ROLE_ARN, "secretsmanager:GetSecretValue", "ExplicitlyDenied"],
      ["the operator", OPERATOR_ROLE_ARN, "secretsmanager:PutSecretValue", "Allowed"],
      ["the operator", OPERATOR_ROLE_ARN, "secretsmanager:UpdateSecretVersionStage", "Allowed"],
      ["the reader", reader.roleArn, "secretsmanager:PutSecretValue", "ExplicitlyDenied"],
      ["the CI deploy role", DEPLOY, "secretsmanager:PutSecretValue", "ExplicitlyDenied"],
      ["the CI deploy role", DEPLOY, "secretsmanager:DeleteResourcePolicy", "ExplicitlyDenied"],
      ["the CI deploy role", DEPLOY, "secretsmanager:PutResourcePolicy", "ExplicitlyDenied"],
      ["the CI deploy role", DEPLOY, "secretsmanager:DeleteSecret", "ExplicitlyDenied"],
      ["the operator", OPERATOR_ROLE_ARN, "secretsmanager:DeleteResourcePolicy", "ExplicitlyDenied"],
      ["the break-glass role", BREAK_GLASS_ROLE_ARN, "secretsmanager:PutResourcePolicy", "Allowed"],
      ["the break-glass role", BREAK_GLASS_ROLE_ARN, "secretsmanager:DeleteSecret", "Allowed"],
      ["the break-glass role", BREAK_GLASS_ROLE_ARN, "secretsmanager:GetSecretValue", "ExplicitlyDenied"],
      ["the CI deploy role", DEPLOY, "secretsmanager:DescribeSecret", "Allowed"],
    ];
    test.each(cases)("%s: %s is %s", async (_who, principal, action, expected) => {
      await expect(
        decide({ principal, action, resource: SECRET, identity: [ALLOW_EVERYTHING], resourcePolicy: policy }),
      ).resolves.toBe(expected);
    });
  });

  test.each<[string, Record<string, unknown>, string]>([
    [
      "no writer",
      { writers: [] },
      "`writers` must name at least one principal (nobody could set the values), got []. Name the operator role (access.operatorRoleName in the environment file).",
    ],
    [
      "no policy administrator",
      { policyAdministrators: [] },
      "`policyAdministrators` must name at least one principal (nobody else can change the policy or delete the secret), got []. Name the break-glass role (access.breakGlassRoleName in the environment file).",
    ],
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
      synthScope(
        (s) => new RuntimeSecrets(s, "r", { naming, encryptionKey: key, ...secretAccess, ...overrides }),
      ),
    ).toThrow(message);
  });

  test("several readers: each after the first names its key; its policy is read-<key>; the secrets' policy lets each read", () => {
    const other = {
      roleArn: "arn:aws:iam::123456789012:role/worker-execution",
      roleName: "worker-execution",
    };
    const json = synthScope((s) => {
      const secrets = new RuntimeSecrets(s, "r", { naming, encryptionKey: key, ...secretAccess });
      secrets.grantRead(reader);
      secrets.grantRead(other, "worker");
    });
    const policies = resourcesOf(json, "aws_iam_role_policy");
    const roleOf = Object.fromEntries(
      Object.entries(policies).map(([id, p]) => [id.replace(/_[0-9A-F]{8}$/, ""), p.role]),
    );
    expect(roleOf).toEqual({ r_read: reader.roleName, "r_read-worker": other.roleName });
    const secretPolicy = parsed(
      Object.values(resourcesOf(json, "aws_secretsmanager_secret_policy"))[0].policy,
    );
    expect(JSON.stringify(secretPolicy)).toContain(other.roleArn);
    expect(JSON.stringify(secretPolicy)).toContain(reader.roleArn);
  });

  test("a second keyless reader, and one role granted twice, are refused; the order of the grants moves nothing", () => {
    const attempt = (second: (secrets: RuntimeSecrets) => void) => () =>
      synthScope((s) => {
        const secrets = new RuntimeSecrets(s, "r", { naming, encryptionKey: key, ...secretAccess });
        secrets.grantRead(reader);
        second(secrets);
      });
    expect(attempt((x) => x.grantRead({ roleArn: "arn:aws:iam::1:role/other", roleName: "other" }))).toThrow(
      "`key` must be given for every reader but one (one keyless reader's policy is read; the others are read-<key>), got nothing. Pass the service's key: secrets.grantRead(role, \"worker\").",
    );
    expect(
      synthScope((s) => {
        // The keyed reader first, the keyless one second: the order moves neither policy.
        const secrets = new RuntimeSecrets(s, "r", { naming, encryptionKey: key, ...secretAccess });
        secrets.grantRead({ roleArn: "arn:aws:iam::1:role/other", roleName: "other" }, "worker");
        secrets.grantRead(reader);
      }).resource?.aws_iam_role_policy,
    ).toEqual(
      expect.objectContaining({
        [Object.keys(
          synthScope((s) => {
            new RuntimeSecrets(s, "r", { naming, encryptionKey: key, ...secretAccess }).grantRead(reader);
          }).resource!.aws_iam_role_policy,
        )[0]!]: expect.objectContaining({ role: reader.roleName }),
      }),
    );
    expect(attempt((x) => x.grantRead(reader, "again"))).toThrow(
      `\`grantRead\` must be called once per role, got "${reader.roleName}". Remove the second grant.`,
    );
  });
});
