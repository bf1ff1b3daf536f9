import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping";
import { LambdaFunction as LambdaFunctionResource } from "@cdktf/provider-aws/lib/lambda-function";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { bundleFunction } from "../core/bundle";
import { Connections } from "../core/connections";
import { DEFAULT_LOG_RETENTION_DAYS } from "../core/defaults";
import { type PolicyStatement, policyDocument, serviceTrustPolicy } from "../core/iam";
import { limitedName, NAME_LIMITS, type ResourceNaming } from "../core/naming";
import { LAMBDA_NODEJS_RUNTIME } from "../core/runtimes";
import { invalid, requireIntegerInRange, requireLogRetention } from "../core/validation";
import type { KeyReference, NetworkReference } from "../internal/references";

/** A bundled Lambda zip (what `bundleFunction` returns). */
export interface FunctionCode {
  /** Path of the zip on disk. */
  readonly zipPath: string;
  /** Base64 SHA-256 of the zip, for `source_code_hash`: deploys follow content, not file times. */
  readonly sourceCodeHash: string;
}

/** Properties of {@link LambdaFunction}. */
export interface LambdaFunctionProps {
  /** Project and environment the names derive from. */
  readonly naming: ResourceNaming;
  /** Name suffix: the function and its role are `<project>-<environment>-<name>` (changing it replaces both). */
  readonly name: string;
  /** What the function does (its description). */
  readonly description: string;
  /**
   * Description of the function's role.
   * @default - the function's description
   */
  readonly roleDescription?: string;
  /**
   * The function's code.
   * @default - `functions/<name>/handler.ts` bundled with esbuild ({@link LambdaFunction.bundle}), with
   * the shared function runtime it imports from `functions/shared/` (the redacting logger, the
   * environment helpers, the error base classes)
   */
  readonly code?: FunctionCode;
  /** Key for the environment variables and the log group. */
  readonly encryptionKey: KeyReference;
  /** What the function may do beyond writing its logs and traces: the statements of its role's policy. */
  readonly statements: readonly PolicyStatement[];
  /**
   * Name of the role's inline policy.
   * @default "function"
   */
  readonly policyName?: string;
  /**
   * Environment variables (no secret values: pass a secret's ARN and read it at run time).
   * @default {}
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Memory in MiB.
   * @default 256
   */
  readonly memoryMiB?: number;
  /**
   * Seconds the function may run.
   * @default 30
   */
  readonly timeoutSeconds?: number;
  /**
   * Days the log group keeps the function's logs.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Concurrent executions reserved for the function (taken from the account's pool).
   * @default - none reserved
   */
  readonly reservedConcurrency?: number;
  /**
   * Active X-Ray tracing.
   * @default true
   */
  readonly tracing?: boolean;
  /**
   * Runs the function in the network's private subnets, with a security group of its own that allows
   * HTTPS out and nothing in.
   * @default - not in a VPC (the function reaches AWS and public APIs only)
   */
  readonly vpc?: NetworkReference;
  /**
   * In a VPC, whether the function may open HTTPS to any address (through NAT). Off, it reaches only
   * what its connections allow: the network's interface endpoints and whatever it is allowed to
   * (`connections.allowTo`), so it cannot send data to the internet.
   * @default true
   */
  readonly internetEgress?: boolean;
}

/**
 * A Lambda function on the repository's one runtime (`LAMBDA_NODEJS_RUNTIME`, arm64, handler
 * `index.handler`): its log group created first, with retention and the key; a role only Lambda in this
 * account may assume, allowed to write that log group, its traces and the statements given; the
 * environment encrypted with the key; deploys keyed on the code's content hash; optionally in private
 * subnets with its own security group.
 */
export class LambdaFunction extends Construct {
  /** The default code of a function: `functions/<name>/handler.ts`, bundled into a reproducible zip. */
  static bundle(name: string): FunctionCode {
    return bundleFunction({ entry: `functions/${name}/handler.ts`, name });
  }

  /** Name of the function. */
  public readonly functionName: string;
  /** ARN of the function. */
  public readonly functionArn: string;
  /** ARN of the function's role. */
  public readonly roleArn: string;
  /** Name of the function's role. */
  public readonly roleName: string;
  /** Name of the log group. */
  public readonly logGroupName: string;
  /** Security group of the function, when it runs in a VPC. */
  public readonly securityGroupId?: string;
  /** Whom the function reaches and who reaches it, when it runs in a VPC. */
  public readonly connections?: Connections;
  /** The function resource (a construct that had it at another address moves it from there). */
  public readonly resource: LambdaFunctionResource;
  /** The log group, role and policy resources (likewise). */
  public readonly logGroup: CloudwatchLogGroup;
  public readonly role: IamRole;
  /** The function's timeout in seconds. */
  public readonly timeoutSeconds: number;
  public readonly rolePolicy: IamRolePolicy;

