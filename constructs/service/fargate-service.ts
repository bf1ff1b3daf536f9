import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingScheduledAction } from "@cdktf/provider-aws/lib/appautoscaling-scheduled-action";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { FARGATE_SIZES } from "../core/aws-limits";
import { type Connectable, Connections } from "../core/connections";
import { DEFAULT_CONTAINER_PORT, DEFAULT_LOG_RETENTION_DAYS } from "../core/defaults";
import { type PolicyStatement, policyDocument, serviceTrustPolicy } from "../core/iam";
import { limitedName, NAME_LIMITS, type ResourceNaming } from "../core/naming";
import {
  invalid,
  isUnresolved,
  requireIntegerInRange,
  requireLogRetention,
  requireTimeZone,
} from "../core/validation";
import type { KeyReference, NetworkReference, RoleReference } from "../internal/references";
import type { ContainerSecret, RuntimeSecrets } from "../secrets";
import type { EcsCluster } from "./ecs-cluster";
import { ImageRepository } from "./image-repository";

/** How tasks are placed: on-demand Fargate, Fargate Spot, or a mix (one on-demand task as a base, the rest mostly Spot). */
export type CapacityMode = "fargate" | "fargateSpot" | "mixed";

/** One capacity provider of an explicit strategy: its share of the tasks beyond the bases. */
export interface CapacityProviderWeight {
  /** `FARGATE` (on-demand) or `FARGATE_SPOT` (interruptible, cheaper). */
  readonly provider: "FARGATE" | "FARGATE_SPOT";
  /** Relative share of the tasks (0 to 1000); at least one provider's weight must be above 0. */
  readonly weight: number;
  /**
   * Tasks that always run on this provider before weights apply (one provider at most may have a base).
   * @default 0
   */
  readonly base?: number;
}

/** Target-tracking autoscaling of the service's task count. */
export interface ServiceAutoscaling {
  /** Fewest tasks. */
  readonly minCount: number;
  /** Most tasks. */
  readonly maxCount: number;
  /**
   * Average CPU utilization the service is scaled to.
   * @default 60
   */
  readonly targetCpuPercent?: number;
  /**
   * Scale on queue backlog per task as well (for a queue consumer): the visible messages of the
   * queues, summed, divided by the service's running tasks (Container Insights' `RunningTaskCount`),
   * tracked at `messagesPerTask`. The larger of the two policies' wishes wins.
   * @default - CPU only
   */
  readonly queueBacklog?: {
    /** The queues the service consumes. */
    readonly queueNames: readonly string[];
    /** Messages one task works off in an acceptable time (the latency you accept times its rate). */
    readonly messagesPerTask: number;
  };
  /**
   * Scheduled changes of the scaling bounds (`minCount: 0, maxCount: 0` stops the service), in an
   * IANA time zone: dev's office hours.
   * @default - none
   */
  readonly schedules?: readonly ScalingSchedule[];
}

/** A scheduled action of a service's scaler: from `schedule` on, the task count stays in `[minCount, maxCount]`. */
export interface ScalingSchedule {
  /** Name suffix (1-20 lowercase letters, digits, hyphens): `stop`, `start`. */
  readonly name: string;
  /** `cron(minutes hours day-of-month month day-of-week year)` in `timeZone`. */
  readonly schedule: string;
  /** IANA time zone of the schedule. */
  readonly timeZone: string;
  readonly minCount: number;
  readonly maxCount: number;
}

/** One EFS mount of a service's container. */
export interface ServiceEfsMount {
  /** The file system (an `ElasticFileSystem`). */
  readonly fileSystem: Connectable & {
    mount(
      accessPoint: string,
      options?: { readOnly?: boolean; field?: string },
    ): {
      readonly fileSystemId: string;
      readonly accessPointId: string;
      readonly statements: readonly PolicyStatement[];
    };
  };
  /** The access point's name. */
  readonly accessPoint: string;
  /** Where the container sees it (`/data/lancedb`). */
  readonly containerPath: string;
  /** @default false */
  readonly readOnly?: boolean;
}

/**
 * The AWS Distro for OpenTelemetry collector the `tracing` option runs beside a service: pinned, from
 * AWS's public gallery. The X-Ray daemon and SDKs reach end of support on 25 February 2027; the
 * collector takes OTLP from the application and exports to X-Ray.
 */
export const ADOT_COLLECTOR_IMAGE = "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0";

