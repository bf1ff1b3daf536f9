import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { Construct } from "constructs";
import { type PolicyStatement, policyDocument } from "../core/iam";
import { invalid } from "../core/validation";
import type { RoleReference } from "./references";

/** Reading a secret's value. */
export const SECRET_READ_ACTIONS: readonly string[] = ["secretsmanager:GetSecretValue"];
/**
 * Writing a value or moving a staging label. `UpdateSecret` is here too: given a `SecretString`, it
 * writes a new current version (so metadata changes of a locked secret are the writers' as well).
 */
export const SECRET_WRITE_ACTIONS: readonly string[] = [
  "secretsmanager:PutSecretValue",
  "secretsmanager:UpdateSecretVersionStage",
  "secretsmanager:UpdateSecret",
];
/** Changing who may do the above, or deleting the secret. */
export const SECRET_POLICY_ACTIONS: readonly string[] = [
  "secretsmanager:PutResourcePolicy",
  "secretsmanager:DeleteResourcePolicy",
  "secretsmanager:DeleteSecret",
];

/**
 * Who may do what with one secret: IAM principal ARNs (role ARNs; `*` wildcards allowed, as for
 * IAM Identity Center roles), matched against `aws:PrincipalArn`.
 */
export interface SecretAccessLists {
  /** May read the value (`GetSecretValue`). */
  readonly readers: readonly string[];
  /** May write values and move staging labels (`PutSecretValue`, `UpdateSecretVersionStage`, `UpdateSecret`). */
  readonly writers: readonly string[];
  /** May change or delete the resource policy, and delete the secret. */
  readonly policyAdministrators: readonly string[];
}

const statement = (sid: string, actions: readonly string[], allowed: readonly string[]): PolicyStatement => ({
  sid,
  effect: "Deny",
  principals: { AWS: "*" },
  actions,
  resources: ["*"],
  ...(allowed.length > 0 ? { conditions: { ArnNotLike: { "aws:PrincipalArn": [...allowed] } } } : {}),
});

/**
 * A secret's resource policy made of three explicit denies: everyone outside each list is denied
 * that list's actions, whatever their IAM policies allow (`secretsmanager:*` included). It grants
 * nothing: the listed principals still need an IAM allow. Once applied, only a policy administrator
 * can change it, so a change to the lists is applied by one of them, not by the CI deploy role.
 */
export function secretAccessPolicy(lists: SecretAccessLists): string {
  if (lists.policyAdministrators.length === 0) {
    throw invalid(
      "policyAdministrators",
      "must name at least one principal (nobody else can change the policy or delete the secret)",
      [],
      "Name the break-glass role (access.breakGlassRoleName in the environment file).",
    );
  }
  return policyDocument([
    statement("OnlyReadersReadTheValue", SECRET_READ_ACTIONS, lists.readers),
    statement("OnlyWritersWriteValues", SECRET_WRITE_ACTIONS, lists.writers),
    statement("OnlyPolicyAdministratorsChangeAccess", SECRET_POLICY_ACTIONS, lists.policyAdministrators),
  ]);
}

/**
 * An inline policy on `role` that reads the secrets' values and decrypts them with their key, through
 * Secrets Manager only. The sids are the caller's (they are part of policies already deployed).
 */
export function secretReadPolicy(
  scope: Construct,
  id: string,
  options: {
    readonly name: string;
    readonly role: RoleReference;
    readonly secretArns: readonly string[];
    readonly keyArn: string;
    readonly readSid: string;
    readonly decryptSid: string;
  },
): IamRolePolicy {
  return new IamRolePolicy(scope, id, {
    name: options.name,
    role: options.role.roleName,
    policy: policyDocument([
      { sid: options.readSid, actions: [...SECRET_READ_ACTIONS], resources: [...options.secretArns] },
      {
        sid: options.decryptSid,
        actions: ["kms:Decrypt"],
        resources: [options.keyArn],
        conditions: { StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } },
      },
    ]),
  });
}
