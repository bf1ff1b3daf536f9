import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { Construct } from "constructs";
import { policyDocument } from "../core/iam";
import { suppress } from "../core/suppressions";
import { invalid, isUnresolved, requireIntegerInRange } from "../core/validation";
import { denyInsecureTransport, privateBucketBasics } from "../internal/private-bucket";

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IPV4_LIKE = /^\d{1,3}(\.\d{1,3}){3}$/;
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/** Alias of the state bucket's KMS key: `alias/<bucket name, dots replaced by hyphens>`. */
/**
 * The folder of workspace states in the bucket: a workspace's state is
 * `<prefix>/<workspace>/<stack>/terraform.tfstate` (Terraform's default prefix is `env:`).
 */
export const WORKSPACE_KEY_PREFIX = "workspaces";

/** Key of a stack's state object in one workspace, as the S3 backend writes it. */
export function stateObjectKey(stackName: string, workspace: string): string {
  return `${WORKSPACE_KEY_PREFIX}/${workspace}/${stackName}/terraform.tfstate`;
}

export function stateKeyAlias(bucketName: string): string {
  return `alias/${bucketName.replace(/\./g, "-")}`;
}

/** Properties of a {@link TerraformStateStore}. */
export interface TerraformStateStoreProps {
  /**
   * Name of the S3 bucket that holds every stack's state. S3 bucket names are global across all
   * AWS accounts: pick one you own (for example `<project>-terraform-state-<account id>`).
   */
  readonly bucketName: string;
  /** Name of the DynamoDB table Terraform's S3 backend locks states in (`dynamodb_table`). */
  readonly lockTableName: string;
  /**
   * Days a replaced or deleted state version stays recoverable before S3 expires it.
   * @default 90
   */
  readonly noncurrentVersionRetentionDays?: number;
  /**
   * The bucket and the table exist already (another tool's): only the key is created, and this
   * repository's states are written with it. The bucket's policy, versioning and lifecycle, and the
   * table's settings, are their owner's.
   * @default false
   */
  readonly existingBucket?: boolean;
}

/**
 * Where Terraform keeps its state: an S3 bucket and a DynamoDB lock table, both encrypted with a
 * dedicated customer-managed KMS key.
 *
 * - The bucket keeps every state version (versioning), encrypts objects with the key by default
 *   (SSE-KMS with an S3 bucket key), blocks every form of public access, disables ACLs
 *   (`BucketOwnerEnforced`), refuses requests that do not use TLS, expires replaced versions after
 *   {@link TerraformStateStoreProps.noncurrentVersionRetentionDays} and aborts multipart uploads left
 *   incomplete for 7 days.
 * - The lock table (`LockID` string hash key, on-demand billing) has point-in-time recovery and
 *   deletion protection.
 * - The bucket, the table and the key carry `prevent_destroy`, and the bucket is never force-destroyed:
 *   losing any of them loses (or makes unreadable) every environment's state. Deleting them is a
 *   deliberate manual act.
 *
 * Backends should not set `encrypt = true` without `kms_key_id`: the S3 backend then asks for AES256
 * on each write, which overrides the bucket's default KMS encryption. Leaving `encrypt` unset, or
 * setting `kms_key_id` to {@link TerraformStateStore.kmsKeyArn}, keeps states under this key.
 */
export class TerraformStateStore extends Construct {
  /** Name of the state bucket. */
  readonly bucketName: string;
  /** ARN of the state bucket. */
  readonly bucketArn: string;
  /** Name of the lock table. */
  readonly lockTableName: string;
  /** ARN of the lock table. */
  readonly lockTableArn: string;
  /** ARN of the KMS key that encrypts the bucket's objects and the lock table. */
  readonly kmsKeyArn: string;
  /** Alias of the KMS key: `alias/<bucket name, dots replaced by hyphens>`. */
  readonly kmsKeyAlias: string;