/** The collector's configuration: OTLP in (gRPC 4317, HTTP 4318, on localhost), batches, X-Ray out. */
export function adotCollectorConfig(region: string): string {
  return [
    "receivers:",
    "  otlp:",
    "    protocols:",
    "      grpc:",
    "        endpoint: 127.0.0.1:4317",
    "      http:",
    "        endpoint: 127.0.0.1:4318",
    "processors:",
    "  batch: {}",
    "exporters:",
    "  awsxray:",
    `    region: ${region}`,
    "service:",
    "  pipelines:",
    "    traces:",
    "      receivers: [otlp]",
    "      processors: [batch]",
    "      exporters: [awsxray]",
    "",
  ].join("\n");
}

/** Where the service receives traffic from: a load balancer route (an `ApiDomain` is one). */
export interface LoadBalancerTarget extends Connectable {
  /** Target group the tasks register in. */
  readonly targetGroupArn: string;
}

/**
 * A container that runs beside the service's own in every task (an OpenTelemetry collector, say): its
 * image is given whole (a public or registry image with a tag or digest), it is not essential unless
 * said, it shares the task's network and logs to the service's log group under its own stream prefix.
 */
export interface SidecarContainer {
  /** Container name, unique in the task; also its log stream prefix. */
  readonly name: string;
  /** Image reference: `<registry>/<name>:<tag>` or `...@sha256:<digest>`. */
  readonly image: string;
  /**
   * Whether the task stops when this container stops.
   * @default false
   */
  readonly essential?: boolean;
  /** Plain environment variables. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** Command to run instead of the image's. @default - the image's */
  readonly command?: readonly string[];
}

