import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SyntheticsCanary } from "@cdktf/provider-aws/lib/synthetics-canary";
import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { type PolicyStatement, policyDocument, serviceTrustPolicy } from "../core/iam";
import { limitedName, NAME_LIMITS, type ResourceNaming } from "../core/naming";
import { SYNTHETICS_NODEJS_RUNTIME } from "../core/runtimes";
import { invalid, requireIntegerInRange } from "../core/validation";
import { accountBucket } from "../internal/private-bucket";
import type { KeyReference } from "../internal/references";
import type { FunctionCode } from "../lambda";

/** Synthetics' limit on a canary's name (lowercase letters, digits, hyphens, underscores). */
const CANARY_NAME_LIMIT = 255;

/** Properties of {@link CanaryArtifacts}. */
export interface CanaryArtifactsProps {
  readonly naming: ResourceNaming;
  /** Key the artifacts (screenshots, logs, HAR files) are encrypted with. */
  readonly encryptionKey: KeyReference;
  /** Days a run's artifacts are kept (then deleted by the lifecycle). @default 30 */
  readonly retentionDays?: number;
  /** Let a destroy delete the bucket with its artifacts (disposable environments). @default false */
  readonly forceDestroy?: boolean;
}

/**
 * The bucket every canary of an environment writes its run artifacts to: `<prefix>-canary-artifacts-<account>`,
 * SSE-KMS with the key, versioned, public access blocked, ACLs off, TLS only, artifacts expiring after
 * `retentionDays` (old versions a day later) and incomplete uploads aborted.
 */
export class CanaryArtifacts extends Construct {
  public readonly bucketName: string;
  public readonly bucketArn: string;
  public readonly keyArn: string;

  constructor(scope: Construct, id: string, props: CanaryArtifactsProps) {
    super(scope, id);
    const retentionDays = props.retentionDays ?? 30;
    requireIntegerInRange("retentionDays", retentionDays, 1, 3650);
    const bucket = accountBucket(this, {
      naming: props.naming,
      name: "canary-artifacts",
      keyArn: props.encryptionKey.keyArn,
      forceDestroy: props.forceDestroy ?? false,
      accessLogsReason:
        "canary run artifacts (screenshots, logs) that expire in days: access logs would need a second bucket, and CloudTrail records the API calls on it",
      rules: [
        {
          id: "expire-artifacts",
          status: "Enabled",
          filter: [{}],
          expiration: [{ days: retentionDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: 1 }],
        },
      ],
      abortAfterDays: 1,
    });
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.keyArn = props.encryptionKey.keyArn;
  }
}

/** Properties of {@link Canary}. */
export interface CanaryProps {
  readonly naming: ResourceNaming;
  /** Name suffix: the canary is `<project>-<environment>-<name>`. */
  readonly name: string;
  /** The script, bundled into a zip with `index.js` at its root (the layout the Playwright runtime reads; handler `index.handler`). */
  readonly code: FunctionCode;
  /** Where its runs' artifacts go (encrypted with that bucket's key). */
  readonly artifacts: CanaryArtifacts;
  /** `rate(5 minutes)` or a cron expression (UTC). @default "rate(5 minutes)" */
  readonly schedule?: string;
  /** Seconds a run may take (3-840 and at most the schedule's period). @default 60 */
  readonly timeoutSeconds?: number;
  /** Plain environment variables of the script (never secrets). */
  readonly environment?: Readonly<Record<string, string>>;
  /** What the script may do besides writing its artifacts, logs and metrics. */
  readonly statements?: readonly PolicyStatement[];
  /** Days the artifacts of successful and failed runs are listed by Synthetics. @default 7, 31 */
  readonly successRetentionDays?: number;
  readonly failureRetentionDays?: number;
}

/**
 * A CloudWatch Synthetics canary on {@link SYNTHETICS_NODEJS_RUNTIME}: its own role (Lambda may assume
 * it; it may write its artifacts to its prefix of the bucket, its logs to its own `cwsyn-` log groups,
 * metrics to the `CloudWatchSynthetics` namespace, traces, and the statements given), artifacts
 * encrypted with the bucket's key, started on creation, its Lambda deleted with it.
 */
export class Canary extends Construct {
  public readonly canaryName: string;
  public readonly canaryArn: string;
  public readonly resource: SyntheticsCanary;

