/**
 * Freeside (seed 002) as its environment files build it: the seed's names, sizes and network, the
 * capacity strategies, the HTTPS-only edge, the secrets, the alarms, the addresses of its stateful
 * resources, and the errors a bad setting gets.
 */
import { describe, expect, test } from "vitest";
import { loadStateStores } from "../../environments";
import { FREESIDE_FILES } from "../../stacks/freeside/platform";
import { synthFreeside } from "../support/platform";
import { parsed, resourcesOf, type TerraformJson } from "../support/synth";

const build = (files = FREESIDE_FILES) => synthFreeside(files);
const stacks = build();
const production = stacks["freeside-production"]!;
const staging = stacks["freeside-staging"]!;

const values = (json: TerraformJson, type: string) => Object.values(resourcesOf(json, type));
const named = (json: TerraformJson, type: string, name: string) =>
  values(json, type).find((r) => r.name === name || r.family === name);
const withFile = (source: string, change: (input: any) => void) =>
  FREESIDE_FILES.map((f) => {
    if (f.source !== source) return f;
    const input = structuredClone(f.input) as any;
    change(input);
    return { input, source };
  });

describe("Freeside production: the seed's resources and names", () => {
  test("the network: 10.0.0.0/16, the seed's four subnets, one NAT gateway, flow logs, five endpoints", () => {
    expect(values(production, "aws_vpc")[0].cidr_block).toBe("10.0.0.0/16");
    expect(
      values(production, "aws_subnet")
        .map((s) => s.cidr_block)
        .sort(),
    ).toEqual(["10.0.1.0/24", "10.0.101.0/24", "10.0.102.0/24", "10.0.2.0/24"]);
    expect(values(production, "aws_nat_gateway")).toHaveLength(1);
    expect(values(production, "aws_flow_log")).toHaveLength(1);
    expect(
      values(production, "aws_vpc_endpoint")
        .map((e) => e.service_name)
        .sort(),
    ).toEqual([
      "com.amazonaws.us-east-1.ecr.api",
      "com.amazonaws.us-east-1.ecr.dkr",
      "com.amazonaws.us-east-1.logs",
      "com.amazonaws.us-east-1.s3",
      "com.amazonaws.us-east-1.secretsmanager",
    ]);
  });

  test("one cluster with Fargate and Fargate Spot, Container Insights on", () => {
    expect(values(production, "aws_ecs_cluster")).toEqual([
      expect.objectContaining({ name: "arrakis-production-cluster" }),
    ]);
    expect(values(production, "aws_ecs_cluster")[0].setting).toEqual([
      { name: "containerInsights", value: "enabled" },
    ]);
    expect(values(production, "aws_ecs_cluster_capacity_providers")[0].capacity_providers).toEqual([
      "FARGATE",
      "FARGATE_SPOT",
    ]);
  });

  test("the API: 512 CPU, 1024 MiB, 2 tasks behind the load balancer, circuit breaker with rollback", () => {
    expect(named(production, "aws_ecs_task_definition", "arrakis-production-api")).toMatchObject({
      cpu: "512",
      memory: "1024",
    });
    const api = named(production, "aws_ecs_service", "arrakis-production-api");
    expect(api).toMatchObject({
      desired_count: 2,
      deployment_circuit_breaker: { enable: true, rollback: true },
      force_new_deployment: true,
      capacity_provider_strategy: [{ capacity_provider: "FARGATE", weight: 1 }],
    });
    expect(api.load_balancer).toHaveLength(1);
  });

  test("the worker: 256 CPU, 512 MiB, 1 task on Spot first, the API's image with its own command, no inbound", () => {
    const definition = named(production, "aws_ecs_task_definition", "arrakis-production-worker");
    expect(definition).toMatchObject({ cpu: "256", memory: "512" });
    const container = parsed(definition.container_definitions)[0];
    expect(container.command).toEqual(["node", "dist/worker.js"]);
    const api = parsed(
      named(production, "aws_ecs_task_definition", "arrakis-production-api").container_definitions,
    )[0];
    expect(container.image).toBe(api.image);
    expect(api.command).toBeUndefined();
    const worker = named(production, "aws_ecs_service", "arrakis-production-worker");
    expect(worker).toMatchObject({
      desired_count: 1,
      capacity_provider_strategy: [
        { capacity_provider: "FARGATE_SPOT", weight: 1 },
        { capacity_provider: "FARGATE", weight: 0 },
      ],
      deployment_circuit_breaker: { enable: true, rollback: true },
    });
    expect(worker.load_balancer).toBeUndefined();
    const workerGroup = worker.network_configuration.security_groups[0] as string;
    const inbound = values(production, "aws_vpc_security_group_ingress_rule").filter(
      (rule) => rule.security_group_id === workerGroup,
    );
    expect(inbound).toEqual([]);
  });

  test("one ECR repository (scan on push, immutable tags, the last 10 images) that both services run", () => {
    const repositories = values(production, "aws_ecr_repository");
    expect(repositories).toHaveLength(1);
    expect(repositories[0]).toMatchObject({
      name: "arrakis-production-api",
      image_tag_mutability: "IMMUTABLE",
      image_scanning_configuration: { scan_on_push: true },
    });
    expect(
      parsed(values(production, "aws_ecr_lifecycle_policy")[0].policy).rules[0].selection.countNumber,
    ).toBe(10);
  });

  test("log groups /ecs/arrakis-production/api and .../worker, encrypted, 90 days", () => {
    for (const name of ["/ecs/arrakis-production/api", "/ecs/arrakis-production/worker"]) {
      expect(named(production, "aws_cloudwatch_log_group", name)).toMatchObject({
        retention_in_days: 90,
        kms_key_id: expect.stringMatching(/aws_kms_key\./),
      });
    }
  });

  test("the secrets the seed lists, readable by the two services' execution roles only", () => {
    expect(
      values(production, "aws_secretsmanager_secret")
        .map((s) => s.name)
        .sort(),
    ).toEqual([
      "arrakis-production/app-config",
      "arrakis-production/db-credentials",
      "arrakis-production/redis-credentials",
      "arrakis-production/vault-token",
    ]);
    const readers = Object.keys(resourcesOf(production, "aws_iam_role_policy")).filter((n) =>
      n.startsWith("secrets_read-"),
    );
    expect(readers.map((n) => n.replace(/_[0-9A-F]{8}$/, "")).sort()).toEqual([
      "secrets_read-api",
      "secrets_read-worker",
    ]);
  });

  test("the edge: HTTPS with TLS 1.2+, port 80 redirects, deletion protection, a certificate from the zone", () => {
    const listeners = values(production, "aws_lb_listener");
    expect(listeners.map((l) => l.port).sort()).toEqual([443, 80]);
    expect(listeners.find((l) => l.port === 80).default_action[0].type).toBe("redirect");
    expect(values(production, "aws_lb")[0].enable_deletion_protection).toBe(true);
    expect(values(production, "aws_acm_certificate")[0]).toMatchObject({
      domain_name: "api.freeside.example.com",
      validation_method: "DNS",
    });
  });

  test("alarms from the catalogue: CPU and memory per service, the load balancer's 5xx, target 5xx, unhealthy hosts, the database's CPU, free storage and connections, the cache node's CPU, memory and evictions", () => {
    const alarms = values(production, "aws_cloudwatch_metric_alarm");
    expect(alarms.map((a) => a.alarm_name).sort()).toEqual([
      "arrakis-production-alb-5xx-api",
      "arrakis-production-cache-cpu-high-001",
      "arrakis-production-cache-evictions-001",
      "arrakis-production-cache-memory-high-001",
      "arrakis-production-cpu-high-api",
      "arrakis-production-cpu-high-worker",
      "arrakis-production-db-connections-high-postgres",
      "arrakis-production-db-cpu-high-postgres",
      "arrakis-production-db-credentials-rotation-errors",
      "arrakis-production-db-free-storage-low-postgres",
      "arrakis-production-memory-high-api",
      "arrakis-production-memory-high-worker",
      "arrakis-production-target-5xx-api",
      "arrakis-production-unhealthy-hosts-api",
    ]);
    for (const alarm of alarms) {
      expect(alarm.alarm_actions).toEqual(alarm.ok_actions);
      expect(alarm.alarm_actions).toEqual([expect.stringMatching(/aws_sns_topic\.alerts_topic/)]);
    }
    expect(alarms.find((a) => a.alarm_name.endsWith("cpu-high-worker")).dimensions).toEqual({
      ClusterName: expect.stringMatching(/aws_ecs_cluster\./),
      ServiceName: expect.stringMatching(/aws_ecs_service\.worker_service/),
    });
  });

  test("its state is in the Freeside store, key freeside-production/terraform.tfstate, in workspace production", () => {
    const store = loadStateStores().freeside!;
    expect(production.terraform?.backend?.s3).toMatchObject({
      bucket: store.bucketName,
      dynamodb_table: store.lockTableName,
      key: "freeside-production/terraform.tfstate",
      use_lockfile: true,
    });
    expect(production.provider?.aws[0].allowed_account_ids).toEqual(["891376933289"]);
  });
});

