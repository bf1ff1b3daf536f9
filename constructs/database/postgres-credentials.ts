import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaInvocation } from "@cdktf/provider-aws/lib/lambda-invocation";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import type { Alerts } from "../alerts";
import { policyDocument } from "../core/iam";
import type { ResourceNaming } from "../core/naming";
import { invalid, requireIntegerInRange } from "../core/validation";
import type { KeyReference, NetworkReference, RoleReference } from "../internal/references";
import { secretAccessPolicy, secretReadPolicy } from "../internal/secret-access";
import { type FunctionCode, LambdaFunction } from "../lambda";
import type { ContainerSecret } from "../secrets";
import type { PostgresInstance } from "./postgres-instance";

/** Where the Lambda Node.js runtime keeps the Amazon CAs, the RDS ones included. */
export const LAMBDA_AMAZON_CA_BUNDLE = "/var/runtime/ca-cert.pem";

/** Seconds the rotation function may run (database sessions give up after 5 s to connect, 10 s a query). */
export const DB_ROTATION_TIMEOUT_SECONDS = 60;

/** Properties of {@link PostgresCredentials}. */
export interface PostgresCredentialsProps {
  /** Project and environment the names derive from. */
  readonly naming: ResourceNaming;
  /**
   * Short name: the secret is `<project>-<environment>/<name>`.
   * @default "db-credentials"
   */
  readonly name?: string;
  /** The instance whose application role the secret holds. */
  readonly database: PostgresInstance;
  /** The instance's network: the function runs in its private subnets. */
  readonly network: NetworkReference;
  /** Key of the secret, the function's environment and its logs (the instance's master secret uses it too). */
  readonly encryptionKey: KeyReference;
  /**
   * The application's group role, which owns what the application creates; its login roles are
   * `<role>_a` and `<role>_b`. Changing it later leaves the old roles in the database.
   * @default - `<project>_app`, hyphens as underscores
   */
  readonly applicationRole?: string;
  /**
   * Days between rotations (the previous credentials keep working for one more interval).
   * @default 30
   */
  readonly intervalDays?: number;
  /**
   * Days a deleted secret can still be restored.
   * @default 30
   */
  readonly recoveryWindowDays?: number;
  /** Principal ARNs that may change the secret's policy or delete it (the break-glass role). */
  readonly policyAdministrators: readonly string[];
  /**
   * Days the function's logs are kept.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * The bundled function.
   * @default - functions/db-credentials-rotation
   */
  readonly code?: FunctionCode;
}

/**
 * An application's PostgreSQL credentials in Secrets Manager, created and rotated by a function in
 * the instance's VPC (functions/db-credentials-rotation): no password is in the configuration or the
 * state, only the secret's metadata. The first rotation runs when the rotation is created, with the
 * master credentials RDS manages; later ones alternate two login roles, so the credentials a running
 * task holds keep working while the services it names ({@link redeployAfterRotation}) roll out.
 *
 * The secret's value: `{ engine, host, port, dbname, username, password, url }`, `url` being
 * `postgresql://...?sslmode=require`. Its resource policy lets only the function write it and only
 * the roles given {@link grantRead} read it.
 */
export class PostgresCredentials extends Construct {
  /** `<project>-<environment>/<name>`. */
  public readonly secretName: string;
  public readonly secretArn: string;
  /** The group role the application acts as. */
  public readonly applicationRole: string;
  /** The rotation function. */
  public readonly function: LambdaFunction;
  /** The rotation (its creation starts the first one). */
  public readonly rotation: SecretsmanagerSecretRotation;
  /**
   * An invocation of the function, once, after the rotation is created, that returns only when
   * current credentials exist and log in (the rotation itself runs asynchronously): what reads the
   * secret is created after it.
   */
  public readonly firstCredentials: LambdaInvocation;
  private readonly readers: RoleReference[] = [];
  private readonly services: { cluster: string; service: string }[] = [];
  private readonly keyArn: string;
  private readonly serviceArnPrefix: string;