  constructor(scope: Construct, id: string, props: CanaryProps) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(props.name)) {
      throw invalid(
        "name",
        "must be 1-40 lowercase letters, digits and hyphens",
        props.name,
        'Use a short name such as "api-health".',
      );
    }
    const schedule = props.schedule ?? "rate(5 minutes)";
    if (!/^(rate\((1 minute|\d+ (minutes|hours))\)|cron\(.+\))$/.test(schedule)) {
      throw invalid(
        "schedule",
        "must be rate(<n> minutes|hours) or cron(...)",
        schedule,
        'Use "rate(5 minutes)".',
      );
    }
    const timeoutSeconds = props.timeoutSeconds ?? 60;
    requireIntegerInRange("timeoutSeconds", timeoutSeconds, 3, 840);
    const rate = /^rate\((\d+) minutes?\)$/.exec(schedule);
    if (rate && timeoutSeconds > Number(rate[1]) * 60) {
      throw invalid(
        "timeoutSeconds",
        `must be at most the schedule's period (${schedule}): Synthetics refuses a run longer than its interval`,
        timeoutSeconds,
        "Lower the timeout, or run less often.",
      );
    }
    const success = props.successRetentionDays ?? 7;
    const failure = props.failureRetentionDays ?? 31;
    requireIntegerInRange("successRetentionDays", success, 1, 455);
    requireIntegerInRange("failureRetentionDays", failure, 1, 455);

    this.canaryName = limitedName(CANARY_NAME_LIMIT, props.naming, props.name);
    const account = new DataAwsCallerIdentity(this, "account");
    const region = new DataAwsRegion(this, "region");
    const prefix = `canaries/${this.canaryName}`;
    const role = new IamRole(this, "role", {
      name: limitedName(NAME_LIMITS.iamRole, props.naming, props.name, "canary"),
      description: `Runs the canary ${this.canaryName}`,
      assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com", {
        StringEquals: { "aws:SourceAccount": account.accountId },
      }),
    });
    const policy = new IamRolePolicy(this, "role-policy", {
      name: "canary",
      role: role.name,
      policy: policyDocument([
        ...(props.statements ?? []),
        {
          sid: "WriteArtifacts",
          actions: ["s3:PutObject"],
          resources: [`${props.artifacts.bucketArn}/${prefix}/*`],
        },
        {
          sid: "FindTheArtifactsBucket",
          actions: ["s3:GetBucketLocation"],
          resources: [props.artifacts.bucketArn],
        },
        // Synthetics lists the account's buckets before it writes; the action has no resource scope.
        { sid: "ListBuckets", actions: ["s3:ListAllMyBuckets"], resources: ["*"] },
        {
          sid: "EncryptArtifacts",
          actions: ["kms:GenerateDataKey", "kms:Decrypt"],
          resources: [props.artifacts.keyArn],
          conditions: { StringEquals: { "kms:ViaService": `s3.${region.name}.amazonaws.com` } },
        },
        {
          sid: "WriteLogs",
          actions: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
          resources: [
            `arn:aws:logs:${region.name}:${account.accountId}:log-group:/aws/lambda/cwsyn-${this.canaryName}-*`,
            `arn:aws:logs:${region.name}:${account.accountId}:log-group:/aws/lambda/cwsyn-${this.canaryName}-*:*`,
          ],
        },
        {
          sid: "PublishCanaryMetrics",
          actions: ["cloudwatch:PutMetricData"],
          resources: ["*"],
          conditions: { StringEquals: { "cloudwatch:namespace": "CloudWatchSynthetics" } },
        },
        { sid: "WriteTraces", actions: ["xray:PutTraceSegments"], resources: ["*"] },
      ]),
    });
    const asset = new TerraformAsset(this, "code", { path: props.code.zipPath, type: AssetType.FILE });
    this.resource = new SyntheticsCanary(this, "canary", {
      name: this.canaryName,
      runtimeVersion: SYNTHETICS_NODEJS_RUNTIME,
      handler: "index.handler",
      zipFile: asset.path,
      executionRoleArn: role.arn,
      artifactS3Location: `s3://${props.artifacts.bucketName}/${prefix}`,
      artifactConfig: { s3Encryption: { encryptionMode: "SSE_KMS", kmsKeyArn: props.artifacts.keyArn } },
      schedule: { expression: schedule },
      runConfig: {
        timeoutInSeconds: timeoutSeconds,
        activeTracing: true,
        ...(props.environment && Object.keys(props.environment).length > 0
          ? { environmentVariables: { ...props.environment } }
          : {}),
      },
      successRetentionPeriod: success,
      failureRetentionPeriod: failure,
      startCanary: true,
      deleteLambda: true,
      dependsOn: [policy],
    });
    this.canaryArn = `arn:aws:synthetics:${region.name}:${account.accountId}:canary:${this.canaryName}`;
  }
}