describe("Freeside production: the database", () => {
  const db = values(production, "aws_db_instance")[0];

  test("arrakis-production-postgres: db.t3.small, 20 GB autoscaling to 100, PostgreSQL 15 with RDS's minor upgrades", () => {
    expect(db).toMatchObject({
      identifier: "arrakis-production-postgres",
      instance_class: "db.t3.small",
      allocated_storage: 20,
      max_allocated_storage: 100,
      engine: "postgres",
      engine_version: "15",
      auto_minor_version_upgrade: true,
      db_name: "arrakis",
    });
  });

  test("private, encrypted, TLS only, 7-day backups, deletion protection, RDS-managed master password", () => {
    expect(db).toMatchObject({
      publicly_accessible: false,
      storage_encrypted: true,
      backup_retention_period: 7,
      deletion_protection: true,
      manage_master_user_password: true,
      final_snapshot_identifier: "arrakis-production-postgres-final",
    });
    expect(values(production, "aws_db_parameter_group")[0].parameter).toEqual([
      { name: "rds.force_ssl", value: "1" },
    ]);
  });

  test("only the API's and the worker's tasks, and the credentials rotation, reach it, on 5432", () => {
    const group = db.vpc_security_group_ids[0] as string;
    const inbound = values(production, "aws_vpc_security_group_ingress_rule").filter(
      (r) => r.security_group_id === group,
    );
    const services = ["arrakis-production-api", "arrakis-production-worker"].map(
      (name) => named(production, "aws_ecs_service", name).network_configuration.security_groups[0],
    );
    const rotation = values(production, "aws_lambda_function").find(
      (f) => f.function_name === "arrakis-production-db-credentials-rotation",
    ).vpc_config.security_group_ids[0];
    expect(inbound.map((r) => r.referenced_security_group_id).sort()).toEqual([...services, rotation].sort());
    expect(
      inbound.every((r) => r.from_port === 5432 && r.to_port === 5432 && r.cidr_ipv4 === undefined),
    ).toBe(true);
  });

  test("the deploy role's boundary lets RDS create its service-linked role", () => {
    const boundary = parsed(values(production, "aws_iam_policy")[0].policy);
    const statement = boundary.Statement.find((st: any) => st.Sid === "DenyOtherServiceLinkedRoles");
    expect(statement.Condition.StringNotEquals["iam:AWSServiceName"]).toContain("rds.amazonaws.com");
  });
});