  constructor(scope: Construct, id: string, props: PostgresCredentialsProps) {
    super(scope, id);
    const name = props.name ?? "db-credentials";
    const intervalDays = props.intervalDays ?? 30;
    const recoveryWindowDays = props.recoveryWindowDays ?? 30;
    requireIntegerInRange(
      "intervalDays",
      intervalDays,
      1,
      365,
      "Secrets Manager rotates every 1 to 365 days",
    );
    requireIntegerInRange(
      "recoveryWindowDays",
      recoveryWindowDays,
      7,
      30,
      "Secrets Manager's allowed window",
    );
    this.applicationRole = props.applicationRole ?? `${props.naming.projectName.replace(/-/g, "_")}_app`;
    if (!/^[a-z_][a-z0-9_]{0,60}$/.test(this.applicationRole)) {
      throw invalid(
        "applicationRole",
        "must be a lowercase PostgreSQL identifier (letters, digits and underscores, at most 61 characters)",
        this.applicationRole,
        "Use a name such as arrakis_app.",
      );
    }
    if (this.applicationRole === props.database.masterUsername) {
      throw invalid(
        "applicationRole",
        "must not be the master user (the application gets a role of its own)",
        this.applicationRole,
        "Use a name such as arrakis_app.",
      );
    }
    this.secretName = `${props.naming.projectName}-${props.naming.environment}/${name}`;
    this.keyArn = props.encryptionKey.keyArn;
    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");
    const region = new DataAwsRegion(this, "region");
    this.serviceArnPrefix = `arn:${partition.partition}:ecs:${region.name}:${account.accountId}:service`;

    const secret = new SecretsmanagerSecret(this, "secret", {
      name: this.secretName,
      description: `Application credentials of ${props.database.identifier} (role ${this.applicationRole}); written only by its rotation function`,
      kmsKeyId: props.encryptionKey.keyArn,
      recoveryWindowInDays: recoveryWindowDays,
    });
    this.secretArn = secret.arn;

    this.function = new LambdaFunction(this, "function", {
      naming: props.naming,
      name: "db-credentials-rotation",
      description: `Rotates ${this.secretName} (Secrets Manager rotation; aws secretsmanager rotate-secret to force one)`,
      roleDescription: `Rotates the application credentials of ${props.database.identifier}`,
      code: props.code ?? LambdaFunction.bundle("db-credentials-rotation"),
      encryptionKey: props.encryptionKey,
      policyName: "rotate-db-credentials",
      statements: [
        {
          sid: "RotateTheCredentialsSecret",
          actions: [
            "secretsmanager:DescribeSecret",
            "secretsmanager:GetSecretValue",
            "secretsmanager:PutSecretValue",
            "secretsmanager:UpdateSecretVersionStage",
          ],
          resources: [secret.arn],
        },
        {
          sid: "ReadTheMasterSecret",
          actions: ["secretsmanager:GetSecretValue"],
          resources: [props.database.masterUserSecretArn],
        },
        {
          sid: "UseTheKeyThroughSecretsManager",
          actions: ["kms:Decrypt", "kms:GenerateDataKey"],
          resources: [props.encryptionKey.keyArn],
          conditions: { StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } },
        },
      ],
      memoryMiB: 256,
      timeoutSeconds: DB_ROTATION_TIMEOUT_SECONDS,
      logRetentionDays: props.logRetentionDays,
      vpc: props.network,
      environment: {
        SECRET_ARN: secret.arn,
        MASTER_SECRET_ARN: props.database.masterUserSecretArn,
        DB_HOST: props.database.address,
        DB_PORT: String(props.database.port),
        DB_NAME: props.database.databaseName,
        APP_ROLE: this.applicationRole,
        NODE_EXTRA_CA_CERTS: LAMBDA_AMAZON_CA_BUNDLE,
        REDEPLOY_SERVICES: Lazy.stringValue({
          produce: () => this.services.map((s) => `${s.cluster}/${s.service}`).join(","),
        }),
      },
    });
    this.function.connections!.allowTo(props.database, props.database.port);

    new SecretsmanagerSecretPolicy(this, "secret-policy", {
      secretArn: secret.arn,
      policy: Lazy.stringValue({
        produce: () =>
          secretAccessPolicy({
            readers: [this.function.roleArn, ...this.readers.map((r) => r.roleArn)],
            // Break-glass may write too: to detach a stuck AWSPENDING label, or to restore a value.
            writers: [this.function.roleArn, ...props.policyAdministrators],
            policyAdministrators: props.policyAdministrators,
          }),
      }),
    });