  constructor(scope: Construct, id: string, props: TerraformStateStoreProps) {
    super(scope, id);
    const retentionDays = props.noncurrentVersionRetentionDays ?? 90;
    validate(props, retentionDays);

    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");

    const key = new KmsKey(this, "key", {
      description: props.existingBucket
        ? `Encrypts this repository's Terraform states in the existing bucket ${props.bucketName}`
        : `Encrypts the Terraform state bucket ${props.bucketName} and lock table ${props.lockTableName}`,
      keyUsage: "ENCRYPT_DECRYPT",
      customerMasterKeySpec: "SYMMETRIC_DEFAULT",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      // The account root statement lets IAM policies grant use of the key (the KMS default, written out
      // so reviewers and the policy suite can read it). In a key policy, `*` means "this key".
      policy: policyDocument([
        {
          sid: "AccountRootFullAccess",
          principals: { AWS: `arn:${partition.partition}:iam::${account.accountId}:root` },
          actions: ["kms:*"],
          resources: ["*"],
        },
      ]),
      lifecycle: { preventDestroy: true },
    });
    this.kmsKeyAlias = stateKeyAlias(props.bucketName);
    new KmsAlias(this, "key-alias", { name: this.kmsKeyAlias, targetKeyId: key.keyId });
    this.kmsKeyArn = key.arn;
    if (props.existingBucket) {
      const region = new DataAwsRegion(this, "region");
      this.bucketName = props.bucketName;
      this.bucketArn = `arn:${partition.partition}:s3:::${props.bucketName}`;
      this.lockTableName = props.lockTableName;
      this.lockTableArn = `arn:${partition.partition}:dynamodb:${region.name}:${account.accountId}:table/${props.lockTableName}`;
      return;
    }

    const bucket = new S3Bucket(this, "bucket", {
      bucket: props.bucketName,
      forceDestroy: false,
      lifecycle: { preventDestroy: true },
    });
    suppress(
      bucket,
      "S3-010",
      "server access logs would need a second, unversioned bucket per account, which this repository does not create; " +
        "enable CloudTrail S3 data events on this bucket to audit state access (README: Remote state)",
      { bucket: props.bucketName },
    );
    const { versioning, publicAccessBlock } = privateBucketBasics(this, "", bucket, key.arn);
    new S3BucketPolicy(this, "bucket-policy", {
      bucket: bucket.id,
      policy: policyDocument([
        denyInsecureTransport(bucket.arn),
        {
          // The CI roles carry a TerraformWorkspace tag: each reaches only its own workspace's states.
          // (`$${...}` is an IAM policy variable; Terraform writes it as `${...}`.)
          sid: "WorkspaceRolesUseOnlyTheirWorkspace",
          effect: "Deny",
          principals: { AWS: "*" },
          actions: ["s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*", "s3:RestoreObject"],
          notResources: [`${bucket.arn}/${WORKSPACE_KEY_PREFIX}/$\${aws:PrincipalTag/TerraformWorkspace}/*`],
          conditions: { Null: { "aws:PrincipalTag/TerraformWorkspace": "false" } },
        },
      ]),
      // S3 rejects a bucket policy written while the public access block is still being applied.
      dependsOn: [publicAccessBlock],
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: bucket.id,
      rule: [
        {
          id: "expire-noncurrent-versions",
          status: "Enabled",
          filter: [{}],
          noncurrentVersionExpiration: [{ noncurrentDays: retentionDays }],
          // Lock files (`.tflock`) leave delete markers behind; remove them once no version is left.
          expiration: [{ expiredObjectDeleteMarker: true }],
        },
        {
          id: "abort-incomplete-multipart-uploads",
          status: "Enabled",
          filter: [{}],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
      // Versioning must be on before rules about noncurrent versions mean anything.
      dependsOn: [versioning],
    });

    const table = new DynamodbTable(this, "lock-table", {
      name: props.lockTableName,
      billingMode: "PAY_PER_REQUEST",
      hashKey: "LockID",
      attribute: [{ name: "LockID", type: "S" }],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
      deletionProtectionEnabled: true,
      lifecycle: { preventDestroy: true },
    });

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.lockTableName = table.name;
    this.lockTableArn = table.arn;
  }
}

function validate(props: TerraformStateStoreProps, retentionDays: number): void {
  const { bucketName, lockTableName } = props;
  if (
    !isUnresolved(bucketName) &&
    (!BUCKET_NAME.test(bucketName) || bucketName.includes("..") || IPV4_LIKE.test(bucketName))
  ) {
    throw invalid(
      "bucketName",
      "must be an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, not an IP address)",
      bucketName,
      "Pick a globally unique name such as my-project-terraform-state-123456789012.",
    );
  }
  if (!isUnresolved(lockTableName) && !TABLE_NAME.test(lockTableName)) {
    throw invalid(
      "lockTableName",
      "must be a DynamoDB table name (3 to 255 letters, digits, _, . and -)",
      lockTableName,
      "Use a name such as my-project-terraform-locks.",
    );
  }
  requireIntegerInRange(
    "noncurrentVersionRetentionDays",
    retentionDays,
    1,
    3650,
    "S3 lifecycle rules count whole days; 3650 keeps ten years",
  );
}