describe("Freeside production: the cache and its connection secret", () => {
  const cache = values(production, "aws_elasticache_replication_group")[0];

  test("arrakis-production-cache: Redis OSS 7 on cache.t3.micro, encrypted at rest and in transit, IAM users only", () => {
    expect(cache).toMatchObject({
      replication_group_id: "arrakis-production-cache",
      engine: "redis",
      engine_version: "7.1",
      node_type: "cache.t3.micro",
      num_cache_clusters: 1,
      automatic_failover_enabled: false,
      at_rest_encryption_enabled: "true",
      transit_encryption_enabled: true,
      transit_encryption_mode: "required",
    });
    expect(cache.auth_token).toBeUndefined();
  });

  test("redis-credentials holds the endpoint, the user and the rediss:// URL, and no password", () => {
    const value = parsed(values(production, "aws_secretsmanager_secret_version")[0].secret_string);
    expect(value).toEqual({
      host: expect.stringMatching(/primary_endpoint_address/),
      port: 6379,
      user: "arrakis-production-cache-app",
      url: expect.stringMatching(/^rediss:\/\/arrakis-production-cache-app@\$\{.+\}:6379$/),
      tls: "required",
      authentication: "iam",
    });
  });

  test("each task role may connect as the cache's user and read the connection secret; both services reach 6379", () => {
    const policies = Object.entries(resourcesOf(production, "aws_iam_role_policy"));
    for (const prefix of ["cache_connect-", "redis-credentials_read-"]) {
      const granted = policies.filter(([n]) => n.startsWith(prefix)).map(([, p]) => p.role as string);
      expect(granted).toHaveLength(2);
      expect(granted.every((r) => /aws_iam_role\.(api|worker)_task-role_/.test(r))).toBe(true);
    }
    const group = cache.security_group_ids[0] as string;
    const inbound = values(production, "aws_vpc_security_group_ingress_rule").filter(
      (r) => r.security_group_id === group,
    );
    expect(inbound.map((r) => r.from_port)).toEqual([6379, 6379]);
  });
});

