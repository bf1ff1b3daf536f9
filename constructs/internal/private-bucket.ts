import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import {
  S3BucketLifecycleConfiguration,
  type S3BucketLifecycleConfigurationRule,
} from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import type { Construct } from "constructs";
import { type PolicyStatement, policyDocument } from "../core/iam";
import { limitedName, type ResourceNaming } from "../core/naming";
import { suppress } from "../core/suppressions";

/**
 * What every bucket of the library gets: versioning, SSE-KMS with the given key and an S3 bucket key,
 * all four public access blocks, and ACLs disabled (`BucketOwnerEnforced`). The resources are created in
 * `scope` with ids `<prefix>versioning`, `<prefix>encryption`, `<prefix>public-access-block` and
 * `<prefix>ownership-controls`, so a bucket built before this helper keeps its addresses.
 */
export function privateBucketBasics(
  scope: Construct,
  prefix: string,
  bucket: S3Bucket,
  keyArn: string,
): { versioning: S3BucketVersioningA; publicAccessBlock: S3BucketPublicAccessBlock } {
  const versioning = new S3BucketVersioningA(scope, `${prefix}versioning`, {
    bucket: bucket.id,
    versioningConfiguration: { status: "Enabled" },
  });
  new S3BucketServerSideEncryptionConfigurationA(scope, `${prefix}encryption`, {
    bucket: bucket.id,
    rule: [
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn },
        bucketKeyEnabled: true,
      },
    ],
  });
  const publicAccessBlock = new S3BucketPublicAccessBlock(scope, `${prefix}public-access-block`, {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, `${prefix}ownership-controls`, {
    bucket: bucket.id,
    rule: { objectOwnership: "BucketOwnerEnforced" },
  });
  return { versioning, publicAccessBlock };
}

/** The bucket policy statement every bucket of the library starts with: no request without TLS. */
export function denyInsecureTransport(bucketArn: string): PolicyStatement {
  return {
    sid: "DenyInsecureTransport",
    effect: "Deny",
    principals: { AWS: "*" },
    actions: ["s3:*"],
    resources: [bucketArn, `${bucketArn}/*`],
    conditions: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/**
 * A library bucket of the account, in `scope`: `<prefix>-<name>-<account>` (S3 names are global) with
 * {@link privateBucketBasics}, a TLS-only policy, the lifecycle `rules` (incomplete uploads aborted
 * after `abortAfterDays` appended) and S3-010 suppressed with `accessLogsReason`. Ids: `account`,
 * `bucket`, `policy`, `lifecycle`.
 */
export function accountBucket(
  scope: Construct,
  props: {
    readonly naming: ResourceNaming;
    readonly name: string;
    readonly keyArn: string;
    readonly forceDestroy: boolean;
    readonly accessLogsReason: string;
    readonly rules: readonly S3BucketLifecycleConfigurationRule[];
    readonly abortAfterDays: number;
  },
): S3Bucket {
  const account = new DataAwsCallerIdentity(scope, "account");
  const bucketName = `${limitedName(63 - 13, props.naming, props.name)}-${account.accountId}`;
  const bucket = new S3Bucket(scope, "bucket", { bucket: bucketName, forceDestroy: props.forceDestroy });
  suppress(bucket, "S3-010", props.accessLogsReason, { bucket: bucketName });
  const { versioning, publicAccessBlock } = privateBucketBasics(scope, "", bucket, props.keyArn);
  new S3BucketPolicy(scope, "policy", {
    bucket: bucket.id,
    policy: policyDocument([denyInsecureTransport(bucket.arn)]),
    dependsOn: [publicAccessBlock],
  });
  new S3BucketLifecycleConfiguration(scope, "lifecycle", {
    bucket: bucket.id,
    rule: [
      ...props.rules,
      {
        id: "abort-incomplete-multipart-uploads",
        status: "Enabled",
        filter: [{}],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: props.abortAfterDays }],
      },
    ],
    dependsOn: [versioning],
  });
  return bucket;
}