/** Secrets a service injects besides its runtime secrets (see {@link FargateServiceProps.additionalSecrets}). */
export interface SecretSource {
  /** Entries for the container definition's `secrets`. */
  readonly containerSecrets: readonly ContainerSecret[];
  /** Lets the service's execution role read them; `key` is the service's reader key. */
  grantRead(role: RoleReference, key: string): void;
  /** What the service is created after. */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** Properties of {@link FargateService}. */
export interface FargateServiceProps {
  /** Project and environment resource names derive from. */
  readonly naming: ResourceNaming;
  /** The cluster the service runs on (several services may share one). */
  readonly cluster: EcsCluster;
  /** Tasks run in the network's private subnets. */
  readonly network: NetworkReference;
  /** Key for the log group and the image repository. */
  readonly encryptionKey: KeyReference;
  /** Secrets injected into the container; the execution role becomes their only reader. */
  readonly secrets: RuntimeSecrets;
  /**
   * More secrets injected into the container (a rotated database credential, say): each grants the
   * execution role reading under the service's reader key, and the service is created after what
   * each one names in `dependsOn` (so its first tasks find a value).
   * @default []
   */
  readonly additionalSecrets?: readonly SecretSource[];
  /** Image tag to run, usually a Terraform variable so CI ships images without a code change. */
  readonly imageTag: string;
  /**
   * Service name suffix: the service is `<project>-<environment>-<name>`.
   * @default "bot"
   */
  readonly name?: string;
  /**
   * Fargate CPU units.
   * @default 256
   */
  readonly cpu?: number;
  /**
   * Task memory in MiB; must suit `cpu`.
   * @default 512
   */
  readonly memoryMiB?: number;
  /**
   * Tasks to run. Ignored after creation when `autoscaling` is set (the scaler owns the count).
   * @default 1
   */
  readonly desiredCount?: number;
  /**
   * Port the container listens on.
   * @default 8080
   */
  readonly containerPort?: number;
  /**
   * Where the tasks run: a mode (`"mixed"` is one on-demand task, then three Spot tasks to one
   * on-demand), or an explicit strategy of providers with weights and bases. Changing it updates the
   * service in place with a new deployment (the service always forces one, which ECS requires for a
   * strategy change).
   * @default "fargate"
   */
  readonly capacity?: CapacityMode | readonly CapacityProviderWeight[];
  /**
   * The image repository the service runs from, when several services share one image.
   * @default - a repository of its own, `<project>-<environment>-<name>` ({@link ImageRepository})
   */
  readonly repository?: ImageRepository;
  /**
   * Command the container runs instead of the image's (a worker of the API's image, say).
   * @default - the image's command
   */
  readonly command?: readonly string[];
  /**
   * Name of the container log group.
   * @default `/ecs/<project>-<environment>-<name>`
   */
  readonly logGroupName?: string;
  /**
   * Autoscaling on average CPU.
   * @default - no autoscaling; `desiredCount` tasks run
   */
  readonly autoscaling?: ServiceAutoscaling;
  /**
   * Images kept in the repository; older ones expire. Only for the service's own repository (with
   * `repository`, the shared repository's setting applies).
   * @default 30
   */
  readonly ecrKeepImages?: number;
  /**
   * Days the container logs are kept.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Plain (non-secret) environment variables of the container.
   * @default {}
   */
  readonly environmentVariables?: Readonly<Record<string, string>>;
  /**
   * Key of this service's read policy on the secrets, when several services read them (`read-<key>`).
   * @default - the policy `read` (the secrets' one keyless reader)
   */
  readonly secretsReaderKey?: string;
  /**
   * Containers that run beside the service's own, keyed by name.
   * @default []
   */
  readonly sidecars?: readonly SidecarContainer[];
  /**
   * Distributed tracing with OpenTelemetry: an ADOT collector sidecar ({@link ADOT_COLLECTOR_IMAGE})
   * exporting to X-Ray, the application told where it is (`OTEL_EXPORTER_OTLP_ENDPOINT`), to use the
   * X-Ray propagator (`OTEL_PROPAGATORS=xray`, so the trace the load balancer starts in
   * `X-Amzn-Trace-Id` continues) and its service name, and the task role allowed to send traces.
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * Load balancer in front of the service.
   * @default - no load balancer; the service accepts no inbound traffic
   */
  readonly loadBalancer?: LoadBalancerTarget;
  /**
   * What the application itself may do (the task role's inline policy `application`): the bus it
   * puts events on, the tables and queues it uses, `rds-db:connect` as its database user.
   * @default - nothing
   */
  readonly taskStatements?: readonly PolicyStatement[];
  /**
   * EFS access points the service's container mounts, each through TLS with IAM authorization: the
   * task role gets exactly the mount (and write, unless `readOnly`) on that access point, and the tasks
   * reach the file system on 2049. A mount naming an access point the file system lacks is an error.
   * @default - none
   */
  readonly efsMounts?: readonly ServiceEfsMount[];
}

/**
 * A Fargate service on a given cluster: its own image repository ({@link ImageRepository}), tasks in
 * private subnets with a deployment circuit breaker that rolls back, encrypted logs, and least-privilege
 * task and execution roles.
 */
export class FargateService extends Construct implements Connectable {
  /** Name of the ECS cluster. */
  public readonly clusterName: string;
  /** ARN of the ECS cluster. */
  public readonly clusterArn: string;
  /** Name of the ECS service. */
  public readonly serviceName: string;
  /** The service's image repository. */
  public readonly repository: ImageRepository;
  /** URL of the image repository (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`). */
  public readonly repositoryUrl: string;
  /** ARN of the image repository. */
  public readonly repositoryArn: string;
  /** Name of the container log group. */
  public readonly logGroupName: string;
  /**
   * The service's name as a plain string, known at synth: for what must name the service without
   * depending on it (a rotation function the service depends on).
   */
  public readonly physicalName: string;
  /** ARN of the task execution role (pulls the image, reads the secrets). */
  public readonly executionRoleArn: string;
  /** ARN of the task role (the application's own AWS permissions). */
  public readonly taskRoleArn: string;
  /** Name of the task role, to grant the application permissions. */
  public readonly taskRoleName: string;
  /** Security group of the tasks. */
  public readonly securityGroupId: string;
  /** Who may reach the tasks (`loadBalancer.connections.allowTo(service, port)`) and whom they reach. */
  public readonly connections: Connections;
  /** Tasks the service runs (its autoscaling minimum when it autoscales). */
  public readonly desiredCount: number;

