import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import type { ResourceNaming } from "../core/naming";
import { suppress } from "../core/suppressions";
import { invalid, requireIntegerInRange } from "../core/validation";
import type { KeyReference, RoleReference } from "../internal/references";
import { secretAccessPolicy, secretReadPolicy } from "../internal/secret-access";

/** The runtime secrets the seed lists, in its order. */
export const DEFAULT_RUNTIME_SECRETS: readonly string[] = [
  "discord-bot-token",
  "discord-client-secret",
  "oauth-secret",
  "openai-api-key",
  "langfuse-public-key",
  "langfuse-secret-key",
  "stripe-secret-key",
  "stripe-webhook-secret",
];

/** Properties of {@link RuntimeSecrets}. */
export interface RuntimeSecretsProps {
  /** Project and environment the secret names start with. */
  readonly naming: ResourceNaming;
  /** Key the secrets are encrypted with. */
  readonly encryptionKey: KeyReference;
  /**
   * Secret names, each becoming `<project>-<environment>/<name>` and the container variable
   * `NAME_IN_UPPER_SNAKE_CASE`.
   * @default DEFAULT_RUNTIME_SECRETS (the seed's eight)
   */
  readonly secretNames?: readonly string[];
  /**
   * Days a deleted secret can still be restored.
   * @default 30
   */
  readonly recoveryWindowDays?: number;
  /**
   * Principal ARNs (patterns) that may write values and move staging labels: the operator role
   * people set the values with.
   */
  readonly writers: readonly string[];
  /**
   * Principal ARNs (patterns) that may change the secrets' resource policies or delete the secrets:
   * the break-glass role.
   */
  readonly policyAdministrators: readonly string[];
}

/** One secret as the ECS container definition's `secrets` entry expects it. */
export interface ContainerSecret {
  /** Environment variable name inside the container. */
  readonly name: string;
  /** ARN of the secret. */
  readonly valueFrom: string;
}

/**
 * The application's runtime secrets in Secrets Manager, created without a value.
 *
 * Values are written out of band (`aws secretsmanager put-secret-value`), so they never appear in
 * code, variables or Terraform state. Each secret's resource policy has three lists, each enforced
 * by an explicit deny: only the roles passed to {@link RuntimeSecrets.grantRead} read values, only
 * the `writers` write them, only the `policyAdministrators` change the policy or delete a secret.
 */
export class RuntimeSecrets extends Construct {
  /** Full secret names (`<project>-<environment>/<name>`), in order. */
  public readonly secretNames: string[];
  /** Secret ARNs, in the order of {@link RuntimeSecrets.secretNames}. */
  public readonly secretArns: string[];
  /** Entries for the container definition's `secrets`. */
  public readonly containerSecrets: ContainerSecret[];
  private readonly secrets: SecretsmanagerSecret[];
  private readonly encryptionKey: KeyReference;
  private readonly readers: RoleReference[] = [];

  constructor(scope: Construct, id: string, props: RuntimeSecretsProps) {
    super(scope, id);
    const names = props.secretNames ?? DEFAULT_RUNTIME_SECRETS;
    const recoveryWindowDays = props.recoveryWindowDays ?? 30;
    requireIntegerInRange(
      "recoveryWindowDays",
      recoveryWindowDays,
      7,
      30,
      "Secrets Manager's allowed window",
    );
    const seen = new Set<string>();
    for (const name of names) {
      if (!/^[a-z0-9][a-z0-9-]*[a-z0-9]$/.test(name)) {
        throw invalid(
          "secretNames",
          "entries must be lowercase letters, digits and hyphens",
          name,
          "Rename the secret, for example openai-api-key.",
        );
      }
      if (seen.has(name)) {
        throw invalid("secretNames", "entries must be unique", name, "Remove the duplicate.");
      }
      seen.add(name);
    }
    if (props.writers.length === 0) {
      throw invalid(
        "writers",
        "must name at least one principal (nobody could set the values)",
        [],
        "Name the operator role (access.operatorRoleName in the environment file).",
      );
    }
    this.encryptionKey = props.encryptionKey;
    this.secretNames = names.map((n) => `${props.naming.projectName}-${props.naming.environment}/${n}`);
    // The construct id is the secret's short name: a fixed literal per secret, so its address never moves.
    this.secrets = names.map(
      (name, i) =>
        new SecretsmanagerSecret(this, name, {
          name: this.secretNames[i]!,
          description: `Runtime secret ${name} for ${props.naming.projectName} ${props.naming.environment}; value set out of band.`,
          kmsKeyId: props.encryptionKey.keyArn,
          recoveryWindowInDays: recoveryWindowDays,
        }),
    );
    for (const secret of this.secrets) {
      suppress(
        secret,
        "SM-002",
        "a value issued outside AWS (a third-party credential, an application configuration) that operators set and renew out of band; Secrets Manager has nothing to rotate it with",
        { name: secret.nameInput },
      );
    }
    this.secretArns = this.secrets.map((s) => s.arn);
    // Readers are known once grantRead runs; the policy is rendered at synth.
    const policy = Lazy.stringValue({
      produce: () =>
        secretAccessPolicy({
          readers: this.readers.map((r) => r.roleArn),
          writers: props.writers,
          policyAdministrators: props.policyAdministrators,
        }),
    });
    this.secrets.forEach((secret, i) => {
      new SecretsmanagerSecretPolicy(this, `${secret.node.id}-policy`, {
        secretArn: this.secretArns[i]!,
        policy,
      });
    });
    this.containerSecrets = names.map((name, i) => ({
      name: name.toUpperCase().replace(/-/g, "_"),
      valueFrom: this.secretArns[i]!,
    }));
  }

  /**
   * Lets a role read the secrets (the ECS task execution role of each service that injects them); every
   * role not granted is denied reading by the secrets' resource policy. A reader without a key has the
   * policy `read` (one such reader); the others give a stable `key` (their service's key) and have
   * `read-<key>`, so the order of the calls never moves a policy.
   */
  public grantRead(role: RoleReference, key?: string): void {
    if (this.readers.some((r) => r.roleArn === role.roleArn)) {
      throw invalid("grantRead", "must be called once per role", role.roleName, "Remove the second grant.");
    }
    if (key !== undefined && !/^[a-z][a-z0-9-]{0,39}$/.test(key)) {
      throw invalid(
        "key",
        "must be 1-40 lowercase letters, digits and hyphens (the policy is read-<key>)",
        key,
        "Pass the service's key.",
      );
    }
    const id = key === undefined ? "read" : `read-${key}`;
    if (this.node.tryFindChild(id)) {
      throw invalid(
        "key",
        key === undefined
          ? "must be given for every reader but one (one keyless reader's policy is read; the others are read-<key>)"
          : "must be unique among the readers",
        key,
        'Pass the service\'s key: secrets.grantRead(role, "worker").',
      );
    }
    this.readers.push(role);
    secretReadPolicy(this, id, {
      name: "runtime-secrets-read",
      role,
      secretArns: this.secretArns,
      keyArn: this.encryptionKey.keyArn,
      readSid: "ReadRuntimeSecrets",
      decryptSid: "DecryptRuntimeSecrets",
    });
  }
}