    const allowSecretsManager = new LambdaPermission(this, "allow-secrets-manager", {
      statementId: "SecretsManagerRotation",
      action: "lambda:InvokeFunction",
      functionName: this.function.resource.functionName,
      principal: "secretsmanager.amazonaws.com",
      sourceArn: secret.arn,
      sourceAccount: account.accountId,
    });
    this.rotation = new SecretsmanagerSecretRotation(this, "rotation", {
      secretId: secret.id,
      rotationLambdaArn: this.function.functionArn,
      rotationRules: { automaticallyAfterDays: intervalDays },
      // The first credentials are made while the stack is created. The provider also rotates at once
      // when an update changes the rules or the function (README: Database credentials).
      rotateImmediately: true,
      dependsOn: [allowSecretsManager, props.database.instance],
      // A new instance (replaced) has none of the roles: creating the rotation again makes them.
      lifecycle: {
        replaceTriggeredBy: [
          `${props.database.instance.terraformResourceType}.${props.database.instance.friendlyUniqueId}.resource_id`,
        ],
      },
    });
    this.firstCredentials = new LambdaInvocation(this, "first-credentials", {
      functionName: this.function.resource.functionName,
      input: JSON.stringify({ action: "await-current" }),
      dependsOn: [this.rotation],
      lifecycle: {
        replaceTriggeredBy: [`${this.rotation.terraformResourceType}.${this.rotation.friendlyUniqueId}`],
      },
    });
  }

  /** The container variable (`DATABASE_URL` by default) that carries the URL. */
  public containerSecret(variable = "DATABASE_URL"): ContainerSecret {
    return { name: variable, valueFrom: `${this.secretArn}:url::` };
  }

  /** Entries for a container definition's `secrets`: `DATABASE_URL` from the secret's `url`. */
  public get containerSecrets(): readonly ContainerSecret[] {
    return [this.containerSecret()];
  }

  /** What a service that reads the secret is created after: current credentials that log in. */
  public get dependsOn() {
    return [this.firstCredentials];
  }

  /** Lets a role read the value (a policy `<key>-read` on it); the secret's policy denies every other. */
  public grantRead(role: RoleReference, key: string): void {
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(key) || this.node.tryFindChild(`read-${key}`)) {
      throw invalid(
        "grantRead",
        "needs a key of lowercase letters, digits and hyphens, unique per secret",
        key,
        "Name the workload, for example api.",
      );
    }
    this.readers.push(role);
    secretReadPolicy(this, `read-${key}`, {
      name: `${this.node.id}-read`,
      role,
      secretArns: [this.secretArn],
      keyArn: this.keyArn,
      readSid: "ReadDatabaseCredentials",
      decryptSid: "DecryptThroughSecretsManager",
    });
  }

  /**
   * After each rotation, the function starts a new deployment of this service (so no task keeps the
   * credentials the next rotation changes). Names, not references: the service is created after the
   * rotation.
   */
  public redeployAfterRotation(
    service: { readonly cluster: string; readonly service: string },
    key: string,
  ): void {
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(key) || this.node.tryFindChild(`redeploy-${key}`)) {
      throw invalid(
        "redeployAfterRotation",
        "needs a key of lowercase letters, digits and hyphens, unique per secret",
        key,
        "Name the service, for example api.",
      );
    }
    this.services.push(service);
    const policy = new IamRolePolicy(this, `redeploy-${key}`, {
      name: `redeploy-${key}`,
      role: this.function.roleName,
      policy: policyDocument([
        {
          sid: "RedeployTheService",
          actions: ["ecs:UpdateService"],
          resources: [`${this.serviceArnPrefix}/${service.cluster}/${service.service}`],
        },
      ]),
    });
    // The first rotation's finishSecret may redeploy already: the permission exists before it starts.
    this.rotation.dependsOn = [
      ...(this.rotation.dependsOn ?? []),
      `${policy.terraformResourceType}.${policy.friendlyUniqueId}`,
    ];
  }

  /** The alarm on the function's errors: a failed rotation leaves the previous credentials current. */
  public addAlarms(alerts: Alerts): void {
    const fn = this.function.functionName;
    alerts.addAlarm("db-credentials-rotation-errors", {
      name: "db-credentials-rotation-errors",
      description: `The rotation of ${this.secretName} failed in the last 24 hours (the previous credentials stay current). Read the function's logs (aws logs tail /aws/lambda/${fn}), fix the cause, then: aws secretsmanager rotate-secret --secret-id ${this.secretName}`,
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: fn },
      statistic: "Sum",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      periodSeconds: 86_400,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
    });
  }
}