describe("Freeside staging: reduced", () => {
  test("its own address range, one small API task, everything on Spot", () => {
    expect(values(staging, "aws_vpc")[0].cidr_block).toBe("10.1.0.0/16");
    expect(named(staging, "aws_ecs_service", "arrakis-staging-api")).toMatchObject({
      desired_count: 1,
      capacity_provider_strategy: [{ capacity_provider: "FARGATE_SPOT", weight: 1 }],
    });
    expect(named(staging, "aws_ecs_task_definition", "arrakis-staging-api")).toMatchObject({
      cpu: "256",
      memory: "512",
    });
  });

  test("port 80 closed: no HTTP listener, no port-80 rule; no deletion protection", () => {
    expect(values(staging, "aws_lb_listener").map((l) => l.port)).toEqual([443]);
    expect(values(staging, "aws_vpc_security_group_ingress_rule").some((r) => r.from_port === 80)).toBe(
      false,
    );
    expect(values(staging, "aws_lb")[0].enable_deletion_protection).toBe(false);
  });
});

describe("Freeside: the connections alarm follows the instance class", () => {
  test.each([
    ["production", "db.t3.small", 134],
    ["staging", "db.t4g.micro", 67],
  ])("%s (%s): more than %i connections", (environment, instanceClass, threshold) => {
    const json = stacks[`freeside-${environment}`]!;
    expect(values(json, "aws_db_instance")[0].instance_class).toBe(instanceClass);
    const alarm = values(json, "aws_cloudwatch_metric_alarm").find(
      (a) => a.alarm_name === `arrakis-${environment}-db-connections-high-postgres`,
    );
    expect(alarm.threshold).toBe(threshold);
    expect(alarm.alarm_description).toContain(`more than ${threshold} connections`);
  });
});

