import { Annotations, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { AccessRoles } from "../../constructs/access";
import {
  type AlarmTarget,
  Alerts,
  CACHE_ALARMS,
  DATABASE_ALARMS,
  SERVICE_ALARMS,
  WEB_ALARMS,
} from "../../constructs/alerts";
import { ApiDomain } from "../../constructs/api-domain";
import { Cache } from "../../constructs/cache";
import { GithubDeployRoles } from "../../constructs/ci";
import { PostgresCredentials, PostgresInstance } from "../../constructs/database";
import { AppKey } from "../../constructs/keys";
import { Network } from "../../constructs/network";
import { ConnectionSecret, RuntimeSecrets } from "../../constructs/secrets";
import { EcsCluster, FargateService, ImageRepository } from "../../constructs/service";
import { StateKey, stateObjectKey } from "../../constructs/state";
import { WorkspaceGuard } from "../../constructs/workspace-guard";
import type { StateConfig } from "../../environments";
import { POLICY_SETTINGS_KEY } from "../../policy/rules/observability";
import { adoptExisting } from "../adoption";
import { withinSettings } from "../app";
import { useRemoteState } from "../backend";
import { addAwsProvider, environmentTags } from "../providers";
import { imageTagVariable } from "../variables";
import type { FreesideEnvironment } from "./settings";

/** The seed's operator-set secrets, `arrakis-<env>/<name>`. */
export const OPERATOR_SECRETS = ["app-config", "vault-token"] as const;

/** Properties of {@link FreesideStack}. */
export interface FreesideStackProps {
  /** The checked environment settings. */
  readonly environment: FreesideEnvironment;
  /** Where the state lives. */
  readonly state: StateConfig;
}

/**
 * One Freeside environment (seed 002): network, the API and worker services on one Fargate cluster
 * from one image repository, the HTTPS load balancer, the operator-set secrets, alarms and the CI
 * roles, in the environment's own workspace.
 */
export class FreesideStack extends TerraformStack {
  public readonly environment: FreesideEnvironment;
  public readonly key: AppKey;
  public readonly network: Network;
  public readonly cluster: EcsCluster;
  public readonly repository: ImageRepository;
  public readonly api: FargateService;
  public readonly worker: FargateService;
  public readonly edge: ApiDomain;
  public readonly secrets: RuntimeSecrets;
  public readonly database: PostgresInstance;
  public readonly dbCredentials: PostgresCredentials;
  public readonly cache: Cache;
  public readonly redisCredentials: ConnectionSecret;
  public readonly alerts: Alerts;
  public readonly ci: GithubDeployRoles;

  constructor(scope: Construct, id: string, props: FreesideStackProps) {
    super(scope, id);
    const env = props.environment;
    this.environment = env;
    const naming = { projectName: env.projectName, environment: env.environment };

    addAwsProvider(this, { region: env.region, tags: environmentTags(env), accountId: env.accountId });
    useRemoteState(this, props.state, id);
    new WorkspaceGuard(this, "workspace-guard", { workspace: env.workspace, stackName: id });
    this.addOverride(`//.${POLICY_SETTINGS_KEY}.log_retention_floor_days`, env.logRetentionFloorDays);

    const imageTag = imageTagVariable(this, "the image (the API and the worker both run it)");

    this.key = new AppKey(this, "app-key", { naming });
    this.network = new Network(this, "network", {
      naming,
      region: env.region,
      encryptionKey: this.key,
      cidr: env.network.cidr,
      availabilityZones: env.network.availabilityZones,
      natGateways: env.network.natGateways,
      // The seed's endpoints (ECR, S3, CloudWatch Logs) and Secrets Manager, unless the file lists others.
      vpcEndpoints: true,
      endpoints: env.network.endpoints,
      flowLogRetentionDays: env.network.flowLogRetentionDays,
      subnetCidrs:
        env.network.publicSubnets || env.network.privateSubnets
          ? { public: env.network.publicSubnets, private: env.network.privateSubnets }
          : undefined,
    });

    const access = new AccessRoles(this, "access", env.access);
    this.secrets = new RuntimeSecrets(this, "secrets", {
      naming,
      encryptionKey: this.key,
      secretNames: OPERATOR_SECRETS,
      recoveryWindowDays: env.deletionProtection ? 30 : 7,
      writers: [access.operatorRoleArn],
      policyAdministrators: [access.breakGlassRoleArn],
    });

    this.edge = new ApiDomain(this, "edge", {
      naming,
      network: this.network,
      domainName: env.edge.domainName,
      certificateArn: env.edge.certificateArn,
      hostedZoneName: env.edge.hostedZoneName,
      http: env.edge.http,
      targetPort: env.services.api.containerPort,
      healthCheckPath: env.services.api.healthCheckPath,
      deletionProtection: env.deletionProtection,
    });

    const db = env.database;
    this.database = withinSettings(
      env,
      "database",
      DATABASE_PROPS,
      () =>
        new PostgresInstance(this, "database", {
          naming,
          network: this.network,
          encryptionKey: this.key,
          instanceClass: db.instanceClass,
          engineVersion: db.engineVersion,
          autoMinorVersionUpgrade: db.autoMinorVersionUpgrade,
          allocatedStorageGiB: db.allocatedStorageGiB,
          maxAllocatedStorageGiB: db.maxAllocatedStorageGiB,
          backupRetentionDays: db.backupRetentionDays,
          multiAz: db.multiAz,
          databaseName: db.databaseName,
          databaseInsights: db.databaseInsights,
          deletionProtection: env.deletionProtection,
          logRetentionDays: env.logRetentionDays,
        }),
    );
    // The seed's db-credentials: the application role's URL, written and rotated by a function, so
    // no password is in the configuration or the state.
    this.dbCredentials = new PostgresCredentials(this, "db-credentials", {
      naming,
      database: this.database,
      network: this.network,
      encryptionKey: this.key,
      recoveryWindowDays: env.deletionProtection ? 30 : 7,
      policyAdministrators: [access.breakGlassRoleArn],
      logRetentionDays: env.logRetentionDays,
    });

    this.cluster = new EcsCluster(this, "cluster", { naming, name: "cluster" });
    // One image, two services: the worker runs the API's image with its own command.
    this.repository = new ImageRepository(this, "image", {
      naming,
      name: "api",
      encryptionKey: this.key,
      keepImages: env.ecrKeepImages,
      repositoryName: env.ecrRepositoryName,
    });
    const common = {
      naming,
      cluster: this.cluster,
      network: this.network,
      encryptionKey: this.key,
      secrets: this.secrets,
      additionalSecrets: [this.dbCredentials],
      repository: this.repository,
      imageTag: imageTag.stringValue,
      logRetentionDays: env.logRetentionDays,
    };
    const api = env.services.api;
    // The two services' props share names (cpu, memoryMiB, ...): each names its own settings.
    this.api = withinSettings(
      env,
      "services.api",
      SERVICE_PROPS,
      () =>
        new FargateService(this, "api", {
          ...common,
          name: "api",
          logGroupName: `/ecs/${env.projectName}-${env.environment}/api`,
          secretsReaderKey: "api",
          cpu: api.cpu,
          memoryMiB: api.memoryMiB,
          desiredCount: api.desiredCount,
          capacity: api.capacity,
          containerPort: api.containerPort,
          environmentVariables: api.environmentVariables,
          loadBalancer: this.edge,
        }),
    );
    const worker = env.services.worker;
    this.worker = withinSettings(
      env,
      "services.worker",
      SERVICE_PROPS,
      () =>
        new FargateService(this, "worker", {
          ...common,
          name: "worker",
          logGroupName: `/ecs/${env.projectName}-${env.environment}/worker`,
          secretsReaderKey: "worker",
          cpu: worker.cpu,
          memoryMiB: worker.memoryMiB,
          desiredCount: worker.desiredCount,
          capacity: worker.capacity,
          command: worker.command,
          environmentVariables: worker.environmentVariables,
        }),
    );

    this.api.connections.allowTo(this.database, this.database.port);
    this.worker.connections.allowTo(this.database, this.database.port);
    for (const [key, service] of Object.entries({ api: this.api, worker: this.worker })) {
      this.dbCredentials.redeployAfterRotation(
        { cluster: this.cluster.physicalName, service: service.physicalName },
        key,
      );
    }

    const cache = env.cache;
    this.cache = withinSettings(
      env,
      "cache",
      CACHE_PROPS,
      () =>
        new Cache(this, "cache", {
          naming,
          network: this.network,
          encryptionKey: this.key,
          engine: cache.engine,
          engineVersion: cache.engineVersion,
          nodeType: cache.nodeType,
          nodes: cache.nodes,
          multiAz: cache.multiAz,
          snapshotRetentionDays: cache.snapshotRetentionDays,
          logRetentionDays: env.logRetentionDays,
        }),
    );
    // The seed's redis-credentials: where and as whom to connect; the password is an IAM token the
    // tasks sign with their own role, so the secret holds none.
    this.redisCredentials = new ConnectionSecret(this, "redis-credentials", {
      naming,
      name: "redis-credentials",
      description: `Redis endpoint of ${env.projectName}-${env.environment} (IAM authentication, TLS)`,
      encryptionKey: this.key,
      recoveryWindowDays: env.deletionProtection ? 30 : 7,
      value: {
        host: this.cache.primaryEndpoint,
        port: this.cache.port,
        user: this.cache.userName,
        url: this.cache.url,
        tls: "required",
        authentication: "iam",
      },
    });
    for (const [key, service] of Object.entries({ api: this.api, worker: this.worker })) {
      service.connections.allowTo(this.cache, this.cache.port);
      const taskRole = { roleArn: service.taskRoleArn, roleName: service.taskRoleName };
      this.cache.grantConnect(taskRole, key);
      this.redisCredentials.grantRead(taskRole, key);
    }

    this.alerts = new Alerts(this, "alerts", { naming, encryptionKey: this.key, email: env.alertEmail });
    if (!env.alertEmail && env.deletionProtection) {
      Annotations.of(this).addWarning(
        `environment ${env.environment} has deletion protection but no alertEmail, so nobody is told when an alarm fires (the topic ${this.alerts.topicName} has no subscriber). Set alertEmail in its environment file, or subscribe to the topic yourself.`,
      );
    }
    this.dbCredentials.addAlarms(this.alerts);
    const services = Object.entries({ api: this.api, worker: this.worker }).map(
      ([key, service]): AlarmTarget => ({
        kind: "ecsService",
        key,
        dimensions: { ClusterName: service.clusterName, ServiceName: service.serviceName },
      }),
    );
    this.alerts.watch(
      [
        ...services,
        { kind: "loadBalancer", key: "api", dimensions: { LoadBalancer: this.edge.albArnSuffix } },
        {
          kind: "targetGroup",
          key: "api",
          dimensions: { LoadBalancer: this.edge.albArnSuffix, TargetGroup: this.edge.targetGroupArnSuffix },
        },
        {
          kind: "dbInstance",
          key: "postgres",
          dimensions: { DBInstanceIdentifier: this.database.identifier },
          ...(this.database.connectionsAlarmThreshold === undefined
            ? {}
            : { thresholds: { "db-connections-high": this.database.connectionsAlarmThreshold } }),
        },
        ...this.cache.nodeIds.map(
          (node, i): AlarmTarget => ({
            kind: "cacheNode",
            key: String(i + 1).padStart(3, "0"),
            dimensions: { CacheClusterId: node },
          }),
        ),
      ],
      [...SERVICE_ALARMS, ...WEB_ALARMS, ...DATABASE_ALARMS, ...CACHE_ALARMS],
    );

    const stateKey = new StateKey(this, "state-key", { bucketName: props.state.bucketName });
    this.ci = new GithubDeployRoles(this, "ci", {
      naming,
      githubRepository: env.ci.githubRepository,
      githubEnvironment: env.ci.githubEnvironment,
      stateBucketName: props.state.bucketName,
      lockTableName: props.state.lockTableName,
      stateKmsKeyArn: stateKey.keyArn,
      stateObjectKeys: [stateObjectKey(id, env.workspace)],
      workspace: env.workspace,
      environmentKeyArn: this.key.keyArn,
      environmentTag: env.environment,
      dnsNames: [env.edge.domainName, `*.${env.edge.domainName}`],
      serviceLinkedRoleServices: ["rds.amazonaws.com", "elasticache.amazonaws.com"],
      // A plan refreshes the redis-credentials version, which holds no credential.
      planReadableSecretArns: [this.redisCredentials.secretArn],
    });
    this.ci.boundary.applyToRolesIn(this);
    // Running resources this environment takes over (adopt.imports), once every resource exists.
    adoptExisting(this, env, ADOPTED_SETTINGS);

    this.outputs();
  }

  private outputs(): void {
    const out = (id: string, value: string | string[], description: string) =>
      new TerraformOutput(this, id, { value, description });
    out("vpc_id", this.network.vpcId, "ID of the VPC");
    out("private_subnet_ids", this.network.privateSubnetIds, "Private subnets the tasks run in");
    out("public_subnet_ids", this.network.publicSubnetIds, "Public subnets of the load balancer");
    out("kms_key_arn", this.key.keyArn, "ARN of the environment's KMS key");
    out("ecr_repository_url", this.repository.repositoryUrl, "Push images here: docker push <url>:<tag>");
    out("ecs_cluster_name", this.cluster.clusterName, "ECS cluster of the API and the worker");
    out("api_service_name", this.api.serviceName, "ECS service of the API");
    out("worker_service_name", this.worker.serviceName, "ECS service of the worker");
    out("api_url", this.edge.url, "Base URL of the API");
    out("alb_dns_name", this.edge.albDnsName, "DNS name of the load balancer");
    out("secret_names", this.secrets.secretNames, "Secrets an operator sets values for (put-secret-value)");
    out("alerts_topic_arn", this.alerts.topicArn, "SNS topic of the alarms");
    out(
      "database_identifier",
      this.database.identifier,
      "RDS instance (aws rds describe-db-instances --db-instance-identifier <this>)",
    );
    out("database_address", this.database.address, "Host name of the database (private)");
    out(
      "cache_primary_endpoint",
      this.cache.primaryEndpoint,
      "Host name of the cache's primary (TLS, IAM authentication)",
    );
    out(
      "redis_credentials_secret_name",
      this.redisCredentials.secretName,
      "Secret with the cache's endpoint, user and rediss:// URL (no password)",
    );
    out(
      "db_credentials_secret_name",
      this.dbCredentials.secretName,
      "Secret with the application's database URL (DATABASE_URL in the tasks), rotated by its function",
    );
    out(
      "database_master_secret_arn",
      this.database.masterUserSecretArn,
      "Secret RDS keeps the master password in (never printed; read it only to administer the database)",
    );
    out(
      "ci_plan_role_arn",
      this.ci.planRoleArn,
      "Role for CI plans: set as the GitHub repository variable AWS_PLAN_ROLE_ARN_FREESIDE_<ENV>",
    );
    out(
      "ci_deploy_role_arn",
      this.ci.deployRoleArn,
      "Role for CI applies: set as the GitHub environment variable AWS_DEPLOY_ROLE_ARN_FREESIDE",
    );
  }
}

/** The setting that gives each replacement-forcing attribute `adopt.live` may declare. */
const ADOPTED_SETTINGS: Readonly<Record<string, string>> = {
  "image/repository.name": "ecrRepositoryName",
  "database/instance.db_name": "database.databaseName",
  "network/vpc.cidr_block": "network.cidr",
  "network/public-subnet-0.cidr_block": "network.publicSubnets[0]",
  "network/public-subnet-1.cidr_block": "network.publicSubnets[1]",
  "network/private-subnet-0.cidr_block": "network.privateSubnets[0]",
  "network/private-subnet-1.cidr_block": "network.privateSubnets[1]",
  "edge/load-balancer/targets.port": "services.api.containerPort",
};

const SERVICE_PROPS = [
  "cpu",
  "memoryMiB",
  "desiredCount",
  "capacity",
  "containerPort",
  "environmentVariables",
  "command",
];
const DATABASE_PROPS = [
  "instanceClass",
  "engineVersion",
  "autoMinorVersionUpgrade",
  "allocatedStorageGiB",
  "maxAllocatedStorageGiB",
  "backupRetentionDays",
  "multiAz",
  "databaseName",
  "databaseInsights",
];
const CACHE_PROPS = ["engine", "engineVersion", "nodeType", "nodes", "multiAz", "snapshotRetentionDays"];
