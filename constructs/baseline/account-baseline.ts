import { ApiGatewayAccount } from "@cdktf/provider-aws/lib/api-gateway-account";
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { GuarddutyDetector } from "@cdktf/provider-aws/lib/guardduty-detector";
import { GuarddutyDetectorFeature } from "@cdktf/provider-aws/lib/guardduty-detector-feature";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { SecurityhubAccount } from "@cdktf/provider-aws/lib/securityhub-account";
import { SecurityhubStandardsSubscription } from "@cdktf/provider-aws/lib/securityhub-standards-subscription";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { policyDocument, serviceTrustPolicy } from "../core/iam";
import { limitedName, NAME_LIMITS } from "../core/naming";
import { suppress } from "../core/suppressions";
import { invalid, requireIntegerInRange } from "../core/validation";
import { denyInsecureTransport, privateBucketBasics } from "../internal/private-bucket";

/** What the baseline does with one account singleton. */
export type SingletonMode = "create" | "adopt" | "skip";

const MODES: readonly SingletonMode[] = ["create", "adopt", "skip"];

/** GuardDuty protection plans the detector turns on (`aws_guardduty_detector_feature` names). */
export type GuardDutyFeature =
  | "S3_DATA_EVENTS"
  | "EKS_AUDIT_LOGS"
  | "EBS_MALWARE_PROTECTION"
  | "RDS_LOGIN_EVENTS"
  | "LAMBDA_NETWORK_LOGS"
  | "RUNTIME_MONITORING";

/** Every protection plan the construct knows. */
export const GUARDDUTY_FEATURES: readonly GuardDutyFeature[] = [
  "S3_DATA_EVENTS",
  "EKS_AUDIT_LOGS",
  "EBS_MALWARE_PROTECTION",
  "RDS_LOGIN_EVENTS",
  "LAMBDA_NETWORK_LOGS",
  "RUNTIME_MONITORING",
];

/**
 * The plans on by default: those that only read what AWS already records. `RUNTIME_MONITORING` is
 * opt-in: on ECS Fargate GuardDuty then adds its agent to every new task (the execution role must pull
 * GuardDuty's image), creates a VPC endpoint and security group in each VPC outside Terraform (which
 * then blocks destroying the VPC), and bills per vCPU.
 */
export const DEFAULT_GUARDDUTY_FEATURES: readonly GuardDutyFeature[] = [
  "S3_DATA_EVENTS",
  "EKS_AUDIT_LOGS",
  "EBS_MALWARE_PROTECTION",
  "RDS_LOGIN_EVENTS",
  "LAMBDA_NETWORK_LOGS",
];

/** The Security Hub standard subscribed by default (its controls need no AWS Config rule of ours). */
export const DEFAULT_SECURITY_HUB_STANDARD = "aws-foundational-security-best-practices/v/1.0.0";

/** Properties of {@link AccountBaseline}. */
export interface AccountBaselineProps {
  /** Prefix of the baseline's names (`<prefix>-account-trail`, ...): the state store's project name. */
  readonly namePrefix: string;
  /**
   * Whether this is the account's home region: the multi-region trail and the API Gateway logging role
   * (account-wide) are created only there; GuardDuty and Security Hub are regional and exist in every
   * region's baseline.
   */
  readonly homeRegion: boolean;
  /**
   * The CloudTrail trail. `create`: a multi-region trail with log file validation to an encrypted,
   * versioned bucket; `adopt`: an organization trail already records the account (give its ARN);
   * `skip`: none.
   * @default { mode: "create" }
   */
  readonly cloudTrail?: {
    readonly mode?: SingletonMode;
    /** ARN of the organization trail that records this account (with `adopt`). */
    readonly trailArn?: string;
    /**
     * Days the trail's log files are kept before they expire.
     * @default 365
     */
    readonly retentionDays?: number;
  };
  /**
   * The GuardDuty detector. `create`: a new detector; `adopt`: the existing detector `detectorId`, taken
   * under management with an `import` block; `skip`: none.
   * @default { mode: "create" }
   */
  readonly guardDuty?: {
    readonly mode?: SingletonMode;
    /** ID of the existing detector (with `adopt`): `aws guardduty list-detectors`. */
    readonly detectorId?: string;
    /**
     * Protection plans to turn on.
     * @default DEFAULT_GUARDDUTY_FEATURES
     */
    readonly features?: readonly GuardDutyFeature[];
  };
  /**
   * Security Hub. `create`: enable it with the consolidated control findings and subscribe the
   * standards; `adopt`: the hub already enabled in the account, taken under management with an `import`
   * block (standards already subscribed must be unsubscribed or left out of `standards`: a second
   * subscription fails); `skip`: none.
   * @default { mode: "create" }
   */
  readonly securityHub?: {
    readonly mode?: SingletonMode;
    /**
     * Standards to subscribe, as `<name>/v/<version>`.
     * @default [DEFAULT_SECURITY_HUB_STANDARD]
     */
    readonly standards?: readonly string[];
  };
  /**
   * The API Gateway account settings' CloudWatch Logs role, used by every API's access and execution
   * logging: the role (global) in the home region, the setting (regional) in every region. `create`: a
   * role with the AWS managed push policy, set on the account; `adopt`: the same, the settings imported
   * first; `skip`: none. Apply the home region's stack first.
   * @default { mode: "create" }
   */
  readonly apiGatewayLogging?: { readonly mode?: SingletonMode };
}