describe("Freeside production: the db-credentials secret and its rotation", () => {
  const secretKey = "db-credentials_secret_DE8E0867";
  const fn = () =>
    values(production, "aws_lambda_function").find(
      (f) => f.function_name === "arrakis-production-db-credentials-rotation",
    );

  test("the secret has no value in the configuration (so none in state): its rotation writes it, first when it is created", () => {
    const versions = Object.values(resourcesOf(production, "aws_secretsmanager_secret_version")) as any[];
    expect(versions.some((v) => String(v.secret_id).includes(secretKey))).toBe(false);
    const [rotation] = values(production, "aws_secretsmanager_secret_rotation");
    expect(rotation).toMatchObject({
      secret_id: `\${aws_secretsmanager_secret.${secretKey}.id}`,
      rotate_immediately: true,
      rotation_rules: { automatically_after_days: 30 },
    });
    expect(rotation.rotation_lambda_arn).toMatch(
      /^\$\{aws_lambda_function\.db-credentials_function_.*\.arn\}$/,
    );
  });

  test("the services wait for an invocation that returns once current credentials log in; the rotation waits for the redeploy permissions and follows a replaced instance", () => {
    const [invocation] = values(production, "aws_lambda_invocation");
    expect(JSON.parse(invocation.input)).toEqual({ action: "await-current" });
    expect(invocation.depends_on).toEqual([expect.stringMatching(/^aws_secretsmanager_secret_rotation\./)]);
    expect(invocation.lifecycle.replace_triggered_by).toEqual([
      expect.stringMatching(/^aws_secretsmanager_secret_rotation\.db-credentials_rotation_[0-9A-F]{8}$/),
    ]);
    const [rotation] = values(production, "aws_secretsmanager_secret_rotation");
    expect(rotation.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^aws_iam_role_policy\.db-credentials_redeploy-api_[0-9A-F]{8}$/),
        expect.stringMatching(/^aws_iam_role_policy\.db-credentials_redeploy-worker_[0-9A-F]{8}$/),
      ]),
    );
    expect(rotation.lifecycle.replace_triggered_by).toEqual([
      "aws_db_instance.database_instance_D7FC2283.resource_id",
    ]);
  });

  test("the function runs in the private subnets, reaches the database, and is told where everything is", () => {
    const f = fn();
    expect(f.vpc_config.subnet_ids).toHaveLength(2);
    expect(String(f.vpc_config.subnet_ids)).toContain("private");
    expect(f.environment.variables).toMatchObject({
      SECRET_ARN: `\${aws_secretsmanager_secret.${secretKey}.arn}`,
      MASTER_SECRET_ARN: expect.stringMatching(
        /aws_db_instance\.database_instance_D7FC2283\.master_user_secret\[0\]\.secret_arn/,
      ),
      DB_HOST: "${aws_db_instance.database_instance_D7FC2283.address}",
      DB_PORT: "5432",
      DB_NAME: "arrakis",
      APP_ROLE: "arrakis_app",
      NODE_EXTRA_CA_CERTS: "/var/runtime/ca-cert.pem",
      REDEPLOY_SERVICES:
        "arrakis-production-cluster/arrakis-production-api,arrakis-production-cluster/arrakis-production-worker",
    });
    expect(f.timeout).toBe(60);
  });

  test("the function may rotate its secret, read the master secret and redeploy the two services, nothing else", () => {
    const policies = Object.entries(resourcesOf(production, "aws_iam_role_policy"))
      .filter(([address]) => address.startsWith("db-credentials_"))
      .map(([, p]: [string, any]) => ({ name: p.name, statements: parsed(p.policy).Statement }));
    const redeploy = policies.filter((p) => p.name.startsWith("redeploy-"));
    expect(redeploy.map((p) => p.statements[0].Resource).sort()).toEqual([
      expect.stringMatching(/:service\/arrakis-production-cluster\/arrakis-production-api$/),
      expect.stringMatching(/:service\/arrakis-production-cluster\/arrakis-production-worker$/),
    ]);
    expect(redeploy.every((p) => p.statements[0].Action === "ecs:UpdateService")).toBe(true);
    const own = policies.find((p) => p.name === "rotate-db-credentials")!.statements;
    expect(own.find((st: any) => st.Sid === "ReadTheMasterSecret")).toMatchObject({
      Action: "secretsmanager:GetSecretValue",
      Resource: expect.stringMatching(/master_user_secret\[0\]\.secret_arn/),
    });
  });

  test("the tasks get DATABASE_URL from the secret's url, are created after the first rotation, and are the only readers besides the function", () => {
    for (const name of ["api", "worker"]) {
      const task = named(production, "aws_ecs_task_definition", `arrakis-production-${name}`);
      const [container] = JSON.parse(task.container_definitions);
      expect(container.secrets).toContainEqual({
        name: "DATABASE_URL",
        valueFrom: `\${aws_secretsmanager_secret.${secretKey}.arn}:url::`,
      });
      const service = named(production, "aws_ecs_service", `arrakis-production-${name}`);
      expect(service.depends_on).toContainEqual(
        expect.stringMatching(/^aws_lambda_invocation\.db-credentials_first-credentials_/),
      );
    }
    const policy = values(production, "aws_secretsmanager_secret_policy").find((p) =>
      String(p.secret_arn).includes(secretKey),
    );
    const statements = parsed(policy.policy).Statement;
    const readers = statements.find((st: any) => st.Sid === "OnlyReadersReadTheValue").Condition.ArnNotLike[
      "aws:PrincipalArn"
    ];
    expect(readers).toHaveLength(3);
    expect(readers.join(" ")).toMatch(
      /db-credentials_function_role.*api_execution-role.*worker_execution-role/,
    );
    const writers = statements.find((st: any) => st.Sid === "OnlyWritersWriteValues").Condition.ArnNotLike[
      "aws:PrincipalArn"
    ];
    expect(writers).toEqual([
      expect.stringMatching(/db-credentials_function_role/),
      expect.stringMatching(/:role\/arrakis-break-glass$/),
    ]);
  });
});