  constructor(scope: Construct, id: string, props: FargateServiceProps) {
    super(scope, id);
    const name = props.name ?? "bot";
    const cpu = props.cpu ?? 256;
    const memoryMiB = props.memoryMiB ?? 512;
    const desiredCount = props.desiredCount ?? 1;
    this.desiredCount = props.autoscaling ? props.autoscaling.minCount : desiredCount;
    const containerPort = props.containerPort ?? DEFAULT_CONTAINER_PORT;
    const capacity = props.capacity ?? "fargate";
    const ecrKeepImages = props.ecrKeepImages ?? 30;
    const logRetentionDays = props.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
    const targetCpuPercent = props.autoscaling?.targetCpuPercent ?? 60;
    validate({
      ...props,
      name,
      cpu,
      memoryMiB,
      desiredCount,
      containerPort,
      capacity,
      ecrKeepImages,
      logRetentionDays,
      targetCpuPercent,
    });

    const fullName = limitedName(NAME_LIMITS.ecs, props.naming, name);
    const account = new DataAwsCallerIdentity(this, "account");
    const region = new DataAwsRegion(this, "region");

    this.repository =
      props.repository ??
      new ImageRepository(this, "image", {
        naming: props.naming,
        name,
        encryptionKey: props.encryptionKey,
        keepImages: ecrKeepImages,
      });
    const cluster = props.cluster;

    const logGroupName = props.logGroupName ?? `/ecs/${fullName}`;
    const logGroup = new CloudwatchLogGroup(this, "logs", {
      name: logGroupName,
      retentionInDays: logRetentionDays,
      kmsKeyId: props.encryptionKey.keyArn,
    });
    props.encryptionKey.grantLogGroup(logGroupName);

    const trust = serviceTrustPolicy("ecs-tasks.amazonaws.com", {
      StringEquals: { "aws:SourceAccount": account.accountId },
    });
    const executionRole = new IamRole(this, "execution-role", {
      name: limitedName(NAME_LIMITS.iamRole, props.naming, name, "execution"),
      description: `Pulls the image and reads the runtime secrets of ${fullName}`,
      assumeRolePolicy: trust,
    });
    new IamRolePolicy(this, "execution-policy", {
      name: "pull-image-and-write-logs",
      role: executionRole.name,
      policy: policyDocument([
        ...this.repository.pullStatements(),
        {
          sid: "WriteLogs",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          resources: [`${logGroup.arn}:*`],
        },
      ]),
    });
    props.secrets.grantRead(
      { roleArn: executionRole.arn, roleName: executionRole.name },
      props.secretsReaderKey,
    );
    for (const source of props.additionalSecrets ?? []) {
      source.grantRead(
        { roleArn: executionRole.arn, roleName: executionRole.name },
        props.secretsReaderKey ?? name,
      );
    }
    const containerSecrets = [
      ...props.secrets.containerSecrets,
      ...(props.additionalSecrets ?? []).flatMap((source) => source.containerSecrets),
    ];

    const taskRole = new IamRole(this, "task-role", {
      name: limitedName(NAME_LIMITS.iamRole, props.naming, name, "task"),
      description: `The application's own AWS permissions in ${fullName} (none by default)`,
      assumeRolePolicy: trust,
    });
    const mounts = (props.efsMounts ?? []).map((m, i) => {
      if (!m.containerPath.startsWith("/") || m.containerPath === "/tmp") {
        throw invalid(
          `efsMounts[${i}].containerPath`,
          "must be an absolute path other than /tmp (the task's scratch volume)",
          m.containerPath,
          "Use for example /data/lancedb.",
        );
      }
      if ((props.efsMounts ?? []).findIndex((o) => o.accessPoint === m.accessPoint) !== i) {
        throw invalid(
          `efsMounts[${i}].accessPoint`,
          "must be mounted once per service",
          m.accessPoint,
          "Remove the second mount, or mount another access point.",
        );
      }
      return {
        ...m,
        volume: `efs-${m.accessPoint}`,
        ...m.fileSystem.mount(m.accessPoint, { readOnly: m.readOnly, field: `efsMounts[${i}].accessPoint` }),
      };
    });
    const tracing = props.tracing ?? false;
    if (tracing && (props.sidecars ?? []).some((c) => c.name === "otel-collector")) {
      throw invalid(
        "sidecars",
        "must not hold a container named otel-collector when tracing is on (tracing adds it)",
        "otel-collector",
        "Rename the sidecar, or let tracing run the collector.",
      );
    }
    const sidecars: readonly SidecarContainer[] = [
      ...(props.sidecars ?? []),
      ...(tracing
        ? [
            {
              name: "otel-collector",
              image: ADOT_COLLECTOR_IMAGE,
              essential: false,
              command: ["--config=env:AOT_CONFIG_CONTENT"],
              environment: { AOT_CONFIG_CONTENT: adotCollectorConfig(region.name) },
            },
          ]
        : []),
    ];
    const taskStatements = [
      ...(props.taskStatements ?? []),
      ...mounts.flatMap((m) => m.statements),
      ...(tracing
        ? [
            {
              // X-Ray's trace and sampling actions take no resource scope.
              sid: "SendTracesToXRay",
              actions: [
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
                "xray:GetSamplingRules",
                "xray:GetSamplingTargets",
              ],
              resources: ["*"],
            },
          ]
        : []),
    ];
    if (taskStatements.length > 0) {
      new IamRolePolicy(this, "task-policy", {
        name: "application",
        role: taskRole.name,
        policy: policyDocument(taskStatements),
      });
    }

    const taskDefinition = new EcsTaskDefinition(this, "task", {
      family: fullName,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(cpu),
      memory: String(memoryMiB),
      executionRoleArn: executionRole.arn,
      taskRoleArn: taskRole.arn,
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      volume: [
        { name: "tmp" },
        ...mounts.map((m) => ({
          name: m.volume,
          efsVolumeConfiguration: {
            fileSystemId: m.fileSystemId,
            transitEncryption: "ENABLED",
            authorizationConfig: { accessPointId: m.accessPointId, iam: "ENABLED" },
          },
        })),
      ],
      containerDefinitions: JSON.stringify([
        {
          name,
          image: `${this.repository.repositoryUrl}:${props.imageTag}`,
          ...(props.command ? { command: [...props.command] } : {}),
          essential: true,
          readonlyRootFilesystem: true,
          privileged: false,
          portMappings: [{ containerPort, protocol: "tcp" }],
          mountPoints: [
            { sourceVolume: "tmp", containerPath: "/tmp", readOnly: false },
            ...mounts.map((m) => ({
              sourceVolume: m.volume,
              containerPath: m.containerPath,
              readOnly: m.readOnly ?? false,
            })),
          ],
          environment: Object.entries({
            ...(tracing
              ? {
                  OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4317",
                  OTEL_PROPAGATORS: "xray",
                  OTEL_SERVICE_NAME: fullName,
                }
              : {}),
            ...props.environmentVariables,
          })
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([n, value]) => ({ name: n, value })),
          secrets: containerSecrets,
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": logGroup.name,
              "awslogs-region": region.name,
              "awslogs-stream-prefix": name,
            },
          },
        },
        ...sidecars.map((sidecar) => ({
          name: sidecar.name,
          image: sidecar.image,
          essential: sidecar.essential ?? false,
          readonlyRootFilesystem: true,
          privileged: false,
          ...(sidecar.command ? { command: [...sidecar.command] } : {}),
          environment: Object.entries(sidecar.environment ?? {})
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([n, value]) => ({ name: n, value })),
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": logGroup.name,
              "awslogs-region": region.name,
              "awslogs-stream-prefix": sidecar.name,
            },
          },
        })),
      ]),
    });

    const securityGroup = new SecurityGroup(this, "security-group", {
      name: `${fullName}-tasks`,
      description: `Tasks of ${fullName}`,
      vpcId: props.network.vpcId,
      lifecycle: { createBeforeDestroy: true },
    });
    new VpcSecurityGroupEgressRule(this, "egress-https", {
      securityGroupId: securityGroup.id,
      description: "HTTPS to AWS APIs and the services the bot calls",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: "0.0.0.0/0",
    });
    this.connections = new Connections(this, name, `the ${fullName} tasks`, securityGroup.id);
    // Only the load balancer reaches the tasks, on the container port.
    props.loadBalancer?.connections.allowTo(this, containerPort);
    if (props.network.interfaceEndpoints) this.connections.allowTo(props.network.interfaceEndpoints, 443);
    for (const fileSystem of new Set(mounts.map((m) => m.fileSystem)))
      this.connections.allowTo(fileSystem, 2049);

    const service = new EcsService(this, "service", {
      name: fullName,
      cluster: cluster.clusterArn,
      taskDefinition: taskDefinition.arn,
      desiredCount: props.autoscaling ? props.autoscaling.minCount : desiredCount,
      capacityProviderStrategy: capacityStrategy(capacity),
      networkConfiguration: {
        subnets: props.network.privateSubnetIds,
        securityGroups: [securityGroup.id],
        assignPublicIp: false,
      },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      // ECS refuses a capacity provider strategy change without a new deployment.
      forceNewDeployment: true,
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      enableExecuteCommand: false,
      propagateTags: "SERVICE",
      waitForSteadyState: false,
      ...(props.loadBalancer
        ? {
            loadBalancer: [
              { targetGroupArn: props.loadBalancer.targetGroupArn, containerName: name, containerPort },
            ],
            healthCheckGracePeriodSeconds: 60,
          }
        : {}),
      // The scaler owns the task count once autoscaling is on; Terraform must not reset it.
      lifecycle: props.autoscaling ? { ignoreChanges: ["desired_count"] } : undefined,
      dependsOn: [
        executionRole,
        ...(props.additionalSecrets ?? []).flatMap((source) => source.dependsOn ?? []),
      ],
    });

    if (props.autoscaling) {
      const target = new AppautoscalingTarget(this, "scaling-target", {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: `service/${cluster.clusterName}/${service.name}`,
        minCapacity: props.autoscaling.minCount,
        maxCapacity: props.autoscaling.maxCount,
      });
      new AppautoscalingPolicy(this, "scaling-cpu", {
        name: `${fullName}-cpu`,
        policyType: "TargetTrackingScaling",
        serviceNamespace: target.serviceNamespace,
        scalableDimension: target.scalableDimension,
        resourceId: target.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: targetCpuPercent,
          predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
          scaleInCooldown: 300,
          scaleOutCooldown: 60,
        },
      });
      const backlog = props.autoscaling.queueBacklog;
      if (backlog) {
        const queues = backlog.queueNames.map((queueName, i) => ({
          id: `q${i}`,
          returnData: false,
          metricStat: {
            stat: "Sum",
            metric: {
              namespace: "AWS/SQS",
              metricName: "ApproximateNumberOfMessagesVisible",
              dimensions: [{ name: "QueueName", value: queueName }],
            },
          },
        }));
        new AppautoscalingPolicy(this, "scaling-backlog", {
          name: `${fullName}-backlog`,
          policyType: "TargetTrackingScaling",
          serviceNamespace: target.serviceNamespace,
          scalableDimension: target.scalableDimension,
          resourceId: target.resourceId,
          targetTrackingScalingPolicyConfiguration: {
            targetValue: backlog.messagesPerTask,
            customizedMetricSpecification: {
              metrics: [
                ...queues,
                {
                  id: "tasks",
                  returnData: false,
                  metricStat: {
                    stat: "Average",
                    metric: {
                      namespace: "ECS/ContainerInsights",
                      metricName: "RunningTaskCount",
                      dimensions: [
                        { name: "ClusterName", value: cluster.clusterName },
                        { name: "ServiceName", value: fullName },
                      ],
                    },
                  },
                },
                {
                  id: "backlog_per_task",
                  label: "Visible messages per running task",
                  expression: `(${queues.map((q) => q.id).join(" + ")}) / tasks`,
                  returnData: true,
                },
              ],
            },
            scaleInCooldown: 300,
            scaleOutCooldown: 60,
          },
        });
      }
      for (const schedule of props.autoscaling.schedules ?? []) {
        new AppautoscalingScheduledAction(this, `scaling-${schedule.name}`, {
          name: `${fullName}-${schedule.name}`,
          serviceNamespace: target.serviceNamespace,
          scalableDimension: target.scalableDimension,
          resourceId: target.resourceId,
          schedule: schedule.schedule,
          timezone: schedule.timeZone,
          scalableTargetAction: {
            minCapacity: String(schedule.minCount),
            maxCapacity: String(schedule.maxCount),
          },
        });
      }
    }

    this.clusterName = cluster.clusterName;
    this.clusterArn = cluster.clusterArn;
    this.serviceName = service.name;
    this.physicalName = fullName;
    this.repositoryUrl = this.repository.repositoryUrl;
    this.repositoryArn = this.repository.repositoryArn;
    this.logGroupName = logGroup.name;
    this.executionRoleArn = executionRole.arn;
    this.taskRoleArn = taskRole.arn;
    this.taskRoleName = taskRole.name;
    this.securityGroupId = securityGroup.id;
  }
}