/**
 * The singletons of one AWS account and region, kept out of every environment's stacks (an account has
 * one trail, one detector, one hub and one API Gateway logging role, whatever the environments in it):
 * a CloudTrail trail, GuardDuty with its protection plans, Security Hub with its standards, and the API
 * Gateway logging role. Each can be created, adopted or skipped.
 */
export class AccountBaseline extends Construct {
  /** ARN of the trail recording the account (created or adopted), when there is one. */
  public readonly trailArn?: string;
  /** Name of the trail's log bucket, when this baseline creates the trail. */
  public readonly trailBucketName?: string;
  /** ID of the GuardDuty detector, when there is one. */
  public readonly detectorId?: string;
  /** ARN of the API Gateway logging role, when this baseline creates it. */
  public readonly apiGatewayLoggingRoleArn?: string;

  private readonly imports: { to: string; id: string }[] = [];

  constructor(scope: Construct, id: string, props: AccountBaselineProps) {
    super(scope, id);
    const trail = { mode: "create" as SingletonMode, retentionDays: 365, ...props.cloudTrail };
    const guardDuty = {
      mode: "create" as SingletonMode,
      features: DEFAULT_GUARDDUTY_FEATURES,
      ...props.guardDuty,
    };
    const hub = {
      mode: "create" as SingletonMode,
      standards: [DEFAULT_SECURITY_HUB_STANDARD] as readonly string[],
      ...props.securityHub,
    };
    const apiGateway = { mode: "create" as SingletonMode, ...props.apiGatewayLogging };
    validate(props, trail, guardDuty, hub, apiGateway);

    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");
    const region = new DataAwsRegion(this, "region");
    const naming = { projectName: props.namePrefix, environment: "account" };

    if (props.homeRegion && trail.mode === "create") {
      const created = this.createTrail(props.namePrefix, trail.retentionDays, account, partition, region);
      this.trailArn = created.trailArn;
      this.trailBucketName = created.bucketName;
    } else if (trail.mode === "adopt") {
      this.trailArn = trail.trailArn;
    }

    if (guardDuty.mode !== "skip") {
      const detector = new GuarddutyDetector(this, "guardduty", {
        enable: true,
        findingPublishingFrequency: "FIFTEEN_MINUTES",
        // Destroying it deletes its findings: turning GuardDuty off is an administrator's deliberate act.
        lifecycle: { preventDestroy: true },
      });
      if (guardDuty.mode === "adopt") this.importInto(detector, guardDuty.detectorId!);
      for (const feature of guardDuty.features) {
        new GuarddutyDetectorFeature(this, `guardduty-${feature.toLowerCase().replace(/_/g, "-")}`, {
          detectorId: detector.id,
          name: feature,
          status: "ENABLED",
          // Runtime monitoring on Fargate needs the agent; GuardDuty manages it for ECS.
          ...(feature === "RUNTIME_MONITORING"
            ? { additionalConfiguration: [{ name: "ECS_FARGATE_AGENT_MANAGEMENT", status: "ENABLED" }] }
            : {}),
        });
      }
      this.detectorId = detector.id;
    }

    if (hub.mode !== "skip") {
      const hubAccount = new SecurityhubAccount(this, "securityhub", {
        enableDefaultStandards: false,
        controlFindingGenerator: "SECURITY_CONTROL",
        autoEnableControls: true,
        lifecycle: { preventDestroy: true },
      });
      if (hub.mode === "adopt") this.importInto(hubAccount, account.accountId);
      for (const standard of hub.standards) {
        // Keyed by the standard's name: the address stays when its version changes.
        new SecurityhubStandardsSubscription(this, `securityhub-${standard.split("/v/")[0]}`, {
          // CIS 1.2.0 predates the standards namespace: its ARN is a global ruleset.
          standardsArn:
            standard === "cis-aws-foundations-benchmark/v/1.2.0"
              ? `arn:${partition.partition}:securityhub:::ruleset/${standard}`
              : `arn:${partition.partition}:securityhub:${region.name}::standards/${standard}`,
          dependsOn: [hubAccount],
        });
      }
    }

    if (apiGateway.mode !== "skip") {
      const roleName = limitedName(NAME_LIMITS.iamRole, naming, "apigateway-logs");
      let roleArn = `arn:${partition.partition}:iam::${account.accountId}:role/${roleName}`;
      if (props.homeRegion) {
        const role = new IamRole(this, "apigateway-logging-role", {
          name: roleName,
          description: "Lets API Gateway write the access and execution logs of every API in this account",
          assumeRolePolicy: serviceTrustPolicy("apigateway.amazonaws.com", {
            StringEquals: { "aws:SourceAccount": account.accountId },
          }),
        });
        new IamRolePolicyAttachment(this, "apigateway-logging-policy", {
          role: role.name,
          policyArn: `arn:${partition.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs`,
        });
        roleArn = role.arn;
        this.apiGatewayLoggingRoleArn = role.arn;
      }
      // The setting is per region; other regions name the home region's role by its ARN.
      const settings = new ApiGatewayAccount(this, "apigateway-account", { cloudwatchRoleArn: roleArn });
      if (apiGateway.mode === "adopt") this.importInto(settings, "api-gateway-account");
    }

    if (this.imports.length > 0) {
      // One override for every import block (importFrom() would run `terraform version` per import).
      TerraformStack.of(this).addOverride("import", [...this.imports]);
    }
  }

