import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { Construct } from "constructs";
import type { Alerts } from "../alerts";
import { MAX_GRAFANA_TOKEN_TTL_DAYS, TOKEN_TTL_BUFFER_DAYS } from "../core/aws-limits";
import { limitedName, NAME_LIMITS, type ResourceNaming } from "../core/naming";
import { suppress } from "../core/suppressions";
import { invalid, requireIntegerInRange } from "../core/validation";
import type { KeyReference } from "../internal/references";
import { secretAccessPolicy } from "../internal/secret-access";
import type { FunctionCode } from "../lambda";
import { LambdaFunction } from "../lambda";

/** The metric the function's daily `report-expiry` run emits (CloudWatch Embedded Metric Format). */
export const TOKEN_EXPIRY_METRIC = "TokenSecondsToExpiry";

/**
 * Seconds the rotation function may run. Its SDK clients give up on one call after about 21 s, and it
 * ends itself 5 s before this timeout with a logged error (functions/grafana-token-rotation/handler.ts).
 */
export const ROTATION_FUNCTION_TIMEOUT_SECONDS = 60;

export type { FunctionCode } from "../lambda";

/** Properties of {@link GrafanaTokenRotation}. */
export interface GrafanaTokenRotationProps {
  /** Project and environment names derive from. */
  readonly naming: ResourceNaming;
  /** The workspace whose service-account tokens are rotated. */
  readonly workspace: {
    readonly workspaceId: string;
    readonly workspaceArn: string;
    readonly url: string;
    readonly serviceAccountId: string;
  };
  /** Key for the secret, the function's environment and its logs. */
  readonly encryptionKey: KeyReference;
  /** The bundled rotation function (functions/grafana-token-rotation). */
  readonly code: FunctionCode;
  /**
   * Days between rotations. Tokens live interval + 5 days, at most 30.
   * @default 25
   */
  readonly intervalDays?: number;
  /**
   * Days the function's logs are kept.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Where the rotation-error and token-expiry alarms notify.
   * @default - no alarms
   */
  readonly alerts?: Alerts;
  /**
   * Warn this many days before the current token expires.
   * @default 3
   */
  readonly expiryWarningDays?: number;
  /**
   * Concurrent executions reserved for the function (taken from the account's pool).
   * @default - none reserved: new accounts have a concurrency quota of 10 and reserving part of it
   *   can make deploys fail; concurrent runs are safe without it (the clean-up re-reads the labels)
   */
  readonly reservedConcurrency?: number;
  /**
   * Who else may use the token secret, besides the rotation function (always a reader and writer).
   * Everyone not listed is denied by the secret's resource policy.
   */
  readonly secretAccess: {
    /** Principal ARNs that read the token: the role the `<env>-grafana` stack's provider runs as. */
    readonly readers: readonly string[];
    /** Principal ARNs that may write a value by hand (the operator role). */
    readonly writers: readonly string[];
    /** Principal ARNs that may change the policy or delete the secret (the break-glass role). */
    readonly policyAdministrators: readonly string[];
  };
}

/**
 * Keeps a Grafana service-account token in Secrets Manager and rotates it with Secrets Manager's
 * native rotation protocol: the function creates a new token, stores it as the pending version,
 * verifies it against Grafana, promotes it, and only then deletes the previous token.
 * `rotate_immediately` seeds the first token during the first deploy; `aws lambda invoke` forces a
 * rotation at any time.
 */
export class GrafanaTokenRotation extends Construct {
  /** ARN of the secret holding `{ token, tokenId, expiresAt, ... }`. */
  public readonly secretArn: string;
  /** Name of the secret: `<project>-<environment>/grafana-service-account-token`. */
  public readonly secretName: string;
  /** Name of the function: `<project>-<environment>-grafana-token-rotation`. */
  public readonly functionName: string;
  /** ARN of the function. */
  public readonly functionArn: string;
  /** Seconds a token lives: interval + 5 days. */
  public readonly tokenTtlSeconds: number;
  /** The rotation function. */
  public readonly function: LambdaFunction;