function capacityStrategy(mode: CapacityMode | readonly CapacityProviderWeight[]) {
  if (typeof mode !== "string") {
    return mode.map((p) => ({
      capacityProvider: p.provider,
      weight: p.weight,
      ...(p.base ? { base: p.base } : {}),
    }));
  }
  switch (mode) {
    case "fargate":
      return [{ capacityProvider: "FARGATE", weight: 1 }];
    case "fargateSpot":
      return [{ capacityProvider: "FARGATE_SPOT", weight: 1 }];
    case "mixed":
      return [
        { capacityProvider: "FARGATE", base: 1, weight: 1 },
        { capacityProvider: "FARGATE_SPOT", weight: 3 },
      ];
  }
}

interface Resolved extends FargateServiceProps {
  readonly name: string;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly desiredCount: number;
  readonly containerPort: number;
  readonly capacity: CapacityMode | readonly CapacityProviderWeight[];
  readonly ecrKeepImages: number;
  readonly logRetentionDays: number;
  readonly targetCpuPercent: number;
}

function validate(p: Resolved): void {
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(p.name)) {
    throw invalid(
      "name",
      "must be 1-20 lowercase letters, digits and hyphens, starting with a letter",
      p.name,
      'Use a short name such as "bot".',
    );
  }
  const sizes = FARGATE_SIZES[p.cpu];
  if (!isUnresolved(p.cpu) && !sizes) {
    throw invalid(
      "cpu",
      "must be a Fargate CPU size (256, 512, 1024, 2048, 4096)",
      p.cpu,
      "Pick one of the listed sizes.",
    );
  }
  if (sizes && !isUnresolved(p.memoryMiB) && !sizes.includes(p.memoryMiB)) {
    throw invalid(
      "memoryMiB",
      `must be one of ${sizes.join(", ")} for \`cpu\` ${p.cpu} (Fargate's valid combinations)`,
      p.memoryMiB,
      "Pick a listed size, or change `cpu`.",
    );
  }
  requireIntegerInRange("desiredCount", p.desiredCount, 0, 100);
  requireIntegerInRange("containerPort", p.containerPort, 1, 65535);
  requireIntegerInRange("ecrKeepImages", p.ecrKeepImages, 1, 1000);
  if (typeof p.capacity === "string") {
    if (!["fargate", "fargateSpot", "mixed"].includes(p.capacity)) {
      throw invalid(
        "capacity",
        'must be "fargate", "fargateSpot" or "mixed", or a list of providers with weights',
        p.capacity,
        "Pick one of the listed modes.",
      );
    }
  } else {
    validateStrategy(p.capacity);
  }
  if (p.repository && p.ecrKeepImages !== 30) {
    throw invalid(
      "ecrKeepImages",
      "applies to the service's own repository only, and `repository` is given",
      p.ecrKeepImages,
      "Set keepImages on the shared ImageRepository instead.",
    );
  }
  if (p.command !== undefined && (p.command.length === 0 || p.command.some((c) => c === ""))) {
    throw invalid(
      "command",
      "must be a non-empty list of non-empty arguments",
      p.command,
      "Leave it out to run the image's command.",
    );
  }
  if (
    p.logGroupName !== undefined &&
    !isUnresolved(p.logGroupName) &&
    !/^[A-Za-z0-9_\-/.#]{1,512}$/.test(p.logGroupName)
  ) {
    throw invalid(
      "logGroupName",
      "must be 1-512 letters, digits and _ - / . #",
      p.logGroupName,
      "Use a name such as /ecs/<project>-<environment>/<service>.",
    );
  }
  requireLogRetention("logRetentionDays", p.logRetentionDays);
  if (p.autoscaling) {
    requireIntegerInRange("autoscaling.minCount", p.autoscaling.minCount, 1, 100);
    requireIntegerInRange("autoscaling.maxCount", p.autoscaling.maxCount, 1, 100);
    requireIntegerInRange("autoscaling.targetCpuPercent", p.targetCpuPercent, 10, 90);
    if (p.autoscaling.maxCount < p.autoscaling.minCount) {
      throw invalid(
        "autoscaling.maxCount",
        `must be at least \`autoscaling.minCount\` (${p.autoscaling.minCount})`,
        p.autoscaling.maxCount,
        "Raise `autoscaling.maxCount` or lower `autoscaling.minCount`.",
      );
    }
    validateScaling(p.autoscaling);
  }
  const names = new Set([p.name]);
  for (const sidecar of p.sidecars ?? []) {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(sidecar.name) || names.has(sidecar.name)) {
      throw invalid(
        "sidecars",
        "must have names of 1-32 lowercase letters, digits and hyphens, unique in the task (the service's container included)",
        sidecar.name,
        "Rename the sidecar.",
      );
    }
    names.add(sidecar.name);
    if (
      !/^[\w.\-/:@]+$/.test(sidecar.image) ||
      !/(:[\w.-]+|@sha256:[0-9a-f]{64})$/.test(sidecar.image) ||
      sidecar.image.endsWith(":latest")
    ) {
      throw invalid(
        `sidecars.${sidecar.name}.image`,
        "must be an image reference with a tag (not latest) or a digest",
        sidecar.image,
        "Pin it, for example public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3.",
      );
    }
  }
  const injected = [
    ...p.secrets.containerSecrets,
    ...(p.additionalSecrets ?? []).flatMap((x) => x.containerSecrets),
  ];
  const twice = injected.find((entry, i) => injected.findIndex((other) => other.name === entry.name) !== i);
  if (twice) {
    throw invalid(
      "additionalSecrets",
      "must not inject a variable another secret injects already",
      twice.name,
      "Rename one of the two secrets, or inject it once.",
    );
  }
  if (p.environmentVariables) {
    const secretNames = new Set(
      [...p.secrets.containerSecrets, ...(p.additionalSecrets ?? []).flatMap((x) => x.containerSecrets)].map(
        (s) => s.name,
      ),
    );
    for (const key of Object.keys(p.environmentVariables)) {
      if (secretNames.has(key)) {
        throw invalid(
          `environmentVariables.${key}`,
          "must not shadow a runtime secret of the same name",
          key,
          "Remove it; the secret provides this variable.",
        );
      }
    }
  }
}