  private importInto(
    resource: { terraformResourceType: string; friendlyUniqueId: string },
    id: string,
  ): void {
    this.imports.push({ to: `${resource.terraformResourceType}.${resource.friendlyUniqueId}`, id });
  }

  private createTrail(
    prefix: string,
    retentionDays: number,
    account: DataAwsCallerIdentity,
    partition: DataAwsPartition,
    region: DataAwsRegion,
  ): { trailArn: string; bucketName: string } {
    const trailName = `${prefix}-account-trail`;
    // Built as a string: the key and bucket policies name the trail before it exists.
    const trailArn = `arn:${partition.partition}:cloudtrail:${region.name}:${account.accountId}:trail/${trailName}`;

    const key = new KmsKey(this, "trail-key", {
      description: `Encrypts the log files of the CloudTrail trail ${trailName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policyDocument([
        {
          sid: "AccountRootFullAccess",
          principals: { AWS: `arn:${partition.partition}:iam::${account.accountId}:root` },
          actions: ["kms:*"],
          resources: ["*"],
        },
        {
          sid: "CloudTrailEncryptsThisTrailsLogs",
          principals: { Service: "cloudtrail.amazonaws.com" },
          actions: ["kms:GenerateDataKey*"],
          resources: ["*"],
          conditions: {
            StringEquals: { "aws:SourceArn": trailArn },
            StringLike: {
              "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${partition.partition}:cloudtrail:*:${account.accountId}:trail/*`,
            },
          },
        },
        {
          // The CI roles (tagged with a workspace) may never disable or delete the audit trail's key.
          sid: "DenyWorkspaceRolesAdministeringTheKey",
          effect: "Deny",
          principals: { AWS: "*" },
          actions: ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:CreateGrant"],
          resources: ["*"],
          conditions: { Null: { "aws:PrincipalTag/TerraformWorkspace": "false" } },
        },
        {
          sid: "CloudTrailDescribesTheKey",
          principals: { Service: "cloudtrail.amazonaws.com" },
          actions: ["kms:DescribeKey"],
          resources: ["*"],
          conditions: { StringEquals: { "aws:SourceArn": trailArn } },
        },
      ]),
      lifecycle: { preventDestroy: true },
    });
    new KmsAlias(this, "trail-key-alias", { name: `alias/${trailName}`, targetKeyId: key.keyId });

    const bucketName = `${prefix}-cloudtrail-${account.accountId}`;
    const bucket = new S3Bucket(this, "trail-bucket", {
      bucket: bucketName,
      forceDestroy: false,
      lifecycle: { preventDestroy: true },
    });
    suppress(
      bucket,
      "S3-010",
      "the trail's own bucket: its access logs would need a second bucket, and the trail already records every API call on it",
      { bucket: bucketName },
    );
    const { versioning, publicAccessBlock } = privateBucketBasics(this, "trail-bucket-", bucket, key.arn);
    const bucketPolicy = new S3BucketPolicy(this, "trail-bucket-policy", {
      bucket: bucket.id,
      policy: policyDocument([
        denyInsecureTransport(bucket.arn),
        {
          // The CI roles (tagged with a workspace) may never delete log files or loosen the bucket.
          sid: "DenyWorkspaceRolesTamperingWithTheLogs",
          effect: "Deny",
          principals: { AWS: "*" },
          actions: [
            "s3:DeleteObject*",
            "s3:PutObject*",
            "s3:DeleteBucket*",
            "s3:PutBucket*",
            "s3:PutLifecycleConfiguration",
            "s3:PutEncryptionConfiguration",
          ],
          resources: [bucket.arn, `${bucket.arn}/*`],
          conditions: { Null: { "aws:PrincipalTag/TerraformWorkspace": "false" } },
        },
        {
          sid: "CloudTrailChecksTheAcl",
          principals: { Service: "cloudtrail.amazonaws.com" },
          actions: ["s3:GetBucketAcl"],
          resources: [bucket.arn],
          conditions: { StringEquals: { "aws:SourceArn": trailArn } },
        },
        {
          sid: "CloudTrailWritesThisAccountsLogs",
          principals: { Service: "cloudtrail.amazonaws.com" },
          actions: ["s3:PutObject"],
          resources: [`${bucket.arn}/AWSLogs/${account.accountId}/*`],
          conditions: {
            StringEquals: { "aws:SourceArn": trailArn, "s3:x-amz-acl": "bucket-owner-full-control" },
          },
        },
      ]),
      dependsOn: [publicAccessBlock],
    });
    new S3BucketLifecycleConfiguration(this, "trail-bucket-lifecycle", {
      bucket: bucket.id,
      rule: [
        {
          id: "expire-log-files",
          status: "Enabled",
          filter: [{}],
          expiration: [{ days: retentionDays }],
          noncurrentVersionExpiration: [{ noncurrentDays: 30 }],
        },
        {
          id: "abort-incomplete-multipart-uploads",
          status: "Enabled",
          filter: [{}],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
      dependsOn: [versioning],
    });

    const created = new Cloudtrail(this, "trail", {
      name: trailName,
      s3BucketName: bucket.id,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      kmsKeyId: key.arn,
      // CloudTrail checks the bucket policy when the trail is created.
      dependsOn: [bucketPolicy],
    });
    return { trailArn: created.arn, bucketName };
  }
}

