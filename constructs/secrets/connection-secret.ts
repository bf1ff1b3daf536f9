import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { Construct } from "constructs";
import type { ResourceNaming } from "../core/naming";
import { suppress } from "../core/suppressions";
import { invalid, requireIntegerInRange } from "../core/validation";
import type { KeyReference, RoleReference } from "../internal/references";
import { secretReadPolicy } from "../internal/secret-access";

/** Properties of {@link ConnectionSecret}. */
export interface ConnectionSecretProps {
  /** Project and environment the secret's name starts with. */
  readonly naming: ResourceNaming;
  /** Short name: the secret is `<project>-<environment>/<name>`. */
  readonly name: string;
  /** What the value describes, for the secret's description. */
  readonly description: string;
  /** Key the secret is encrypted with. */
  readonly encryptionKey: KeyReference;
  /**
   * The value, written as JSON: connection details only (host, port, user, URL), never a password or
   * token, since Terraform keeps it in state (fields named like a credential, and URLs carrying a
   * password, are refused).
   */
  readonly value: Readonly<Record<string, string | number>>;
  /**
   * Days a deleted secret can still be restored.
   * @default 30
   */
  readonly recoveryWindowDays?: number;
}

/** Field names that suggest a credential, refused in a value Terraform writes to state. */
const CREDENTIAL_FIELDS = /pass(word)?|secret|token|credential|api_?key|private_?key/i;

/**
 * Connection details an application reads at run time from Secrets Manager, written by Terraform from
 * what it created (a cache's endpoint and IAM user, say). The value holds no credential, which is what
 * makes writing it from Terraform safe: fields named like one are refused.
 */
export class ConnectionSecret extends Construct {
  /** Full name, `<project>-<environment>/<name>`. */
  public readonly secretName: string;
  /** ARN of the secret. */
  public readonly secretArn: string;
  private readonly keyArn: string;
  private readonly readers = new Set<string>();

  constructor(scope: Construct, id: string, props: ConnectionSecretProps) {
    super(scope, id);
    const recoveryWindowDays = props.recoveryWindowDays ?? 30;
    requireIntegerInRange(
      "recoveryWindowDays",
      recoveryWindowDays,
      7,
      30,
      "Secrets Manager's allowed window",
    );
    if (!/^[a-z0-9][a-z0-9-]*[a-z0-9]$/.test(props.name)) {
      throw invalid(
        "name",
        "must be lowercase letters, digits and hyphens",
        props.name,
        "Use a name such as redis-credentials.",
      );
    }
    const credential = Object.keys(props.value).find((field) => CREDENTIAL_FIELDS.test(field));
    if (credential) {
      throw invalid(
        `value.${credential}`,
        "must not be a credential (Terraform writes the value, so it would be kept in state)",
        credential,
        "Keep credentials out of it: use IAM authentication, or a secret that a rotation function writes.",
      );
    }
    const withPassword = Object.entries(props.value).find(
      ([, v]) => typeof v === "string" && /:\/\/[^/@\s]+:[^/@\s]*@/.test(v),
    );
    if (withPassword) {
      throw invalid(
        `value.${withPassword[0]}`,
        "must not carry a password in a URL (Terraform writes the value, so it would be kept in state)",
        withPassword[0],
        "Leave the password out of the URL: use IAM authentication, or a secret that a rotation function writes.",
      );
    }
    this.secretName = `${props.naming.projectName}-${props.naming.environment}/${props.name}`;
    const secret = new SecretsmanagerSecret(this, "secret", {
      name: this.secretName,
      description: `${props.description} (connection details, no credential; written by Terraform)`,
      kmsKeyId: props.encryptionKey.keyArn,
      recoveryWindowInDays: recoveryWindowDays,
    });
    suppress(
      secret,
      "SM-002",
      "connection details without a credential (host, port, user, URL), written by Terraform from what it created: nothing in it to rotate",
      { name: secret.nameInput },
    );
    new SecretsmanagerSecretVersion(this, "value", {
      secretId: secret.id,
      secretString: JSON.stringify(props.value),
    });
    this.secretArn = secret.arn;
    this.keyArn = props.encryptionKey.keyArn;
  }

  /** Lets a role read the value (an inline policy `<key>-read` on the role). */
  public grantRead(role: RoleReference, key: string): void {
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(key) || this.readers.has(key)) {
      throw invalid(
        "grantRead",
        "needs a key of lowercase letters, digits and hyphens, unique per secret",
        key,
        "Name the workload, for example api.",
      );
    }
    this.readers.add(key);
    secretReadPolicy(this, `read-${key}`, {
      name: `${this.node.id}-read`,
      role,
      secretArns: [this.secretArn],
      keyArn: this.keyArn,
      readSid: "ReadConnectionDetails",
      decryptSid: "DecryptThroughSecretsManager",
    });
  }
}