  constructor(scope: Construct, id: string, props: GrafanaTokenRotationProps) {
    super(scope, id);
    const intervalDays = props.intervalDays ?? 25;
    const expiryWarningDays = props.expiryWarningDays ?? 3;
    const maxInterval = MAX_GRAFANA_TOKEN_TTL_DAYS - TOKEN_TTL_BUFFER_DAYS;
    if (!Number.isInteger(intervalDays) || intervalDays < 1 || intervalDays > maxInterval) {
      throw invalid(
        "intervalDays",
        `must be a whole number from 1 to ${maxInterval} (token TTL is interval + ${TOKEN_TTL_BUFFER_DAYS} days, and Amazon Managed Grafana allows ${MAX_GRAFANA_TOKEN_TTL_DAYS})`,
        intervalDays,
        `Set it to ${maxInterval} or less.`,
      );
    }
    // The log retention and reserved concurrency are the LambdaFunction's to check and default.
    requireIntegerInRange(
      "expiryWarningDays",
      expiryWarningDays,
      1,
      intervalDays + TOKEN_TTL_BUFFER_DAYS - 1,
      "it must fall inside the token's life",
    );

    this.tokenTtlSeconds = (intervalDays + TOKEN_TTL_BUFFER_DAYS) * 86_400;
    this.functionName = limitedName(NAME_LIMITS.lambdaFunction, props.naming, "grafana-token-rotation");
    this.secretName = `${props.naming.projectName}-${props.naming.environment}/grafana-service-account-token`;
    const metricNamespace = `${props.naming.projectName}/${props.naming.environment}/Grafana`;
    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");

    const secret = new SecretsmanagerSecret(this, "secret", {
      name: this.secretName,
      description: "Grafana service-account token, written only by the rotation function",
      kmsKeyId: props.encryptionKey.keyArn,
      recoveryWindowInDays: 7,
    });

    const functionArn = `arn:${partition.partition}:lambda:*:${account.accountId}:function:${this.functionName}`;
    this.function = new LambdaFunction(this, "function", {
      naming: props.naming,
      name: "grafana-token-rotation",
      description:
        "Rotates the Grafana service-account token (Secrets Manager rotation; invoke with {} to force one)",
      roleDescription: "Rotates the Grafana service-account token of one workspace",
      code: props.code,
      encryptionKey: props.encryptionKey,
      policyName: "rotate-grafana-token",
      statements: [
        {
          sid: "RotateTheTokenSecret",
          actions: [
            "secretsmanager:DescribeSecret",
            "secretsmanager:GetSecretValue",
            "secretsmanager:PutSecretValue",
            "secretsmanager:UpdateSecretVersionStage",
            "secretsmanager:RotateSecret",
          ],
          resources: [secret.arn],
        },
        {
          sid: "UseTheKeyThroughSecretsManager",
          actions: ["kms:Decrypt", "kms:GenerateDataKey"],
          resources: [props.encryptionKey.keyArn],
          conditions: { StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } },
        },
        {
          sid: "ManageTokensOfThisWorkspace",
          actions: [
            "grafana:CreateWorkspaceServiceAccountToken",
            "grafana:DeleteWorkspaceServiceAccountToken",
            "grafana:ListWorkspaceServiceAccountTokens",
          ],
          resources: [props.workspace.workspaceArn],
        },
        // RotateSecret from a forced run makes Secrets Manager invoke this same function.
        { sid: "InvokeItself", actions: ["lambda:InvokeFunction"], resources: [functionArn] },
      ],
      memoryMiB: 256,
      timeoutSeconds: ROTATION_FUNCTION_TIMEOUT_SECONDS,
      logRetentionDays: props.logRetentionDays,
      reservedConcurrency: props.reservedConcurrency,
      environment: {
        SECRET_ARN: secret.arn,
        GRAFANA_WORKSPACE_ID: props.workspace.workspaceId,
        GRAFANA_URL: props.workspace.url,
        GRAFANA_SERVICE_ACCOUNT_ID: props.workspace.serviceAccountId,
        TOKEN_TTL_SECONDS: String(this.tokenTtlSeconds),
        METRIC_NAMESPACE: metricNamespace,
      },
    });
    new SecretsmanagerSecretPolicy(this, "secret-policy", {
      secretArn: secret.arn,
      policy: secretAccessPolicy({
        readers: [this.function.roleArn, ...props.secretAccess.readers],
        writers: [this.function.roleArn, ...props.secretAccess.writers],
        policyAdministrators: props.secretAccess.policyAdministrators,
      }),
    });
    const fn = this.function.resource;
    this.functionArn = fn.arn;
    this.secretArn = secret.arn;