function validate(
  props: AccountBaselineProps,
  trail: { mode: SingletonMode; trailArn?: string; retentionDays: number },
  guardDuty: { mode: SingletonMode; detectorId?: string; features: readonly GuardDutyFeature[] },
  hub: { mode: SingletonMode; standards: readonly string[] },
  apiGateway: { mode: SingletonMode },
): void {
  if (!/^[a-z][a-z0-9-]{0,23}$/.test(props.namePrefix)) {
    throw invalid(
      "namePrefix",
      "must be 1-24 lowercase letters, digits and hyphens, starting with a letter",
      props.namePrefix,
      "Use the state store's project name.",
    );
  }
  for (const [field, mode] of [
    ["cloudTrail.mode", trail.mode],
    ["guardDuty.mode", guardDuty.mode],
    ["securityHub.mode", hub.mode],
    ["apiGatewayLogging.mode", apiGateway.mode],
  ] as const) {
    if (!MODES.includes(mode)) {
      throw invalid(field, 'must be "create", "adopt" or "skip"', mode, "Pick one of those.");
    }
  }
  if (
    trail.mode === "adopt" &&
    !/^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail\/[\w.-]+$/.test(trail.trailArn ?? "")
  ) {
    throw invalid(
      "cloudTrail.trailArn",
      'must be the ARN of the organization trail that records this account when cloudTrail.mode is "adopt"',
      trail.trailArn,
      "Give the trail's ARN (aws cloudtrail describe-trails --include-shadow-trails), or choose create or skip.",
    );
  }
  requireIntegerInRange("cloudTrail.retentionDays", trail.retentionDays, 1, 3650);
  if (guardDuty.mode === "adopt" && !/^[0-9a-f]{32}$/.test(guardDuty.detectorId ?? "")) {
    throw invalid(
      "guardDuty.detectorId",
      'must be the 32-character ID of the existing detector when guardDuty.mode is "adopt"',
      guardDuty.detectorId,
      "Give the ID from aws guardduty list-detectors, or choose create or skip.",
    );
  }
  const unknown = guardDuty.features.find((f) => !GUARDDUTY_FEATURES.includes(f));
  if (unknown || new Set(guardDuty.features).size !== guardDuty.features.length) {
    throw invalid(
      "guardDuty.features",
      `must list each of ${GUARDDUTY_FEATURES.join(", ")} at most once`,
      guardDuty.features,
      "Remove the unknown or repeated plan.",
    );
  }
  const badStandard = hub.standards.find((s) => !/^[a-z0-9-]+\/v\/\d+(\.\d+)*$/.test(s));
  if (
    badStandard !== undefined ||
    new Set(hub.standards.map((s) => s.split("/v/")[0])).size !== hub.standards.length
  ) {
    throw invalid(
      "securityHub.standards",
      "must list standards as <name>/v/<version>, each standard once (for example aws-foundational-security-best-practices/v/1.0.0)",
      badStandard ?? hub.standards,
      "Fix or remove the standard.",
    );
  }
}