function validateStrategy(strategy: readonly CapacityProviderWeight[]): void {
  if (strategy.length === 0) {
    throw invalid(
      "capacity",
      "must list at least one provider",
      [],
      'Use "fargate", or list FARGATE with a weight.',
    );
  }
  const seen = new Set<string>();
  strategy.forEach((entry, i) => {
    const at = `capacity[${entry.provider ?? i}]`;
    if (entry.provider !== "FARGATE" && entry.provider !== "FARGATE_SPOT") {
      throw invalid(
        `${at}.provider`,
        'must be "FARGATE" or "FARGATE_SPOT"',
        entry.provider,
        "Pick one of the two.",
      );
    }
    if (seen.has(entry.provider)) {
      throw invalid("capacity", "must name each provider once", entry.provider, "Merge the two entries.");
    }
    seen.add(entry.provider);
    requireIntegerInRange(`${at}.weight`, entry.weight, 0, 1000);
    requireIntegerInRange(`${at}.base`, entry.base ?? 0, 0, 100000);
  });
  if (strategy.every((entry) => entry.weight === 0)) {
    throw invalid(
      "capacity",
      "must give at least one provider a weight above 0 (ECS places no task beyond the bases otherwise)",
      strategy.map((entry) => `${entry.provider}:${entry.weight}`).join(", "),
      "Give FARGATE or FARGATE_SPOT a weight of 1 or more.",
    );
  }
  if (strategy.filter((entry) => (entry.base ?? 0) > 0).length > 1) {
    throw invalid(
      "capacity",
      "may give a base to one provider only (an ECS rule)",
      strategy.map((entry) => `${entry.provider}:base ${entry.base ?? 0}`).join(", "),
      "Keep the base on one provider, usually FARGATE.",
    );
  }
}

