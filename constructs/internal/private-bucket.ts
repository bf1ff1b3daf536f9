import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import type { Construct } from "constructs";
import type { PolicyStatement } from "../core/iam";

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