    const allowSecretsManager = new LambdaPermission(this, "allow-secrets-manager", {
      statementId: "SecretsManagerRotation",
      action: "lambda:InvokeFunction",
      functionName: fn.functionName,
      principal: "secretsmanager.amazonaws.com",
      sourceArn: secret.arn,
      sourceAccount: account.accountId,
    });
    new SecretsmanagerSecretRotation(this, "rotation", {
      secretId: secret.id,
      rotationLambdaArn: fn.arn,
      rotationRules: { automaticallyAfterDays: intervalDays },
      // Seeds the first token during the first deploy (the seed's step 4, without a manual invoke).
      rotateImmediately: true,
      dependsOn: [allowSecretsManager],
    });

    const daily = new CloudwatchEventRule(this, "report-expiry-schedule", {
      name: limitedName(NAME_LIMITS.eventRule, props.naming, "grafana-token-expiry"),
      description: "Daily: report how long the current Grafana token has left",
      scheduleExpression: "rate(1 day)",
    });
    const reportInput = JSON.stringify({ action: "report-expiry" });
    const reportTarget = new CloudwatchEventTarget(this, "report-expiry-target", {
      rule: daily.name,
      arn: fn.arn,
      input: reportInput,
    });
    suppress(
      reportTarget,
      "EVB-002",
      "A lost daily expiry report needs no dead-letter queue: EventBridge retries it for 24 hours by default, the next day's run reports again, and with alerts on a missing report fires the token-expiry alarm.",
      { input: reportInput },
    );
    new LambdaPermission(this, "allow-schedule", {
      statementId: "DailyExpiryReport",
      action: "lambda:InvokeFunction",
      functionName: fn.functionName,
      principal: "events.amazonaws.com",
      sourceArn: daily.arn,
    });

    if (props.alerts) {
      // The seed's fourth alarm: any rotation error within 24 hours.
      props.alerts.addAlarm("grafana-token-rotation-errors", {
        name: "grafana-token-rotation-errors",
        description: `The Grafana token rotation function failed in the last 24 hours. Read its logs, then force a rotation: aws lambda invoke --function-name ${this.functionName} /dev/stdout`,
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: this.functionName },
        statistic: "Sum",
        comparison: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        periodSeconds: 86_400,
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
      });
      props.alerts.addAlarm("grafana-token-expiry", {
        name: "grafana-token-expiring",
        description: `The Grafana token expires within ${expiryWarningDays} days, or its daily expiry report is missing. Force a rotation: aws lambda invoke --function-name ${this.functionName} /dev/stdout`,
        namespace: metricNamespace,
        metricName: TOKEN_EXPIRY_METRIC,
        dimensions: { WorkspaceId: props.workspace.workspaceId },
        statistic: "Minimum",
        comparison: "LessThanThreshold",
        threshold: expiryWarningDays * 86_400,
        periodSeconds: 86_400,
        evaluationPeriods: 1,
        // No report for a day means the function is not running: as bad as an expiring token.
        treatMissingData: "breaching",
      });
    }
  }
}
