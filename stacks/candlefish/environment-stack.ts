import { Annotations, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { AccessRoles } from "../../constructs/access";
import {
  type AlarmTarget,
  Alerts,
  CANARY_ALARMS,
  CLUSTER_ALARMS,
  FUNCTION_ALARMS,
  QUEUE_ALARMS,
  SERVICE_ALARMS,
  WEB_ALARMS,
} from "../../constructs/alerts";
import { ApiDomain } from "../../constructs/api-domain";
import { GithubDeployRoles } from "../../constructs/ci";
import { bundleFunction } from "../../constructs/core/bundle";
import { CloudwatchDashboard, type DashboardMetric } from "../../constructs/dashboard";
import { AuroraPostgresCluster, DatabaseMigrations, DynamodbTable } from "../../constructs/database";
import { LAMBDA_AMAZON_CA_BUNDLE } from "../../constructs/database/postgres-credentials";
import { EncryptedQueue, EventBus, OffHours, QueueRule, Schedule } from "../../constructs/events";
import { AppKey } from "../../constructs/keys";
import { LambdaFunction } from "../../constructs/lambda";
import { Network } from "../../constructs/network";
import { RuntimeSecrets } from "../../constructs/secrets";
import { EcsCluster, FargateService, ImageRepository } from "../../constructs/service";
import { StateKey, stateObjectKey } from "../../constructs/state";
import { Canary, CanaryArtifacts } from "../../constructs/synthetics";
import { DEFAULT_WAF_RULES, WebAcl } from "../../constructs/waf";
import { WorkspaceGuard } from "../../constructs/workspace-guard";
import type { StateConfig } from "../../environments";
import { CANARY_ITEM_PREFIX } from "../../functions/candlefish/canaries/stage-gate-round-trip";
import { SOURCES } from "../../functions/candlefish/events";
import { CANDLEFISH_MIGRATIONS } from "../../functions/db-init/candlefish/migrations";
import { migrationsDigest } from "../../functions/db-init/migrations";
import { POLICY_SETTINGS_KEY } from "../../policy/rules/observability";
import { withinSettings } from "../app";
import { useRemoteState } from "../backend";
import { addAwsProvider, environmentTags } from "../providers";
import { imageTagVariable } from "../variables";
import { candlefishNames } from "./names";
import type { CandlefishEnvironment } from "./settings";

/** The seed's API keys, set out of band (`clos-v2-<env>/<name>`), read by the Core API and the Workflow Engine. */
export const OPERATOR_SECRETS = ["github-token", "slack-token"] as const;

/** The seed's Auth0 client secret (`clos-v2-<env>/auth0-client-secret`), read by the Core API alone. */
export const API_SECRETS = ["auth0-client-secret"] as const;

/** The secret GitHub signs webhook deliveries with (`clos-v2-<env>/github-webhook-secret`), read by github-webhook only. */
export const WEBHOOK_SECRET = "github-webhook-secret";

/** Every synthetic item's id starts so: the stage-gate canary's requests and their decisions. */
const CANARY_ITEMS = { prefix: CANARY_ITEM_PREFIX };

/** The queues the bus feeds. */
export const QUEUES = ["stage-gate", "wip-limit", "workflow"] as const;

/** Where each event goes: by rule, its queue and its event pattern. */
export const EVENT_ROUTES: readonly {
  readonly rule: string;
  readonly queue: (typeof QUEUES)[number] | "canary";
  readonly pattern: Readonly<Record<string, unknown>>;
}[] = [
  {
    rule: "stage-gate",
    queue: "stage-gate",
    pattern: { source: ["candlefish.api"], "detail-type": ["ItemStageChangeRequested"] },
  },
  {
    rule: "wip-limit",
    queue: "wip-limit",
    pattern: { source: ["candlefish.workflow"], "detail-type": ["ItemStageChanged"] },
  },
  // The Workflow Engine acts on what the functions decided (notifications, unblocking), real items only.
  {
    rule: "workflow",
    queue: "workflow",
    pattern: {
      source: ["candlefish.workflow"],
      "detail-type": ["ItemStageChanged", "StageGateRejected", "WipLimitExceeded", "ItemUnblockRequested"],
      detail: { itemId: [{ "anything-but": CANARY_ITEMS }] },
    },
  },
  {
    rule: "workflow-github",
    queue: "workflow",
    pattern: { source: ["candlefish.github"], "detail-type": ["GitHubActivity"] },
  },
  // The stage-gate canary's answers, and nothing else.
  {
    rule: "canary",
    queue: "canary",
    pattern: {
      source: ["candlefish.workflow"],
      "detail-type": ["ItemStageChanged", "StageGateRejected"],
      detail: { itemId: [CANARY_ITEMS] },
    },
  },
];

/** Database users the migrations create; the functions and tasks sign in as them with IAM tokens. */
const API_DATABASE_USER = "candlefish_api";
const UNBLOCK_DATABASE_USER = "candlefish_unblock";

/** Properties of {@link CandlefishStack}. */
export interface CandlefishStackProps {
  /** The checked environment settings. */
  readonly environment: CandlefishEnvironment;
  /** Where the state lives. */
  readonly state: StateConfig;
}

/**
 * One Candlefish environment (seed 001): a three-zone network with NACLs, the Core API and the
 * Workflow Engine on one Fargate cluster, Aurora PostgreSQL with its migrations, the metrics and
 * sessions tables, the event bus with its queues and the four event functions, WAF in prod, the
 * operator-set secrets, alarms and the CI roles, in the environment's own workspace.
 */
export class CandlefishStack extends TerraformStack {
  public readonly environment: CandlefishEnvironment;
  public readonly key: AppKey;
  public readonly network: Network;
  public readonly database: AuroraPostgresCluster;
  public readonly migrations: DatabaseMigrations;
  public readonly metrics: DynamodbTable;
  public readonly sessions: DynamodbTable;
  public readonly bus: EventBus;
  public readonly queues: Readonly<Record<(typeof QUEUES)[number], EncryptedQueue>>;
  public readonly canaryQueue: EncryptedQueue;
  public readonly canaries: Readonly<Record<string, Canary>>;
  public readonly functions: Readonly<Record<string, LambdaFunction>>;
  public readonly secrets: RuntimeSecrets;
  public readonly apiSecrets: RuntimeSecrets;
  public readonly webhookSecret: RuntimeSecrets;
  /** Every secret's full name (`clos-v2-<env>/github-token`, ...). */
  public readonly secretNames: readonly string[];
  public readonly edge: ApiDomain;
  public readonly waf?: WebAcl;
  public readonly cluster: EcsCluster;
  public readonly coreApi: FargateService;
  public readonly workflowEngine: FargateService;
  public readonly alerts: Alerts;
  public readonly dashboard: CloudwatchDashboard;
  public readonly ci: GithubDeployRoles;

  constructor(scope: Construct, id: string, props: CandlefishStackProps) {
    super(scope, id);
    const env = props.environment;
    this.environment = env;
    const naming = { projectName: env.projectName, environment: env.environment };
    const prefix = `${env.projectName}-${env.environment}`;
    const recoveryWindowDays = env.deletionProtection ? 30 : 7;

    addAwsProvider(this, { region: env.region, tags: environmentTags(env), accountId: env.accountId });
    useRemoteState(this, props.state, id);
    new WorkspaceGuard(this, "workspace-guard", { workspace: env.workspace, stackName: id });
    this.addOverride(`//.${POLICY_SETTINGS_KEY}.log_retention_floor_days`, env.logRetentionFloorDays);
    const imageTag = imageTagVariable(this, "the images (the Core API and the Workflow Engine)");

    this.key = new AppKey(this, "app-key", { naming });
    this.network = new Network(this, "network", {
      naming,
      region: env.region,
      encryptionKey: this.key,
      cidr: env.network.cidr,
      availabilityZones: env.network.availabilityZones ?? 3,
      natGateways: env.network.natGateways,
      isolatedSubnets: true,
      vpcEndpoints: true,
      // What the tasks and the functions in the VPC call: images, logs, secrets, the queue, the bus.
      endpoints: ["s3", "dynamodb", "ecr.api", "ecr.dkr", "logs", "secretsmanager", "sqs", "events"],
      flowLogRetentionDays: env.network.flowLogRetentionDays,
      networkAcls: { egressPorts: [443], isolatedPorts: [5432] },
    });

    const access = new AccessRoles(this, "access", env.access);
    // Set out of band by the operator role; each read only by what needs it.
    const operatorSet = (id: string, secretNames: readonly string[]) =>
      new RuntimeSecrets(this, id, {
        naming,
        encryptionKey: this.key,
        secretNames,
        recoveryWindowDays,
        writers: [access.operatorRoleArn],
        policyAdministrators: [access.breakGlassRoleArn],
      });
    this.secrets = operatorSet("secrets", OPERATOR_SECRETS);
    this.apiSecrets = operatorSet("api-secrets", API_SECRETS);
    this.webhookSecret = operatorSet("webhook-secret", [WEBHOOK_SECRET]);

    const db = env.database;
    this.database = within(
      env,
      "database",
      DATABASE_PROPS,
      () =>
        new AuroraPostgresCluster(this, "database", {
          naming,
          network: this.network,
          encryptionKey: this.key,
          instanceClass: db.instanceClass,
          serverlessCapacity: db.serverless,
          readers: db.readers,
          multiAz: db.multiAz,
          engineVersion: db.engineVersion,
          backupRetentionDays: db.backupRetentionDays,
          databaseName: db.databaseName,
          masterUsername: db.masterUsername,
          databaseInsights: db.databaseInsights,
          deletionProtection: env.deletionProtection,
          logRetentionDays: env.logRetentionDays,
          iamAuthentication: true,
        }),
    );
    this.migrations = new DatabaseMigrations(this, "migrations", {
      naming,
      database: this.database,
      host: this.database.endpoint,
      databaseResourceId: this.database.clusterResourceId,
      network: this.network,
      encryptionKey: this.key,
      code: bundleFunction({ entry: "functions/db-init/candlefish/handler.ts", name: "candlefish-db-init" }),
      migrationsDigest: migrationsDigest(CANDLEFISH_MIGRATIONS),
      dependsOn: this.database.instances,
      logRetentionDays: env.logRetentionDays,
      // The master secret through its endpoint, the database: nothing on the internet.
      internetEgress: false,
    });

    const pitr = env.deletionProtection ? 35 : 7;
    this.metrics = new DynamodbTable(this, "metrics", {
      naming,
      name: "metrics",
      attributes: { pk: "S" },
      partitionKey: "pk",
      ttlAttribute: "expiresAt",
      encryptionKey: this.key,
      deletionProtection: env.deletionProtection,
      pointInTimeRecoveryDays: pitr,
    });
    this.sessions = new DynamodbTable(this, "sessions", {
      naming,
      name: "sessions",
      attributes: { sessionId: "S", userId: "S" },
      partitionKey: "sessionId",
      globalIndexes: [{ name: "by-user", partitionKey: "userId", projection: "KEYS_ONLY" }],
      ttlAttribute: "expiresAt",
      encryptionKey: this.key,
      deletionProtection: env.deletionProtection,
      pointInTimeRecoveryDays: pitr,
    });

    this.bus = new EventBus(this, "events", { naming, name: "events", encryptionKey: this.key });
    // Visibility: six times the consumer's timeout (AWS's advice for Lambda consumers).
    const queue = (name: string, visibilityTimeoutSeconds: number) =>
      new EncryptedQueue(this, `${name}-queue`, {
        naming,
        name,
        encryptionKey: this.key,
        visibilityTimeoutSeconds,
      });
    this.queues = {
      "stage-gate": queue("stage-gate", 180),
      "wip-limit": queue("wip-limit", 180),
      workflow: queue("workflow", 300),
    };
    // The canary's answers wait a minute at most; an hour is plenty.
    this.canaryQueue = new EncryptedQueue(this, "canary-queue", {
      naming,
      name: "canary",
      encryptionKey: this.key,
      retentionSeconds: 3600,
    });
    for (const route of EVENT_ROUTES) {
      new QueueRule(this, `${route.rule}-rule`, {
        naming,
        name: route.rule,
        bus: this.bus,
        eventPattern: route.pattern,
        queue: route.queue === "canary" ? this.canaryQueue : this.queues[route.queue],
      });
    }

    const stages = JSON.stringify(env.stages);
    const namespace = `Candlefish/${prefix}`;
    const fn = (
      name: string,
      description: string,
      rest: Partial<ConstructorParameters<typeof LambdaFunction>[2]>,
    ) =>
      new LambdaFunction(this, name, {
        naming,
        name,
        description,
        code: bundleFunction({
          entry: `functions/candlefish/handlers/${name}.ts`,
          name: `candlefish-${name}`,
        }),
        encryptionKey: this.key,
        statements: [],
        logRetentionDays: env.logRetentionDays,
        ...rest,
      });
    const stageGate = fn("stage-gate-processor", "Checks stage changes against the gates", {
      environment: { EVENT_BUS_NAME: this.bus.busName, STAGES: stages },
      statements: [this.bus.putEventsStatement("PutDecisions", [SOURCES.workflow])],
    });
    stageGate.consumeQueue("stage-gate", this.queues["stage-gate"]);
    const wipLimit = fn("wip-limit-processor", "Counts items per stage against the WIP limits", {
      environment: {
        EVENT_BUS_NAME: this.bus.busName,
        STAGES: stages,
        METRICS_TABLE: this.metrics.tableName,
        METRIC_NAMESPACE: namespace,
      },
      statements: [
        this.bus.putEventsStatement("PutViolations", [SOURCES.workflow]),
        ...this.metrics.accessStatements("readWrite", "Counts"),
      ],
    });
    wipLimit.consumeQueue("wip-limit", this.queues["wip-limit"]);
    const webhook = fn("github-webhook", "Verifies GitHub webhook deliveries and puts them on the bus", {
      environment: {
        WEBHOOK_SECRET_ARN: this.webhookSecret.secretArns[0]!,
        EVENT_BUS_NAME: this.bus.busName,
        METRICS_TABLE: this.metrics.tableName,
      },
      statements: [
        this.bus.putEventsStatement("PutActivity", [SOURCES.github]),
        ...this.metrics.accessStatements("readWrite", "RecordDeliveries"),
      ],
      timeoutSeconds: 10,
    });
    this.webhookSecret.grantRead({ roleArn: webhook.roleArn, roleName: webhook.roleName });
    const unblock = fn("daily-unblock", "Asks to unblock items blocked too long", {
      environment: {
        DB_HOST: this.database.readerEndpoint,
        DB_PORT: String(this.database.port),
        DB_NAME: this.database.databaseName,
        BLOCKED_DAYS: String(env.dailyUnblock.blockedDays),
        EVENT_BUS_NAME: this.bus.busName,
        NODE_EXTRA_CA_CERTS: LAMBDA_AMAZON_CA_BUNDLE,
      },
      statements: [
        this.bus.putEventsStatement("PutUnblockRequests", [SOURCES.workflow]),
        this.database.connectStatement(UNBLOCK_DATABASE_USER),
      ],
      vpc: this.network,
      // The bus through its endpoint, the reader: nothing on the internet.
      internetEgress: false,
      timeoutSeconds: 120,
    });
    unblock.connections!.allowTo(this.database, this.database.port);
    const scheduleFailures = new EncryptedQueue(this, "schedule-failures", {
      naming,
      name: "schedule-failures",
      encryptionKey: this.key,
      retentionSeconds: 14 * 24 * 3600 - 3600,
    });
    new Schedule(this, "daily-unblock-schedule", {
      naming,
      name: "daily-unblock",
      scheduleExpression: env.dailyUnblock.schedule,
      timeZone: env.dailyUnblock.timeZone,
      functionArn: unblock.functionArn,
      encryptionKey: this.key,
      deadLetterQueue: scheduleFailures.asDeadLetter,
    });
    // The seed's "rotate API keys monthly": how old each secret's value is, daily, against secretMaxAgeDays.
    const secretArns = [
      ...this.secrets.secretArns,
      ...this.apiSecrets.secretArns,
      ...this.webhookSecret.secretArns,
    ];
    const secretAge = new LambdaFunction(this, "secret-age", {
      naming,
      name: "secret-age",
      description: "Reports SecretAgeDays for each secret set out of band",
      encryptionKey: this.key,
      environment: { SECRET_ARNS: JSON.stringify(secretArns), METRIC_NAMESPACE: namespace },
      statements: [
        { sid: "DescribeTheSecrets", actions: ["secretsmanager:DescribeSecret"], resources: secretArns },
      ],
      logRetentionDays: env.logRetentionDays,
    });
    new Schedule(this, "secret-age-schedule", {
      naming,
      name: "secret-age",
      scheduleExpression: "cron(0 6 * * ? *)",
      timeZone: "UTC",
      functionArn: secretAge.functionArn,
      encryptionKey: this.key,
      deadLetterQueue: scheduleFailures.asDeadLetter,
    });
    this.secretNames = [
      ...this.secrets.secretNames,
      ...this.apiSecrets.secretNames,
      ...this.webhookSecret.secretNames,
    ];
    this.functions = {
      "stage-gate-processor": stageGate,
      "wip-limit-processor": wipLimit,
      "github-webhook": webhook,
      "daily-unblock": unblock,
      "db-init": this.migrations.function,
      "secret-age": secretAge,
    };

    this.edge = new ApiDomain(this, "edge", {
      naming,
      network: this.network,
      domainName: env.edge.domainName,
      certificateArn: env.edge.certificateArn,
      hostedZoneName: env.edge.hostedZoneName,
      http: env.edge.http,
      targetPort: env.services.coreApi.containerPort,
      healthCheckPath: env.services.coreApi.healthCheckPath,
      deletionProtection: env.deletionProtection,
    });
    // GitHub's deliveries reach the function through the API's listener: its certificate and WAF.
    this.edge.loadBalancer.addFunctionRoute({
      key: "github-webhook",
      pathPatterns: ["/webhooks/github"],
      priority: 10,
      functionName: webhook.functionName,
      functionArn: webhook.functionArn,
    });
    if (env.waf) {
      this.waf = new WebAcl(this, "waf", {
        naming,
        resourceArns: [this.edge.albArn],
        encryptionKey: this.key,
        // GitHub's payloads often pass the common rule set's 8 KB body limit: that rule only labels, and
        // a rule of ours blocks what it labelled everywhere but on the webhook's path.
        rules: [
          ...DEFAULT_WAF_RULES.map((rule) =>
            rule.name === "common"
              ? {
                  ...rule,
                  managedRuleGroup: { ...rule.managedRuleGroup!, countOnly: ["SizeRestrictions_BODY"] },
                }
              : rule,
          ),
          {
            name: "body-size-outside-webhooks",
            priority: 25,
            action: "block",
            labelBlock: {
              label: "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body",
              exceptPathPrefix: "/webhooks/github",
            },
          },
        ],
        logRetentionDays: env.logRetentionDays,
      });
    }

    this.cluster = new EcsCluster(this, "cluster", { naming, name: "cluster" });
    const shutdown = env.autoShutdown;
    // The scaling bounds and log groups the operations script also uses (names.ts).
    const { scaling, logGroups } = candlefishNames(env);
    const schedules = ({ min, max }: { min: number; max: number }) =>
      shutdown
        ? [
            { name: "stop", schedule: shutdown.stop, timeZone: shutdown.timeZone, minCount: 0, maxCount: 0 },
            {
              name: "start",
              schedule: shutdown.start,
              timeZone: shutdown.timeZone,
              minCount: min,
              maxCount: max,
            },
          ]
        : undefined;
    const common = {
      naming,
      cluster: this.cluster,
      network: this.network,
      encryptionKey: this.key,
      secrets: this.secrets,
      imageTag: imageTag.stringValue,
      logRetentionDays: env.logRetentionDays,
    };
    const taskStatements = [
      this.database.connectStatement(API_DATABASE_USER, "ConnectToTheDatabase"),
      ...this.metrics.accessStatements("read", "ReadMetrics"),
    ];
    const api = env.services.coreApi;
    const serviceEnvironment = {
      EVENT_BUS_NAME: this.bus.busName,
      DB_HOST: this.database.endpoint,
      DB_PORT: String(this.database.port),
      DB_NAME: this.database.databaseName,
      DB_USER: API_DATABASE_USER,
      METRICS_TABLE: this.metrics.tableName,
      SESSIONS_TABLE: this.sessions.tableName,
      STAGES: stages,
    };
    this.coreApi = within(
      env,
      "services.coreApi",
      SERVICE_PROPS,
      () =>
        new FargateService(this, "core-api", {
          ...common,
          name: "core-api",
          repository: new ImageRepository(this, "core-api-image", {
            naming,
            name: "core-api",
            encryptionKey: this.key,
            keepImages: env.ecrKeepImages,
          }),
          logGroupName: logGroups["core-api"],
          secretsReaderKey: "core-api",
          cpu: api.cpu,
          memoryMiB: api.memoryMiB,
          desiredCount: api.desiredCount,
          containerPort: api.containerPort,
          environmentVariables: { ...serviceEnvironment, ...api.environmentVariables },
          loadBalancer: this.edge,
          additionalSecrets: [this.apiSecrets],
          taskStatements: [
            ...taskStatements,
            this.bus.putEventsStatement("PutRequests", [SOURCES.api]),
            ...this.sessions.accessStatements("readWrite", "Sessions"),
          ],
          autoscaling: {
            minCount: scaling["core-api"].min,
            maxCount: scaling["core-api"].max,
            schedules: schedules(scaling["core-api"]),
          },
        }),
    );
    const engine = env.services.workflowEngine;
    this.workflowEngine = within(
      env,
      "services.workflowEngine",
      SERVICE_PROPS,
      () =>
        new FargateService(this, "workflow-engine", {
          ...common,
          name: "workflow-engine",
          repository: new ImageRepository(this, "workflow-engine-image", {
            naming,
            name: "workflow-engine",
            encryptionKey: this.key,
            keepImages: env.ecrKeepImages,
          }),
          logGroupName: logGroups["workflow-engine"],
          secretsReaderKey: "workflow-engine",
          cpu: engine.cpu,
          memoryMiB: engine.memoryMiB,
          desiredCount: engine.desiredCount,
          command: engine.command,
          environmentVariables: {
            ...serviceEnvironment,
            WORKFLOW_QUEUE_URL: this.queues.workflow.queueUrl,
            ...engine.environmentVariables,
          },
          taskStatements: [
            ...taskStatements,
            this.bus.putEventsStatement("PutWorkflowEvents", [SOURCES.workflow]),
            ...this.queues.workflow.consumeStatements("ConsumeWorkflowEvents"),
          ],
          autoscaling: {
            minCount: scaling["workflow-engine"].min,
            maxCount: scaling["workflow-engine"].max,
            queueBacklog: {
              queueNames: [this.queues.workflow.queueName],
              messagesPerTask: engine.messagesPerTask,
            },
            schedules: schedules(scaling["workflow-engine"]),
          },
        }),
    );
    for (const service of [this.coreApi, this.workflowEngine]) {
      service.connections.allowTo(this.database, this.database.port);
    }

    this.canaries = this.addCanaries(stages);

    this.alerts = new Alerts(this, "alerts", { naming, encryptionKey: this.key, email: env.alertEmail });
    if (!env.alertEmail && env.deletionProtection) {
      Annotations.of(this).addWarning(
        `environment ${env.environment} has deletion protection but no alertEmail, so nobody is told when an alarm fires (the topic ${this.alerts.topicName} has no subscriber). Set alertEmail in its environment file, or subscribe to the topic yourself.`,
      );
    }
    const alarmArns = this.watch(scheduleFailures);
    this.dashboard = this.overview(alarmArns);
    if (env.autoShutdown) {
      // Off hours the canaries stop, and the alarms that stopped services would fire stay quiet.
      const quiet = [
        "alb-5xx-api",
        "queue-backlog-workflow",
        ...Object.keys(this.canaries).map((k) => `canary-failing-${k}`),
      ];
      new OffHours(this, "off-hours", {
        naming,
        timeZone: env.autoShutdown.timeZone,
        start: env.autoShutdown.start,
        stop: env.autoShutdown.stop,
        canaries: Object.fromEntries(Object.entries(this.canaries).map(([k, c]) => [k, c.canaryName])),
        alarmNames: quiet.map((name) => `${prefix}-${name}`),
        encryptionKey: this.key,
        deadLetterQueue: scheduleFailures.asDeadLetter,
      });
    }

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
      serviceLinkedRoleServices: ["rds.amazonaws.com"],
      attachablePolicyArns: ["arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"],
    });
    this.ci.boundary.applyToRolesIn(this);
    this.outputs();
  }

  /**
   * The seed's three canaries (README: Candlefish canaries), every 5 minutes, artifacts in the
   * environment's encrypted bucket.
   */
  private addCanaries(stages: string): Record<string, Canary> {
    const env = this.environment;
    const naming = { projectName: env.projectName, environment: env.environment };
    const artifacts = new CanaryArtifacts(this, "canary-artifacts", {
      naming,
      encryptionKey: this.key,
      forceDestroy: !env.deletionProtection,
    });
    const canary = (name: string, rest: Partial<ConstructorParameters<typeof Canary>[2]>) =>
      new Canary(this, `${name}-canary`, {
        naming,
        name,
        artifacts,
        code: bundleFunction({
          entry: `functions/candlefish/handlers/canary-${name}.ts`,
          name: `candlefish-canary-${name}`,
        }),
        ...rest,
      });
    const wipQueue = this.queues["wip-limit"];
    return {
      "api-health": canary("api-health", { environment: { API_URL: this.edge.url }, timeoutSeconds: 30 }),
      "stage-gate": canary("stage-gate", {
        environment: { EVENT_BUS_NAME: this.bus.busName, CANARY_QUEUE_URL: this.canaryQueue.queueUrl },
        statements: [
          this.bus.putEventsStatement("PutTheRequest", [SOURCES.api]),
          ...this.canaryQueue.consumeStatements("ReadTheAnswer"),
        ],
        timeoutSeconds: 90,
      }),
      "wip-limit": canary("wip-limit", {
        environment: {
          METRICS_TABLE: this.metrics.tableName,
          STAGES: stages,
          DEAD_LETTER_QUEUE_URL: wipQueue.deadLetterQueueUrl,
        },
        statements: [
          { sid: "ReadTheCounts", actions: ["dynamodb:BatchGetItem"], resources: [this.metrics.tableArn] },
          {
            sid: "ReadTheCountsKey",
            actions: ["kms:Decrypt"],
            resources: [this.metrics.keyArn],
            conditions: { StringLike: { "kms:ViaService": "dynamodb.*.amazonaws.com" } },
          },
          {
            sid: "CountDeadLetters",
            actions: ["sqs:GetQueueAttributes"],
            resources: [wipQueue.deadLetterQueueArn],
          },
        ],
        timeoutSeconds: 30,
      }),
    };
  }

  /** Every alarm's ARN, for the dashboard's alarm row. */
  private watch(scheduleFailures: EncryptedQueue): string[] {
    const services = Object.entries({ "core-api": this.coreApi, "workflow-engine": this.workflowEngine }).map(
      ([key, service]): AlarmTarget => ({
        kind: "ecsService",
        key,
        dimensions: { ClusterName: service.clusterName, ServiceName: service.serviceName },
      }),
    );
    const functions = Object.entries(this.functions).map(
      ([key, fn]): AlarmTarget => ({
        kind: "lambdaFunction",
        key,
        dimensions: { FunctionName: fn.functionName },
      }),
    );
    const queues = Object.entries(this.queues).flatMap(([key, queue]): AlarmTarget[] => [
      { kind: "queue", key, dimensions: { QueueName: queue.queueName } },
      { kind: "deadLetterQueue", key, dimensions: { QueueName: queue.deadLetterQueueName } },
    ]);
    const alarms = this.alerts.watch(
      [
        ...services,
        { kind: "loadBalancer", key: "api", dimensions: { LoadBalancer: this.edge.albArnSuffix } },
        {
          kind: "targetGroup",
          key: "api",
          dimensions: { LoadBalancer: this.edge.albArnSuffix, TargetGroup: this.edge.targetGroupArnSuffix },
        },
        ...functions,
        ...queues,
        ...Object.entries(this.canaries).map(
          ([key, canary]): AlarmTarget => ({
            kind: "canary",
            key,
            dimensions: { CanaryName: canary.canaryName },
          }),
        ),
        // A failed schedule run lands in its failure queue: any message there is a dead letter.
        {
          kind: "deadLetterQueue",
          key: "schedule-failures",
          dimensions: { QueueName: scheduleFailures.queueName },
        },
        {
          kind: "dbCluster",
          key: "aurora",
          dimensions: { DBClusterIdentifier: this.database.identifier, Role: "WRITER" },
          ...(this.database.connectionsAlarmThreshold === undefined
            ? {}
            : { thresholds: { "db-connections-high": this.database.connectionsAlarmThreshold } }),
        },
      ],
      [
        ...SERVICE_ALARMS,
        ...WEB_ALARMS,
        ...FUNCTION_ALARMS,
        ...QUEUE_ALARMS,
        ...CLUSTER_ALARMS,
        ...CANARY_ALARMS,
      ],
    );
    // The wip-limit-processor reports violations per stage; one alarm per stage with a limit.
    for (const stage of this.environment.stages.filter((s) => s.wipLimit !== undefined)) {
      const wip = this.alerts.addAlarm(`wip-violations-${stage.key}`, {
        name: `wip-violations-${stage.key}`,
        description: `The ${stage.key} stage holds more items than its WIP limit (${stage.wipLimit}). Finish items in ${stage.key} before starting new ones.`,
        namespace: `Candlefish/${this.environment.projectName}-${this.environment.environment}`,
        metricName: "WipLimitViolations",
        dimensions: { Stage: stage.key },
        statistic: "Sum",
        comparison: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        periodSeconds: 300,
        evaluationPeriods: 1,
        treatMissingData: "notBreaching",
      });
      alarms.push(wip);
    }
    for (const secretName of this.secretNames) {
      const key = secretName.slice(secretName.indexOf("/") + 1);
      alarms.push(
        this.alerts.addAlarm(`secret-age-${key}`, {
          name: `secret-age-${key}`,
          description: `The value of ${secretName} changed more than ${this.environment.secretMaxAgeDays} days ago (secretMaxAgeDays). Issue a new one where it comes from and put it (aws secretsmanager put-secret-value).`,
          namespace: `Candlefish/${this.environment.projectName}-${this.environment.environment}`,
          metricName: "SecretAgeDays",
          dimensions: { SecretName: secretName },
          statistic: "Maximum",
          comparison: "GreaterThanThreshold",
          threshold: this.environment.secretMaxAgeDays,
          periodSeconds: 86400,
          evaluationPeriods: 1,
          treatMissingData: "missing",
        }),
      );
    }
    return alarms.map((a) => a.arn);
  }

  /**
   * The seed's dashboard: ECS CPU, memory and tasks; load balancer latency and errors; database
   * connections and latency; Lambda duration and errors; queue depth and age; alarm states on top.
   */
  private overview(alarmArns: readonly string[]): CloudwatchDashboard {
    const env = this.environment;
    const services = { "Core API": this.coreApi, "Workflow Engine": this.workflowEngine };
    const perService = (namespace: string, metricName: string, stat: string): DashboardMetric[] =>
      Object.entries(services).map(([label, service]) => ({
        namespace,
        metricName,
        dimensions: { ClusterName: service.clusterName, ServiceName: service.serviceName },
        stat,
        label,
      }));
    const alb = { LoadBalancer: this.edge.albArnSuffix };
    const cluster = { DBClusterIdentifier: this.database.identifier };
    const perFunction = (metricName: string, stat: string): DashboardMetric[] =>
      Object.values(this.functions).map((fn) => ({
        namespace: "AWS/Lambda",
        metricName,
        dimensions: { FunctionName: fn.functionName },
        stat,
        label: fn.functionName.replace(`${env.projectName}-${env.environment}-`, ""),
      }));
    const perQueue = (metricName: string, stat: string, deadLetter = false): DashboardMetric[] =>
      Object.entries(this.queues).map(([key, queue]) => ({
        namespace: "AWS/SQS",
        metricName,
        dimensions: { QueueName: deadLetter ? queue.deadLetterQueueName : queue.queueName },
        stat,
        label: deadLetter ? `${key} (dead letters)` : key,
      }));
    return new CloudwatchDashboard(this, "dashboard", {
      naming: { projectName: env.projectName, environment: env.environment },
      region: env.region,
      alarmArns,
      sections: [
        {
          title: "Services (ECS)",
          graphs: [
            { title: "CPU utilization (%)", metrics: perService("AWS/ECS", "CPUUtilization", "Average") },
            {
              title: "Memory utilization (%)",
              metrics: perService("AWS/ECS", "MemoryUtilization", "Average"),
            },
            {
              title: "Running tasks",
              metrics: perService("ECS/ContainerInsights", "RunningTaskCount", "Average"),
              periodSeconds: 60,
            },
          ],
        },
        {
          title: "Load balancer",
          graphs: [
            {
              title: "Response time (s)",
              metrics: [
                {
                  namespace: "AWS/ApplicationELB",
                  metricName: "TargetResponseTime",
                  dimensions: alb,
                  stat: "p50",
                  label: "p50",
                },
                {
                  namespace: "AWS/ApplicationELB",
                  metricName: "TargetResponseTime",
                  dimensions: alb,
                  stat: "p99",
                  label: "p99",
                },
              ],
            },
            {
              title: "Errors",
              metrics: [
                {
                  namespace: "AWS/ApplicationELB",
                  metricName: "HTTPCode_ELB_5XX_Count",
                  dimensions: alb,
                  stat: "Sum",
                  label: "load balancer 5xx",
                },
                {
                  namespace: "AWS/ApplicationELB",
                  metricName: "HTTPCode_Target_5XX_Count",
                  dimensions: alb,
                  stat: "Sum",
                  label: "targets 5xx",
                },
                {
                  namespace: "AWS/ApplicationELB",
                  metricName: "HTTPCode_Target_4XX_Count",
                  dimensions: alb,
                  stat: "Sum",
                  label: "targets 4xx",
                },
              ],
            },
            {
              title: "Requests",
              metrics: [
                {
                  namespace: "AWS/ApplicationELB",
                  metricName: "RequestCount",
                  dimensions: alb,
                  stat: "Sum",
                  label: "requests",
                },
              ],
            },
          ],
        },
        {
          title: "Database (Aurora)",
          graphs: [
            {
              title: "Connections",
              metrics: [
                {
                  namespace: "AWS/RDS",
                  metricName: "DatabaseConnections",
                  dimensions: cluster,
                  stat: "Maximum",
                  label: "connections",
                },
              ],
            },
            {
              title: "Latency (s)",
              metrics: [
                {
                  namespace: "AWS/RDS",
                  metricName: "ReadLatency",
                  dimensions: { ...cluster, Role: "WRITER" },
                  stat: "Average",
                  label: "read (writer)",
                },
                {
                  namespace: "AWS/RDS",
                  metricName: "WriteLatency",
                  dimensions: { ...cluster, Role: "WRITER" },
                  stat: "Average",
                  label: "write (writer)",
                },
                {
                  namespace: "AWS/RDS",
                  metricName: "CommitLatency",
                  dimensions: cluster,
                  stat: "Average",
                  label: "commit",
                },
              ],
            },
            {
              title: "Writer CPU (%)",
              metrics: [
                {
                  namespace: "AWS/RDS",
                  metricName: "CPUUtilization",
                  dimensions: { ...cluster, Role: "WRITER" },
                  stat: "Average",
                  label: "CPU",
                },
              ],
            },
          ],
        },
        {
          title: "Functions (Lambda)",
          graphs: [
            { title: "Duration p95 (ms)", metrics: perFunction("Duration", "p95") },
            { title: "Function errors", metrics: perFunction("Errors", "Sum") },
            { title: "Function throttles", metrics: perFunction("Throttles", "Sum") },
          ],
        },
        {
          title: "Queues (SQS)",
          graphs: [
            {
              title: "Messages waiting",
              metrics: perQueue("ApproximateNumberOfMessagesVisible", "Maximum"),
              stacked: true,
            },
            { title: "Oldest message (s)", metrics: perQueue("ApproximateAgeOfOldestMessage", "Maximum") },
            {
              title: "Dead letters",
              metrics: perQueue("ApproximateNumberOfMessagesVisible", "Maximum", true),
            },
          ],
        },
      ],
    });
  }

  private outputs(): void {
    const out = (id: string, value: string | string[], description: string) =>
      new TerraformOutput(this, id, { value, description });
    out("vpc_id", this.network.vpcId, "ID of the VPC");
    out(
      "private_subnet_ids",
      this.network.privateSubnetIds,
      "Private subnets the tasks and functions run in",
    );
    out("data_subnet_ids", this.network.isolatedSubnetIds, "Data subnets of the database (no route out)");
    out("kms_key_arn", this.key.keyArn, "ARN of the environment's KMS key");
    out("ecs_cluster_name", this.cluster.clusterName, "ECS cluster of the Core API and the Workflow Engine");
    out("core_api_service_name", this.coreApi.serviceName, "ECS service of the Core API");
    out(
      "workflow_engine_service_name",
      this.workflowEngine.serviceName,
      "ECS service of the Workflow Engine",
    );
    out("core_api_repository_url", this.coreApi.repositoryUrl, "Push the Core API's image here");
    out(
      "workflow_engine_repository_url",
      this.workflowEngine.repositoryUrl,
      "Push the Workflow Engine's image here",
    );
    out("api_url", this.edge.url, "Base URL of the API");
    out("github_webhook_url", `${this.edge.url}/webhooks/github`, "Payload URL of the GitHub webhook");
    out("alb_dns_name", this.edge.albDnsName, "DNS name of the load balancer");
    out("event_bus_name", this.bus.busName, "The event bus");
    out("db_cluster_identifier", this.database.identifier, "Aurora cluster (aws rds describe-db-clusters)");
    out("db_endpoint", this.database.endpoint, "Writer endpoint of the cluster (private)");
    out("db_reader_endpoint", this.database.readerEndpoint, "Reader endpoint of the cluster (private)");
    out(
      "db_security_group_id",
      this.database.securityGroupId,
      "Security group of the cluster (a restored cluster gets it too)",
    );
    out("db_master_secret_arn", this.database.masterUserSecretArn, "Secret RDS keeps the master password in");
    out("metrics_table_name", this.metrics.tableName, "DynamoDB table of the real-time metrics");
    out("sessions_table_name", this.sessions.tableName, "DynamoDB table of the sessions");
    out("secret_names", [...this.secretNames], "Secrets an operator sets values for (put-secret-value)");
    out("alerts_topic_arn", this.alerts.topicArn, "SNS topic of the alarms");
    out(
      "dashboard_url",
      this.dashboard.url,
      "The CloudWatch dashboard (npm run ops -- dashboard <stack> opens it)",
    );
    out(
      "ci_plan_role_arn",
      this.ci.planRoleArn,
      "Role for CI plans: set as the GitHub repository variable AWS_PLAN_ROLE_ARN_CANDLEFISH_<ENV>",
    );
    out(
      "ci_deploy_role_arn",
      this.ci.deployRoleArn,
      "Role for CI applies: set as the GitHub environment variable AWS_DEPLOY_ROLE_ARN_CANDLEFISH",
    );
  }
}

const SERVICE_PROPS = [
  "cpu",
  "memoryMiB",
  "desiredCount",
  "containerPort",
  "environmentVariables",
  "command",
];
const DATABASE_PROPS = [
  "instanceClass",
  "serverlessCapacity",
  "readers",
  "multiAz",
  "engineVersion",
  "backupRetentionDays",
  "databaseName",
  "masterUsername",
  "databaseInsights",
];

/** Builds a construct whose props are the settings under `prefix` (`serverlessCapacity` is the file's `database.serverless`). */
function within<T>(env: CandlefishEnvironment, prefix: string, props: readonly string[], build: () => T): T {
  return withinSettings(env, prefix, props, build, { serverlessCapacity: "serverless" });
}