const CRON = /^cron\((\S+ ){5}\S+\)$/;

function validateScaling(scaling: ServiceAutoscaling): void {
  const backlog = scaling.queueBacklog;
  if (backlog) {
    if (backlog.queueNames.length < 1 || backlog.queueNames.length > 9) {
      throw invalid(
        "autoscaling.queueBacklog.queueNames",
        "must name 1-9 queues (a target-tracking metric math expression takes at most 10 metrics, the task count one of them)",
        backlog.queueNames,
        "Name the queues the service consumes.",
      );
    }
    requireIntegerInRange("autoscaling.queueBacklog.messagesPerTask", backlog.messagesPerTask, 1, 100_000);
  }
  const names = new Set<string>();
  for (const [i, schedule] of (scaling.schedules ?? []).entries()) {
    const at = `autoscaling.schedules[${i}]`;
    if (!/^[a-z][a-z0-9-]{0,19}$/.test(schedule.name) || names.has(schedule.name)) {
      throw invalid(
        `${at}.name`,
        "must be unique, 1-20 lowercase letters, digits and hyphens, starting with a letter",
        schedule.name,
        "Name it after what it does: stop, start.",
      );
    }
    names.add(schedule.name);
    if (!CRON.test(schedule.schedule)) {
      throw invalid(
        `${at}.schedule`,
        "must be a cron expression of six fields, cron(minutes hours day-of-month month day-of-week year)",
        schedule.schedule,
        "Use for example cron(0 20 ? * MON-FRI *).",
      );
    }
    requireTimeZone(`${at}.timeZone`, schedule.timeZone);
    requireIntegerInRange(`${at}.minCount`, schedule.minCount, 0, 100);
    requireIntegerInRange(`${at}.maxCount`, schedule.maxCount, 0, 100);
    if (schedule.maxCount < schedule.minCount) {
      throw invalid(
        `${at}.maxCount`,
        `must be at least minCount (${schedule.minCount})`,
        schedule.maxCount,
        "Raise maxCount or lower minCount.",
      );
    }
  }
}