describe("Freeside's stateful resources keep their addresses", () => {
  // Renaming a construct id would replace these: the key (and so everything encrypted with it), the
  // secrets (and their values), the log groups and the image repository (and their contents).
  test.each(["production", "staging"])("freeside-%s", (environment) => {
    const json = stacks[`freeside-${environment}`]!;
    const addresses = (type: string) => Object.keys(resourcesOf(json, type)).sort();
    expect(addresses("aws_kms_key")).toEqual(["app-key_A8DE9A61"]);
    expect(addresses("aws_secretsmanager_secret")).toEqual([
      "db-credentials_secret_DE8E0867",
      "redis-credentials_secret_51990B3D",
      "secrets_app-config_6F8C7CF9",
      "secrets_vault-token_02836E0F",
    ]);
    expect(addresses("aws_cloudwatch_log_group")).toEqual([
      "api_logs_F993657F",
      "cache_engine-logs_D69CF7E0",
      "cache_slow-logs_B0B636FC",
      "database_postgresql-logs_86F4EEE6",
      "database_upgrade-logs_27C6F22F",
      "db-credentials_function_logs_BE2B8721",
      "network_flow-log-group_73759AFD",
      "worker_logs_477C8590",
    ]);
    expect(addresses("aws_db_instance")).toEqual(["database_instance_D7FC2283"]);
    expect(addresses("aws_db_parameter_group")).toEqual(["database_parameters_58B6739C"]);
    expect(addresses("aws_db_subnet_group")).toEqual(["database_subnet-group_706EB4D1"]);
    expect(addresses("aws_elasticache_replication_group")).toEqual(["cache_replication-group_FA5C54CF"]);
    expect(addresses("aws_elasticache_user")).toEqual([
      "cache_app-user_A79268DA",
      "cache_default-user_25F2A90A",
    ]);
    expect(addresses("aws_elasticache_user_group")).toEqual(["cache_user-group_99C09024"]);
    expect(addresses("aws_ecr_repository")).toEqual(["image_repository_36043D91"]);
    expect(addresses("aws_vpc")).toEqual(["network_vpc_4E8F0223"]);
  });
});

