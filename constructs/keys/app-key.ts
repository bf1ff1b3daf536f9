import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import { policyDocument } from "../core/iam";
import { limitedName, NAME_LIMITS, type ResourceNaming, resourceName } from "../core/naming";
import { requireIntegerInRange } from "../core/validation";

/** Properties of an {@link AppKey}. */
export interface AppKeyProps {
  /** Project and environment the key's alias and description derive from. */
  readonly naming: ResourceNaming;
  /**
   * Days KMS waits before deleting the key once its deletion is scheduled (7 to 30).
   * Data encrypted with a deleted key is lost, so the longest window is the default.
   * @default 30
   */
  readonly deletionWindowDays?: number;
}

/**
 * The environment's general-purpose customer-managed KMS key (the seed's `app_general` key):
 * symmetric, rotated yearly by KMS, named `alias/<project>-<env>-app-general`.
 *
 * Its key policy grants:
 * - the account root principal every KMS action, which lets IAM policies in this account grant use
 *   of the key (without it, no role could be granted anything on the key);
 * - CloudWatch Alarms and EventBridge `kms:Decrypt` and `kms:GenerateDataKey*`, limited to sources in
 *   this account, so they can publish to an SNS topic encrypted with the key (without this grant,
 *   alarm notifications are silently dropped);
 * - CloudWatch Logs in this region the actions it needs to encrypt log groups of this account,
 *   limited by the `kms:EncryptionContext:aws:logs:arn` condition.
 *
 * Secrets Manager needs no statement of its own: it uses the key on behalf of the principal that
 * reads or writes the secret, so a role that reads a secret encrypted with this key needs
 * `kms:Decrypt` on {@link AppKey.keyArn} in its own IAM policy, which the root statement makes
 * effective.
 *
 * In a key policy, `Resource: "*"` means "this key"; it grants nothing on other keys.
 */
export class AppKey extends Construct {
  /** ARN of the key; use it for `kms_key_id` of log groups, SNS topics and secrets, and in IAM policies. */
  readonly keyArn: string;
  /** ID of the key. */
  readonly keyId: string;
  /** Alias of the key: `alias/<project>-<env>-app-general`. */
  readonly aliasName: string;

  constructor(scope: Construct, id: string, props: AppKeyProps) {
    super(scope, id);
    const deletionWindowDays = props.deletionWindowDays ?? 30;
    requireIntegerInRange(
      "deletionWindowDays",
      deletionWindowDays,
      7,
      30,
      "KMS accepts a deletion window of 7 to 30 days",
    );

    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");
    const region = new DataAwsRegion(this, "region");
    const accountId = account.accountId;
    const logsPrincipal = `logs.${region.name}.${partition.dnsSuffix}`;

    const key = new KmsKey(this, "key", {
      description: `${resourceName(props.naming)} general application key (alert topic, log groups, secrets)`,
      keyUsage: "ENCRYPT_DECRYPT",
      customerMasterKeySpec: "SYMMETRIC_DEFAULT",
      enableKeyRotation: true,
      deletionWindowInDays: deletionWindowDays,
      policy: policyDocument([
        {
          sid: "AccountRootFullAccess",
          principals: { AWS: `arn:${partition.partition}:iam::${accountId}:root` },
          actions: ["kms:*"],
          resources: ["*"],
        },
        {
          sid: "AlarmsAndEventsPublishToEncryptedTopics",
          principals: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
          actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
          resources: ["*"],
          conditions: { StringEquals: { "aws:SourceAccount": accountId } },
        },
        {
          sid: "CloudWatchLogsEncryptLogGroups",
          principals: { Service: logsPrincipal },
          actions: [
            "kms:Encrypt*",
            "kms:Decrypt*",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*",
            "kms:Describe*",
          ],
          resources: ["*"],
          conditions: {
            ArnLike: {
              "kms:EncryptionContext:aws:logs:arn": `arn:${partition.partition}:logs:${region.name}:${accountId}:log-group:*`,
            },
          },
        },
      ]),
    });

    this.aliasName = `alias/${limitedName(NAME_LIMITS.kmsAlias, props.naming, "app-general")}`;
    new KmsAlias(this, "alias", { name: this.aliasName, targetKeyId: key.keyId });

    this.keyArn = key.arn;
    this.keyId = key.keyId;
  }
}