  constructor(scope: Construct, id: string, props: LambdaFunctionProps) {
    super(scope, id);
    const memoryMiB = props.memoryMiB ?? 256;
    const timeoutSeconds = props.timeoutSeconds ?? 30;
    const logRetentionDays = props.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(props.name)) {
      throw invalid(
        "name",
        "must be 1-40 lowercase letters, digits and hyphens, starting with a letter",
        props.name,
        'Use the function\'s folder name under functions/, such as "grafana-token-rotation".',
      );
    }
    requireIntegerInRange("memoryMiB", memoryMiB, 128, 10_240, "Lambda's memory range");
    requireIntegerInRange("timeoutSeconds", timeoutSeconds, 1, 900, "Lambda's 15-minute limit");
    requireLogRetention("logRetentionDays", logRetentionDays);
    if (props.reservedConcurrency !== undefined) {
      requireIntegerInRange(
        "reservedConcurrency",
        props.reservedConcurrency,
        1,
        1000,
        "Lambda reserves whole executions out of the account's pool",
      );
    }
    const code = props.code ?? LambdaFunction.bundle(props.name);
    this.functionName = limitedName(NAME_LIMITS.lambdaFunction, props.naming, props.name);
    const account = new DataAwsCallerIdentity(this, "account");

    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: `/aws/lambda/${this.functionName}`,
      retentionInDays: logRetentionDays,
      kmsKeyId: props.encryptionKey.keyArn,
    });
    props.encryptionKey.grantLogGroup(`/aws/lambda/${this.functionName}`);
    this.role = new IamRole(this, "role", {
      name: limitedName(NAME_LIMITS.iamRole, props.naming, props.name),
      description: props.roleDescription ?? props.description,
      assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com", {
        StringEquals: { "aws:SourceAccount": account.accountId },
      }),
    });
    const own: PolicyStatement[] = [
      {
        sid: "DecryptTheFunctionEnvironment",
        actions: ["kms:Decrypt"],
        resources: [props.encryptionKey.keyArn],
        conditions: { StringLike: { "kms:ViaService": "lambda.*.amazonaws.com" } },
      },
      {
        sid: "WriteLogs",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [`${this.logGroup.arn}:*`],
      },
    ];
    if (props.tracing ?? true) {
      // X-Ray trace writes have no resource-level scope in IAM.
      own.push({
        sid: "WriteTraces",
        actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
        resources: ["*"],
      });
    }
    if (props.vpc) {
      // The ENI actions Lambda needs in a VPC take no resource scope on creation.
      own.push({
        sid: "ManageVpcNetworkInterfaces",
        actions: [
          "ec2:CreateNetworkInterface",
          "ec2:DescribeNetworkInterfaces",
          "ec2:DeleteNetworkInterface",
          "ec2:AssignPrivateIpAddresses",
          "ec2:UnassignPrivateIpAddresses",
        ],
        resources: ["*"],
      });
    }
    const sids = new Set(own.map((s) => s.sid));
    const clash = props.statements.find((s) => s.sid !== undefined && sids.has(s.sid));
    if (clash) {
      throw invalid(
        "statements",
        `must not reuse the sid of a statement the construct adds (${[...sids].join(", ")})`,
        clash.sid,
        "Rename the statement.",
      );
    }
    this.rolePolicy = new IamRolePolicy(this, "role-policy", {
      name: props.policyName ?? "function",
      role: this.role.name,
      policy: policyDocument([...props.statements, ...own]),
    });

    if (props.vpc) {
      const group = new SecurityGroup(this, "security-group", {
        name: `${this.functionName}-function`,
        description: `Lambda function ${this.functionName}`,
        vpcId: props.vpc.vpcId,
        lifecycle: { createBeforeDestroy: true },
      });
      if (props.internetEgress ?? true) {
        new VpcSecurityGroupEgressRule(this, "egress-https", {
          securityGroupId: group.id,
          description: "HTTPS to AWS APIs",
          ipProtocol: "tcp",
          fromPort: 443,
          toPort: 443,
          cidrIpv4: "0.0.0.0/0",
        });
      } else if (!props.vpc.interfaceEndpoints) {
        throw invalid(
          "internetEgress",
          "can be false only in a network with interface endpoints (the function would reach no AWS API)",
          false,
          "Give the network VPC endpoints for what the function calls, or leave internetEgress on.",
        );
      }
      this.securityGroupId = group.id;
      this.connections = new Connections(this, props.name, `the ${this.functionName} function`, group.id);
      if (props.vpc.interfaceEndpoints) this.connections.allowTo(props.vpc.interfaceEndpoints, 443);
    }

    const asset = new TerraformAsset(this, "code", { path: code.zipPath, type: AssetType.FILE });
    this.resource = new LambdaFunctionResource(this, "function", {
      functionName: this.functionName,
      description: props.description,
      role: this.role.arn,
      runtime: LAMBDA_NODEJS_RUNTIME,
      architectures: ["arm64"],
      handler: "index.handler",
      filename: asset.path,
      sourceCodeHash: code.sourceCodeHash,
      memorySize: memoryMiB,
      timeout: timeoutSeconds,
      reservedConcurrentExecutions: props.reservedConcurrency,
      kmsKeyArn: props.encryptionKey.keyArn,
      ...((props.tracing ?? true) ? { tracingConfig: { mode: "Active" } } : {}),
      loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
      ...(props.environment && Object.keys(props.environment).length > 0
        ? { environment: { variables: { ...props.environment } } }
        : {}),
      ...(props.vpc
        ? { vpcConfig: { subnetIds: props.vpc.privateSubnetIds, securityGroupIds: [this.securityGroupId!] } }
        : {}),
      // The log group exists (with its retention and key) before the function's first log line, and the
      // role's permissions (in a VPC, the ENI actions) outlive the function on a destroy.
      dependsOn: [this.logGroup, this.rolePolicy],
    });
    this.functionArn = this.resource.arn;
    this.roleArn = this.role.arn;
    this.roleName = this.role.name;
    this.logGroupName = this.logGroup.name;
    this.timeoutSeconds = timeoutSeconds;
  }

  /**
   * Makes the function a consumer of an SQS queue: an event source mapping that reports partial batch
   * failures (`ReportBatchItemFailures`: only the messages the handler names return to the queue), and
   * a policy of its own that lets the role receive, delete and decrypt the queue's messages, created
   * before the mapping. The queue's visibility timeout must cover the function's timeout (SQS refuses
   * the mapping otherwise: a message would reappear while it is still being worked on).
   */
  consumeQueue(
    key: string,
    queue: ConsumableQueue,
    options: QueueConsumerOptions = {},
  ): LambdaEventSourceMapping {
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(key)) {
      throw invalid(
        "key",
        "must be 1-40 lowercase letters, digits and hyphens",
        key,
        "Use the queue's name.",
      );
    }
    if (queue.visibilityTimeoutSeconds < this.timeoutSeconds) {
      throw invalid(
        "queue.visibilityTimeoutSeconds",
        `must be at least the function's timeout (${this.timeoutSeconds} s), or Lambda refuses the event source mapping`,
        queue.visibilityTimeoutSeconds,
        "Raise the queue's visibility timeout (six times the function timeout is AWS's advice) or lower the timeout.",
      );
    }
    const batchSize = options.batchSize ?? 10;
    requireIntegerInRange("batchSize", batchSize, 1, 10_000);
    const window = options.maximumBatchingWindowSeconds ?? 0;
    requireIntegerInRange("maximumBatchingWindowSeconds", window, 0, 300);
    if (batchSize > 10 && window < 1) {
      throw invalid(
        "maximumBatchingWindowSeconds",
        "must be at least 1 with a batchSize above 10 (Lambda's rule for SQS)",
        window,
        "Set a batching window, or a batch size of at most 10.",
      );
    }
    if (options.maximumConcurrency !== undefined) {
      requireIntegerInRange("maximumConcurrency", options.maximumConcurrency, 2, 1000);
    }
    const sid = `Consume${key.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}`;
    const policy = new IamRolePolicy(this, `consume-${key}`, {
      name: `consume-${key}`,
      role: this.role.name,
      policy: policyDocument(queue.consumeStatements(sid)),
    });
    return new LambdaEventSourceMapping(this, `source-${key}`, {
      eventSourceArn: queue.queueArn,
      functionName: this.functionArn,
      batchSize,
      maximumBatchingWindowInSeconds: window > 0 ? window : undefined,
      functionResponseTypes: ["ReportBatchItemFailures"],
      ...(options.maximumConcurrency === undefined
        ? {}
        : { scalingConfig: { maximumConcurrency: options.maximumConcurrency } }),
      dependsOn: [policy],
    });
  }
}

/** A queue a function can consume (an `EncryptedQueue` is one). */
export interface ConsumableQueue {
  readonly queueArn: string;
  readonly visibilityTimeoutSeconds: number;
  consumeStatements(sid: string): PolicyStatement[];
}

/** How a function consumes a queue. */
export interface QueueConsumerOptions {
  /** Messages per invocation (1-10000; above 10 needs a batching window). @default 10 */
  readonly batchSize?: number;
  /** Seconds Lambda gathers messages before invoking (0-300). @default 0 */
  readonly maximumBatchingWindowSeconds?: number;
  /** Most concurrent invocations this queue drives (2-1000). @default - Lambda's scaling */
  readonly maximumConcurrency?: number;
}