describe("Freeside settings errors name the file, the setting, the rule, the value and the fix", () => {
  const PRODUCTION = "environments/freeside/production.ts";
  test.each<[string, (input: any) => void, string]>([
    [
      "fewer private subnets than availability zones",
      (i) => {
        i.network.privateSubnets = ["10.0.1.0/24"];
      },
      'environments/freeside/production.ts: `network.privateSubnets` must list one CIDR per zone (2), got ["10.0.1.0/24"]. Give one block per availability zone.',
    ],
    [
      "a subnet outside the VPC",
      (i) => {
        i.network.privateSubnets = ["10.0.1.0/24", "10.9.2.0/24"];
      },
      'environments/freeside/production.ts: `network.privateSubnets` must hold CIDR blocks of /28 or larger inside the VPC (10.0.0.0/16), got "10.9.2.0/24". Pick a block inside the VPC.',
    ],
    [
      "overlapping subnets",
      (i) => {
        i.network.publicSubnets = ["10.0.1.0/24", "10.0.102.0/24"];
      },
      'environments/freeside/production.ts: `network.privateSubnets` must not overlap another subnet (public[0]: 10.0.1.0/24), got "10.0.1.0/24". Pick blocks that do not overlap.',
    ],
    [
      "capacity weights that are all zero",
      (i) => {
        i.services.worker.capacity = [
          { provider: "FARGATE_SPOT", weight: 0 },
          { provider: "FARGATE", weight: 0 },
        ];
      },
      'environments/freeside/production.ts: `services.worker.capacity` must give at least one provider a weight above 0 (ECS places no task beyond the bases otherwise), got "FARGATE_SPOT:0, FARGATE:0". Give FARGATE or FARGATE_SPOT a weight of 1 or more.',
    ],
    [
      "a memory size that does not suit the API's CPU",
      (i) => {
        i.services.api.memoryMiB = 256;
      },
      "environments/freeside/production.ts: `services.api.memoryMiB` must be one of 1024, 2048, 3072, 4096 for `services.api.cpu` 512 (Fargate's valid combinations), got 256. Pick a listed size, or change `services.api.cpu`.",
    ],
    [
      "a worker without its command",
      (i) => {
        delete i.services.worker.command;
      },
      "environments/freeside/production.ts: `services.worker.command` is required, got nothing. See README.md (Freeside settings) for the accepted values.",
    ],
    [
      "a pinned PostgreSQL minor with automatic upgrades on",
      (i) => {
        i.database.engineVersion = "15.10";
      },
      'environments/freeside/production.ts: `database.engineVersion` must be a major version alone while autoMinorVersionUpgrade is on (once AWS upgrades the instance\'s minor, Terraform would plan a downgrade back to the pinned one), got "15.10". Use "15", or set autoMinorVersionUpgrade to false to pin 15.10.',
    ],
    [
      "a database instance class that does not exist",
      (i) => {
        i.database.instanceClass = "db.t3.giant";
      },
      'environments/freeside/production.ts: `database.instanceClass` must be an RDS for PostgreSQL instance class (db.<family>.<size>, families t3, t4g, m5, m6g, m6i, m7g, r5, r6g, r6i, r7g, with the sizes each has), got "db.t3.giant". Use for example db.t4g.small or db.m7g.large.',
    ],
    [
      "storage below 20 GB",
      (i) => {
        i.database.allocatedStorageGiB = 10;
      },
      "environments/freeside/production.ts: `database.allocatedStorageGiB` must be a whole number from 20 to 65536 (gp3 storage on RDS), got 10. Set it to a whole number from 20 to 65536.",
    ],
    [
      "an autoscaling limit below the storage",
      (i) => {
        i.database.maxAllocatedStorageGiB = 15;
      },
      "environments/freeside/production.ts: `database.maxAllocatedStorageGiB` must be at least `database.allocatedStorageGiB` (20), or 0 to turn storage autoscaling off, got 15. Raise it, or set 0.",
    ],
    [
      "backups kept longer than 35 days",
      (i) => {
        i.database.backupRetentionDays = 40;
      },
      "environments/freeside/production.ts: `database.backupRetentionDays` must be a whole number from 0 to 35 (RDS keeps automated backups 0 to 35 days), got 40. Set it to a whole number from 0 to 35.",
    ],
    [
      "no backups with deletion protection",
      (i) => {
        i.database.backupRetentionDays = 0;
      },
      "environments/freeside/production.ts: `database.backupRetentionDays` must be at least 1 with `deletionProtection` on (a protected database without backups cannot be restored), got 0. Keep backups (7 days, say), or turn `deletionProtection` off for a disposable database.",
    ],
    [
      "a Multi-AZ cache with one node",
      (i) => {
        i.cache.multiAz = true;
      },
      "environments/freeside/production.ts: `cache.multiAz` needs two nodes or more (automatic failover promotes a replica in another zone, and one node has none), got 1. Set `cache.nodes` to 2 or more, or turn multiAz off.",
    ],
    [
      "a cache node type that does not exist",
      (i) => {
        i.cache.nodeType = "cache.t3.mega";
      },
      'environments/freeside/production.ts: `cache.nodeType` must be an ElastiCache node type (cache.<family>.<size>, families t3, t4g, m5, m6g, m7g, r5, r6g, r7g, with the sizes each has), got "cache.t3.mega". Use for example cache.t4g.micro or cache.m7g.large.',
    ],
    [
      "a domain outside its zone",
      (i) => {
        i.edge.domainName = "api.elsewhere.example.org";
      },
      'environments/freeside/production.ts: `edge.domainName` must be inside edge.hostedZoneName (freeside.example.com), got "api.elsewhere.example.org". Use a name in that zone, or fix edge.hostedZoneName.',
    ],
  ])("%s", (_label, change, message) => {
    expect(() => build(withFile(PRODUCTION, change))).toThrow(message);
  });
});
