import { Construct } from "constructs";
import type { PolicyStatement } from "../core/iam";
import type { ResourceNaming } from "../core/naming";
import { invalid, requireIntegerInRange } from "../core/validation";
import { accountBucket } from "../internal/private-bucket";
import type { KeyReference } from "../internal/references";

/** Properties of {@link DataBucket}. */
export interface DataBucketProps {
  readonly naming: ResourceNaming;
  /** Name suffix: the bucket is `<project>-<environment>-<name>-<account>` (S3 names are global). */
  readonly name: string;
  /** Key the objects are encrypted with (SSE-KMS with an S3 bucket key). */
  readonly encryptionKey: KeyReference;
  /** Days an overwritten or deleted object's old version is kept. @default 90 */
  readonly noncurrentVersionDays?: number;
  /** Let a destroy delete the bucket with its objects (disposable environments only). @default false */
  readonly forceDestroy?: boolean;
}

/**
 * An application's data bucket: SSE-KMS with the key, versioned, public access blocked, ACLs off, TLS
 * only, old versions expiring after `noncurrentVersionDays` and incomplete uploads aborted. Roles get
 * access with {@link accessStatements}: the objects (under a prefix, when given) and the key through S3.
 */
export class DataBucket extends Construct {
  public readonly bucketName: string;
  public readonly bucketArn: string;
  private readonly keyArn: string;

  constructor(scope: Construct, id: string, props: DataBucketProps) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]{0,19}$/.test(props.name)) {
      throw invalid(
        "name",
        "must be 1-20 lowercase letters, digits and hyphens",
        props.name,
        'Use a short name such as "data".',
      );
    }
    const noncurrent = props.noncurrentVersionDays ?? 90;
    requireIntegerInRange("noncurrentVersionDays", noncurrent, 1, 3650);
    const bucket = accountBucket(this, {
      naming: props.naming,
      name: props.name,
      keyArn: props.encryptionKey.keyArn,
      forceDestroy: props.forceDestroy ?? false,
      accessLogsReason:
        "an application's data bucket: access logs would need a second, unversioned bucket; CloudTrail records its API calls (enable S3 data events on it for object-level audit)",
      rules: [
        {
          id: "expire-old-versions",
          status: "Enabled",
          filter: [{}],
          noncurrentVersionExpiration: [{ noncurrentDays: noncurrent }],
        },
      ],
      abortAfterDays: 7,
    });
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.keyArn = props.encryptionKey.keyArn;
  }

  /**
   * What a role needs to read (`read`) or read and write (`readWrite`) the objects, under `prefix`
   * when given (`uploads/`), and to use the key for them through S3.
   */
  accessStatements(access: "read" | "readWrite", sid: string, prefix = ""): PolicyStatement[] {
    if (prefix !== "" && (!/^[A-Za-z0-9!_.*'()/-]+\/$/.test(prefix) || prefix.startsWith("/"))) {
      throw invalid(
        "prefix",
        "must be a key prefix ending in / (and not starting with one)",
        prefix,
        'Use for example "uploads/".',
      );
    }
    return [
      {
        sid,
        actions: access === "read" ? ["s3:GetObject"] : ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        resources: [`${this.bucketArn}/${prefix}*`],
      },
      {
        sid: `${sid}List`,
        actions: ["s3:ListBucket"],
        resources: [this.bucketArn],
        ...(prefix === "" ? {} : { conditions: { StringLike: { "s3:prefix": [`${prefix}*`] } } }),
      },
      {
        sid: `${sid}Key`,
        actions: access === "read" ? ["kms:Decrypt"] : ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: [this.keyArn],
        conditions: { StringLike: { "kms:ViaService": "s3.*.amazonaws.com" } },
      },
    ];
  }
}
