/**
 * Candlefish (seed 001) as its environment files build it: the seed's environment-specific settings,
 * the network and its ACLs, Aurora, the tables, the bus and its queues, the functions and how they
 * are reached, the services and their scaling, WAF, the alarms, the addresses of its stateful
 * resources, and the errors a bad setting gets.
 */
import { describe, expect, test } from "vitest";
import { candlefishNames } from "../../stacks/candlefish/names";
import { CANDLEFISH_FILES, candlefish } from "../../stacks/candlefish/platform";
import { synthCandlefish } from "../support/platform";
import { resourcesOf, type TerraformJson } from "../support/synth";

const stacks = synthCandlefish(CANDLEFISH_FILES);
const prod = stacks["candlefish-prod"]!;
const dev = stacks["candlefish-dev"]!;

const values = (json: TerraformJson, type: string) => Object.values(resourcesOf(json, type));
const named = (json: TerraformJson, type: string, name: string) =>
  values(json, type).find((r) => r.name === name || r.function_name === name || r.identifier === name);
const addresses = (json: TerraformJson, type: string) => Object.keys(resourcesOf(json, type)).sort();
const withFile = (source: string, change: (input: any) => void) =>
  CANDLEFISH_FILES.map((f) => {
    if (f.source !== source) return f;
    const input = structuredClone(f.input) as any;
    change(input);
    return { input, source };
  });
const PROD = "environments/candlefish/prod.ts";
const DEV = "environments/candlefish/dev.ts";

describe("Candlefish: stacks and the account", () => {
  test("two environment stacks, the state store and its account baseline with CloudTrail", () => {
    expect(Object.keys(stacks).sort()).toEqual(
      expect.arrayContaining([
        "account-candlefish-us-east-1",
        "candlefish-dev",
        "candlefish-prod",
        "state-candlefish",
      ]),
    );
    expect(values(stacks["account-candlefish-us-east-1"]!, "aws_cloudtrail")).toEqual([
      expect.objectContaining({ is_multi_region_trail: true }),
    ]);
  });
});

describe("Candlefish workspaces", () => {
  test("each stack's workspace guard names its environment's workspace", () => {
    for (const [json, workspace] of [
      [prod, "prod"],
      [dev, "dev"],
    ] as const) {
      expect(JSON.stringify(json)).toContain(`terraform.workspace == \\"${workspace}\\"`);
    }
  });
});

describe("Candlefish network", () => {
  test("three zones with public, private and data subnets; a NAT gateway per zone in prod, one in dev", () => {
    for (const json of [prod, dev]) expect(values(json, "aws_subnet")).toHaveLength(9);
    expect(values(prod, "aws_nat_gateway")).toHaveLength(3);
    expect(values(dev, "aws_nat_gateway")).toHaveLength(1);
    expect(
      values(prod, "aws_vpc_endpoint")
        .map((e) => e.service_name.replace("com.amazonaws.us-east-1.", ""))
        .sort(),
    ).toEqual(["dynamodb", "ecr.api", "ecr.dkr", "events", "logs", "s3", "secretsmanager", "sqs"]);
  });

  test("the data subnets' ACL admits PostgreSQL from the private subnets only and answers on ephemeral ports", () => {
    const isolated =
      named(prod, "aws_network_acl", "clos-v2-prod-isolated") ?? values(prod, "aws_network_acl")[0];
    expect(isolated).toBeDefined();
    const rules = values(prod, "aws_network_acl_rule").filter((r) =>
      String(r.network_acl_id).includes("isolated"),
    );
    const inbound = rules.filter((r) => r.egress === false && r.rule_action === "allow");
    expect(new Set(inbound.map((r) => `${r.from_port}-${r.to_port}`))).toEqual(new Set(["5432-5432"]));
    const outbound = rules.filter((r) => r.egress === true && r.rule_action === "allow");
    expect(new Set(outbound.map((r) => `${r.from_port}-${r.to_port}`))).toEqual(new Set(["1024-65535"]));
  });
});

describe("Candlefish Aurora PostgreSQL", () => {
  test("prod: a db.r5.large writer and a reader in another zone, 14 days of backups, deletion protection, a fixed final snapshot", () => {
    const cluster = values(prod, "aws_rds_cluster")[0];
    expect(cluster).toMatchObject({
      cluster_identifier: "clos-v2-prod-aurora",
      engine: "aurora-postgresql",
      master_username: "clos_admin",
      manage_master_user_password: true,
      storage_encrypted: true,
      backup_retention_period: 14,
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: "clos-v2-prod-aurora-final",
      engine_lifecycle_support: "open-source-rds-extended-support-disabled",
      iam_database_authentication_enabled: true,
    });
    const instances = values(prod, "aws_rds_cluster_instance");
    expect(instances.map((i) => i.instance_class)).toEqual(["db.r5.large", "db.r5.large"]);
    expect(new Set(instances.map((i) => i.availability_zone)).size).toBe(2);
    expect(values(prod, "aws_rds_cluster_parameter_group")[0].parameter).toContainEqual(
      expect.objectContaining({ name: "rds.force_ssl", value: "1" }),
    );
  });

  test("dev: one Serverless v2 instance that pauses at 0 ACU, 1 day of backups, no deletion protection", () => {
    const cluster = values(dev, "aws_rds_cluster")[0];
    expect(cluster).toMatchObject({
      backup_retention_period: 1,
      deletion_protection: false,
      serverlessv2_scaling_configuration: expect.objectContaining({ min_capacity: 0, max_capacity: 2 }),
    });
    expect(values(dev, "aws_rds_cluster_instance").map((i) => i.instance_class)).toEqual(["db.serverless"]);
  });

  test("the migrations run on apply with the Candlefish runner, and re-run when they change", () => {
    const invocation = values(prod, "aws_lambda_invocation")[0];
    expect(JSON.parse(invocation.input)).toEqual({
      migrationsDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(named(prod, "aws_lambda_function", "clos-v2-prod-db-init")).toBeDefined();
  });
});

describe("Candlefish tables", () => {
  test("metrics and sessions: on demand, the key, point-in-time recovery, TTL, deletion protection in prod only", () => {
    for (const [json, protectedTables, days] of [
      [prod, true, 35],
      [dev, false, 7],
    ] as const) {
      const tables = values(json, "aws_dynamodb_table");
      expect(tables.map((t) => t.name).sort()).toEqual([
        `clos-v2-${json === prod ? "prod" : "dev"}-metrics`,
        `clos-v2-${json === prod ? "prod" : "dev"}-sessions`,
      ]);
      for (const table of tables) {
        expect(table).toMatchObject({
          billing_mode: "PAY_PER_REQUEST",
          deletion_protection_enabled: protectedTables,
          point_in_time_recovery: { enabled: true, recovery_period_in_days: days },
          ttl: { enabled: true, attribute_name: "expiresAt" },
          server_side_encryption: {
            enabled: true,
            kms_key_arn: expect.stringContaining("aws_kms_key.app-key"),
          },
        });
      }
    }
    const sessions = named(prod, "aws_dynamodb_table", "clos-v2-prod-sessions");
    expect(sessions.hash_key).toBe("sessionId");
    expect(sessions.global_secondary_index).toEqual([
      expect.objectContaining({ name: "by-user", hash_key: "userId", projection_type: "KEYS_ONLY" }),
    ]);
  });
});

describe("Candlefish events and functions", () => {
  test("rules on the custom bus, each to its queue with retries and the queue's dead-letter queue", () => {
    const rules = values(prod, "aws_cloudwatch_event_rule");
    expect(rules.map((r) => r.name).sort()).toEqual([
      "clos-v2-prod-canary",
      "clos-v2-prod-stage-gate",
      "clos-v2-prod-wip-limit",
      "clos-v2-prod-workflow",
      "clos-v2-prod-workflow-github",
    ]);
    // The Workflow Engine never sees the canary's synthetic items; the canary queue sees nothing else.
    expect(
      JSON.parse(named(prod, "aws_cloudwatch_event_rule", "clos-v2-prod-workflow").event_pattern).detail,
    ).toEqual({
      itemId: [{ "anything-but": { prefix: "00000000-0000-4000-8000-" } }],
    });
    expect(
      JSON.parse(named(prod, "aws_cloudwatch_event_rule", "clos-v2-prod-canary").event_pattern).detail,
    ).toEqual({
      itemId: [{ prefix: "00000000-0000-4000-8000-" }],
    });
    for (const rule of rules) expect(rule.event_bus_name).toBe("clos-v2-prod-events");
    expect(
      JSON.parse(named(prod, "aws_cloudwatch_event_rule", "clos-v2-prod-stage-gate").event_pattern),
    ).toEqual({
      source: ["candlefish.api"],
      "detail-type": ["ItemStageChangeRequested"],
    });
    for (const target of values(prod, "aws_cloudwatch_event_target")) {
      expect(target.retry_policy).toEqual({
        maximum_event_age_in_seconds: 86400,
        maximum_retry_attempts: 185,
      });
      expect(target.dead_letter_config.arn).toContain("dead-letter-queue");
    }
  });

  test("the two processors consume their queues reporting partial batch failures; visibility covers their timeout", () => {
    const mappings = values(prod, "aws_lambda_event_source_mapping");
    expect(mappings).toHaveLength(2);
    for (const m of mappings) {
      expect(m).toMatchObject({ function_response_types: ["ReportBatchItemFailures"], batch_size: 10 });
    }
    const stageGate = named(prod, "aws_sqs_queue", "clos-v2-prod-stage-gate");
    const fn = named(prod, "aws_lambda_function", "clos-v2-prod-stage-gate-processor");
    expect(stageGate.visibility_timeout_seconds).toBeGreaterThanOrEqual(fn.timeout);
    expect(JSON.parse(fn.environment.variables.STAGES)).toEqual(
      expect.arrayContaining([{ key: "review", requiresApproval: true, wipLimit: 5 }]),
    );
  });

  test("github-webhook is a Lambda target of the HTTPS listener at /webhooks/github, allowed for its target group only", () => {
    const group = values(prod, "aws_lb_target_group").find((g) => g.target_type === "lambda");
    expect(group).toBeDefined();
    const rule = values(prod, "aws_lb_listener_rule").find((r) =>
      JSON.stringify(r.condition).includes("/webhooks/github"),
    );
    expect(rule.listener_arn).toContain("https");
    const permission = values(prod, "aws_lambda_permission").find(
      (p) => p.principal === "elasticloadbalancing.amazonaws.com",
    );
    expect(permission.source_arn).toContain("github-webhook-targets");
    expect(values(prod, "aws_lb_target_group_attachment")[0].depends_on).toEqual([
      expect.stringContaining("aws_lambda_permission."),
    ]);
    // Its own secret, read by it alone.
    const webhook = named(prod, "aws_lambda_function", "clos-v2-prod-github-webhook");
    expect(webhook.environment.variables.WEBHOOK_SECRET_ARN).toContain("github-webhook-secret");
  });

  test("daily-unblock runs in the VPC at 09:00 New York on EventBridge Scheduler, signing in as candlefish_unblock", () => {
    const schedule = values(prod, "aws_scheduler_schedule")[0];
    expect(schedule).toMatchObject({
      schedule_expression: "cron(0 9 * * ? *)",
      schedule_expression_timezone: "America/New_York",
    });
    const fn = named(prod, "aws_lambda_function", "clos-v2-prod-daily-unblock");
    expect(fn.vpc_config).toBeDefined();
    expect(fn.environment.variables).toMatchObject({ BLOCKED_DAYS: "3", DB_PORT: "5432" });
    const policy = values(prod, "aws_iam_role_policy").find(
      (p) => String(p.role).includes("daily-unblock_role") && p.name === "function",
    );
    expect(policy.policy).toContain("rds-db:connect");
    expect(policy.policy).toContain("dbuser:");
    expect(policy.policy).toContain("candlefish_unblock");
  });
});

describe("Candlefish functions in the VPC", () => {
  test("db-init and daily-unblock reach the database and the endpoints, nothing on the internet", () => {
    const egress = values(prod, "aws_vpc_security_group_egress_rule");
    for (const fn of ["daily-unblock", "migrations_function"]) {
      const own = egress.filter((r) => String(r.security_group_id).includes(`${fn}_security-group`));
      expect(own.length).toBeGreaterThan(0);
      expect(own.filter((r) => r.cidr_ipv4 === "0.0.0.0/0")).toEqual([]);
      expect(own.map((r) => r.to_port).sort()).toEqual([443, 5432]);
    }
  });
});

describe("Candlefish services", () => {
  test("the seed's desired counts: three Core API tasks in prod, one in dev; the engine scales on backlog per task", () => {
    expect(named(prod, "aws_ecs_service", "clos-v2-prod-core-api").desired_count).toBe(3);
    expect(named(dev, "aws_ecs_service", "clos-v2-dev-core-api").desired_count).toBe(1);
    const engine = named(prod, "aws_ecs_service", "clos-v2-prod-workflow-engine");
    expect(engine.load_balancer).toBeUndefined();
    const backlog = values(prod, "aws_appautoscaling_policy").find((p) => p.name.endsWith("-backlog"));
    const config = backlog.target_tracking_scaling_policy_configuration;
    expect(config.target_value).toBe(100);
    const metrics = config.customized_metric_specification.metrics;
    expect(metrics.find((m: any) => m.return_data).expression).toBe("(q0) / tasks");
    expect(metrics.find((m: any) => m.id === "tasks").metric_stat.metric.metric_name).toBe(
      "RunningTaskCount",
    );
  });

  test("dev stops at 20:00 and starts at 08:00 on weekdays in New York; prod has no shutdown", () => {
    const actions = values(dev, "aws_appautoscaling_scheduled_action");
    expect(actions).toHaveLength(4);
    const stop = actions.find((a) => a.name === "clos-v2-dev-core-api-stop");
    expect(stop).toMatchObject({
      schedule: "cron(0 20 ? * MON-FRI *)",
      timezone: "America/New_York",
      scalable_target_action: { min_capacity: "0", max_capacity: "0" },
    });
    expect(values(prod, "aws_appautoscaling_scheduled_action")).toHaveLength(0);
  });

  test("the tasks' own role: events, its database user, and only the table or queue it uses", () => {
    const policies = values(prod, "aws_iam_role_policy").filter((p) => p.name === "application");
    expect(policies).toHaveLength(2);
    const statements = (service: string) =>
      JSON.parse(policies.find((p) => String(p.role).includes(service)).policy).Statement as any[];
    const core = statements("core-api");
    expect(JSON.stringify(core)).toContain("candlefish_api");
    expect(JSON.stringify(core)).toContain("sessions");
    expect(JSON.stringify(core)).not.toContain("sqs:ReceiveMessage");
    // Each part puts only its own source's events, and uses the tables' key through DynamoDB only.
    expect(core.find((st) => st.Action === "events:PutEvents").Condition).toEqual({
      StringEquals: { "events:source": "candlefish.api" },
    });
    expect(statements("workflow-engine").find((st) => st.Action === "events:PutEvents").Condition).toEqual({
      StringEquals: { "events:source": "candlefish.workflow" },
    });
    expect(core.find((st) => st.Sid === "SessionsKey").Condition).toEqual({
      StringLike: { "kms:ViaService": "dynamodb.*.amazonaws.com" },
    });
  });
});

describe("Candlefish security and alarms", () => {
  test("WAF on the load balancer in prod only, logging with the authorization header redacted", () => {
    expect(values(prod, "aws_wafv2_web_acl_association")).toHaveLength(1);
    expect(values(dev, "aws_wafv2_web_acl")).toHaveLength(0);
    // The common rule set's 8 KB body rule only labels; our rule blocks the labelled requests but on the webhook path.
    const acl = values(prod, "aws_wafv2_web_acl")[0];
    expect(
      acl.rule.map((r: any) => [r.priority, r.name]).sort((a: number[], b: number[]) => a[0]! - b[0]!),
    ).toEqual([
      [10, "ip-reputation"],
      [20, "common"],
      [25, "body-size-outside-webhooks"],
      [30, "known-bad-inputs"],
      [40, "rate-limit"],
    ]);
    const bodyRule = acl.rule.find((r: any) => r.name === "body-size-outside-webhooks").statement
      .and_statement.statement;
    expect(bodyRule[0].label_match_statement.key).toBe(
      "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body",
    );
    expect(bodyRule[1].not_statement.statement[0].byte_match_statement).toMatchObject({
      search_string: "/webhooks/github",
      positional_constraint: "STARTS_WITH",
    });
    const logging = values(prod, "aws_wafv2_web_acl_logging_configuration")[0];
    expect(JSON.stringify(logging.redacted_fields)).toContain("authorization");
  });

  test("the Workflow Engine cannot read the Auth0 secret; the Core API can", () => {
    const reads = (service: string) =>
      values(prod, "aws_iam_role_policy")
        .filter((p) => String(p.role).includes(`${service}_execution-role`))
        .map((p) => p.policy)
        .join("\n");
    expect(reads("core-api")).toContain("api-secrets_auth0-client-secret");
    expect(reads("workflow-engine")).not.toContain("auth0-client-secret");
    expect(reads("workflow-engine")).toContain("secrets_slack-token");
  });

  test("the seed's API keys and the webhook secret exist without a value", () => {
    expect(
      values(prod, "aws_secretsmanager_secret")
        .map((s) => s.name)
        .sort(),
    ).toEqual([
      "clos-v2-prod/auth0-client-secret",
      "clos-v2-prod/github-token",
      "clos-v2-prod/github-webhook-secret",
      "clos-v2-prod/slack-token",
    ]);
    expect(values(prod, "aws_secretsmanager_secret_version")).toHaveLength(0);
  });

  test("alarms: CPU and memory, errors, the cluster, every function, every queue's backlog and dead letters, WIP violations per limited stage", () => {
    const names = values(prod, "aws_cloudwatch_metric_alarm").map((a) =>
      a.alarm_name.replace("clos-v2-prod-", ""),
    );
    expect(names).toEqual(
      expect.arrayContaining([
        "cpu-high-core-api",
        "memory-high-workflow-engine",
        "alb-5xx-api",
        "db-connections-high-aurora",
        "function-errors-github-webhook",
        "function-throttles-wip-limit-processor",
        "queue-backlog-workflow",
        "dead-letters-stage-gate",
        "dead-letters-schedule-failures",
        "wip-violations-ready",
        "wip-violations-in-progress",
        "wip-violations-review",
      ]),
    );
    expect(names).not.toContain("wip-violations-backlog");
    const wip = values(prod, "aws_cloudwatch_metric_alarm").find((a) =>
      a.alarm_name.endsWith("wip-violations-review"),
    );
    expect(wip).toMatchObject({ namespace: "Candlefish/clos-v2-prod", dimensions: { Stage: "review" } });
  });
});

describe("Candlefish secret age", () => {
  test("secret-age describes the four secrets daily, and each gets an alarm past secretMaxAgeDays", () => {
    const fn = named(prod, "aws_lambda_function", "clos-v2-prod-secret-age");
    expect(JSON.parse(fn.environment.variables.SECRET_ARNS)).toHaveLength(4);
    const policy = values(prod, "aws_iam_role_policy").find(
      (p) => String(p.role).includes("secret-age_role") && p.name === "function",
    );
    const statements = JSON.parse(policy.policy).Statement as { Action: string | string[] }[];
    expect(statements.flatMap((st) => st.Action)).toContain("secretsmanager:DescribeSecret");
    expect(statements.flatMap((st) => st.Action)).not.toContain("secretsmanager:GetSecretValue");
    const schedule = values(prod, "aws_scheduler_schedule").find((x) => x.name === "clos-v2-prod-secret-age");
    expect(schedule.schedule_expression).toBe("cron(0 6 * * ? *)");
    const alarm = values(prod, "aws_cloudwatch_metric_alarm").find(
      (a) => a.alarm_name === "clos-v2-prod-secret-age-github-token",
    );
    expect(alarm).toMatchObject({
      metric_name: "SecretAgeDays",
      dimensions: { SecretName: "clos-v2-prod/github-token" },
      threshold: 90,
      comparison_operator: "GreaterThanThreshold",
    });
  });
});

describe("Candlefish canaries", () => {
  test("three canaries on the current runtime, every 5 minutes, artifacts encrypted in a bucket with a lifecycle", () => {
    const canaries = values(prod, "aws_synthetics_canary");
    expect(canaries.map((c) => c.name).sort()).toEqual([
      "clos-v2-prod-api-health",
      "clos-v2-prod-stage-gate",
      "clos-v2-prod-wip-limit",
    ]);
    for (const c of canaries) {
      expect(c).toMatchObject({
        runtime_version: "syn-nodejs-playwright-9.0",
        handler: "index.handler",
        schedule: { expression: "rate(5 minutes)" },
        start_canary: true,
        delete_lambda: true,
        artifact_config: { s3_encryption: { encryption_mode: "SSE_KMS" } },
      });
      expect(c.artifact_s3_location).toMatch(/^s3:\/\/.*\/canaries\/clos-v2-prod-/);
    }
    expect(
      named(prod, "aws_synthetics_canary", "clos-v2-prod-api-health").run_config.environment_variables,
    ).toEqual({
      API_URL: "https://api.candlefish.example.com",
    });
    const lifecycle = values(prod, "aws_s3_bucket_lifecycle_configuration").find((l) =>
      String(l.bucket).includes("canary-artifacts"),
    );
    expect(lifecycle.rule.map((r: any) => r.id)).toEqual([
      "expire-artifacts",
      "abort-incomplete-multipart-uploads",
    ]);
    const alarms = values(prod, "aws_cloudwatch_metric_alarm").filter(
      (a) => a.metric_name === "SuccessPercent",
    );
    expect(alarms.map((a) => a.dimensions.CanaryName).sort()).toEqual(canaries.map((c) => c.name).sort());
  });

  test("each canary's zip holds index.js at its root, the Playwright runtime's layout", async () => {
    const { unzipSync } = await import("fflate");
    const { readFileSync } = await import("node:fs");
    for (const name of ["api-health", "stage-gate", "wip-limit"]) {
      const files = Object.keys(unzipSync(readFileSync(`build/functions/candlefish-canary-${name}.zip`)));
      expect(files).toEqual(["index.js"]);
    }
  });

  test("dev off hours: canaries stopped and started, the alarms stopped services fire silenced, in New York time", () => {
    const schedules = values(dev, "aws_scheduler_schedule");
    const stop = schedules.find((s) => s.name === "clos-v2-dev-stop-canary-api-health");
    expect(stop).toMatchObject({
      schedule_expression: "cron(0 20 ? * MON-FRI *)",
      schedule_expression_timezone: "America/New_York",
      target: {
        arn: "arn:aws:scheduler:::aws-sdk:synthetics:stopCanary",
        input: JSON.stringify({ Name: "clos-v2-dev-api-health" }),
      },
    });
    const silence = schedules.find((s) => s.name === "clos-v2-dev-stop-alarm-actions");
    expect(silence.target.arn).toBe("arn:aws:scheduler:::aws-sdk:cloudwatch:disableAlarmActions");
    const silenced = JSON.parse(silence.target.input).AlarmNames as string[];
    const alarmNames = values(dev, "aws_cloudwatch_metric_alarm").map((a) => a.alarm_name);
    for (const name of silenced) expect(alarmNames).toContain(name);
    expect(silenced).toEqual(
      expect.arrayContaining(["clos-v2-dev-alb-5xx-api", "clos-v2-dev-queue-backlog-workflow"]),
    );
    // Canaries and alarms wake 15 minutes after the services start.
    expect(schedules.find((s) => s.name === "clos-v2-dev-start-alarm-actions").schedule_expression).toBe(
      "cron(15 8 ? * MON-FRI *)",
    );
    expect(schedules.find((s) => s.name === "clos-v2-dev-start-canary-api-health").schedule_expression).toBe(
      "cron(15 8 ? * MON-FRI *)",
    );
    expect(
      values(prod, "aws_scheduler_schedule")
        .map((s) => s.name)
        .sort(),
    ).toEqual(["clos-v2-prod-daily-unblock", "clos-v2-prod-secret-age"]);
  });
});

describe("Candlefish dashboard", () => {
  test("the seed's sections, the alarms on top, its URL an output", () => {
    const dashboard = values(prod, "aws_cloudwatch_dashboard")[0];
    expect(dashboard.dashboard_name).toBe("clos-v2-prod-overview");
    const widgets = JSON.parse(dashboard.dashboard_body).widgets as any[];
    expect(widgets.filter((w) => w.type === "text").map((w) => w.properties.markdown)).toEqual([
      "## Services (ECS)",
      "## Load balancer",
      "## Database (Aurora)",
      "## Functions (Lambda)",
      "## Queues (SQS)",
    ]);
    const alarmWidget = widgets.find((w) => w.type === "alarm");
    expect(alarmWidget.properties.alarms).toHaveLength(values(prod, "aws_cloudwatch_metric_alarm").length);
    const titles = widgets.filter((w) => w.type === "metric").map((w) => w.properties.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        "CPU utilization (%)",
        "Memory utilization (%)",
        "Running tasks",
        "Response time (s)",
        "Connections",
        "Latency (s)",
        "Duration p95 (ms)",
        "Errors",
        "Messages waiting",
        "Oldest message (s)",
      ]),
    );
    expect((prod as any).output.dashboard_url.value).toContain("#dashboards/dashboard/clos-v2-prod-overview");
  });
});

describe("Candlefish's stateful resources keep their addresses", () => {
  test.each([
    ["candlefish-prod", prod],
    ["candlefish-dev", dev],
  ])("%s", (_, json) => {
    expect(addresses(json, "aws_kms_key")).toEqual(["app-key_A8DE9A61"]);
    expect(addresses(json, "aws_rds_cluster")).toEqual(["database_cluster_FAF2FB92"]);
    expect(addresses(json, "aws_rds_cluster_parameter_group")).toEqual(["database_parameters_58B6739C"]);
    expect(addresses(json, "aws_db_subnet_group")).toEqual(["database_subnet-group_706EB4D1"]);
    expect(addresses(json, "aws_dynamodb_table")).toEqual([
      "metrics_table_82E31400",
      "sessions_table_1CD4FC2F",
    ]);
    expect(addresses(json, "aws_cloudwatch_event_bus")).toEqual(["events_bus_2D5985C2"]);
    expect(addresses(json, "aws_cloudwatch_event_archive")).toEqual(["events_archive_7398DBF8"]);
    expect(addresses(json, "aws_sqs_queue")).toEqual([
      "canary-queue_BB21B29D",
      "canary-queue_dead-letter-queue_981CC768",
      "schedule-failures_dead-letter-queue_DFE5E76C",
      "schedule-failures_queue_8248B2F0",
      "stage-gate-queue_0AAAC8F8",
      "stage-gate-queue_dead-letter-queue_4B7A597B",
      "wip-limit-queue_58F5B919",
      "wip-limit-queue_dead-letter-queue_7ADCB3A3",
      "workflow-queue_9E0739E2",
      "workflow-queue_dead-letter-queue_19C0C4AA",
    ]);
    expect(addresses(json, "aws_secretsmanager_secret")).toEqual([
      "api-secrets_auth0-client-secret_5A6880D1",
      "secrets_github-token_C0AF4252",
      "secrets_slack-token_33DC525B",
      "webhook-secret_github-webhook-secret_A3569361",
    ]);
    expect(addresses(json, "aws_ecr_repository")).toEqual([
      "core-api-image_repository_75DE03CA",
      "workflow-engine-image_repository_53A73B31",
    ]);
    expect(addresses(json, "aws_vpc")).toEqual(["network_vpc_4E8F0223"]);
    expect(addresses(json, "aws_s3_bucket")).toEqual(["canary-artifacts_bucket_0AA85554"]);
  });

  test("prod's instances", () => {
    expect(addresses(prod, "aws_rds_cluster_instance")).toEqual([
      "database_instance-1_95FDBD23",
      "database_instance-2_67AB9804",
    ]);
  });
});

describe("Candlefish bad settings", () => {
  const fails = (source: string, change: (input: any) => void) => () =>
    synthCandlefish(withFile(source, change));

  test.each([
    [
      "an Aurora class that does not exist for the engine (the seed's db.t3.micro)",
      DEV,
      (i: any) => {
        i.database.instanceClass = "db.t3.micro";
        delete i.database.serverless;
      },
      /environments\/candlefish\/dev\.ts: `database\.instanceClass`.*db\.t3\.micro.*db\.t4g\.medium/s,
    ],
    [
      "backup retention outside 1-35",
      PROD,
      (i: any) => {
        i.database.backupRetentionDays = 40;
      },
      /environments\/candlefish\/prod\.ts: `database\.backupRetentionDays`.*40/,
    ],
    [
      "Multi-AZ without a reader",
      PROD,
      (i: any) => {
        i.database.readers = 0;
      },
      /environments\/candlefish\/prod\.ts: `database\.(multiAz|readers)`/,
    ],
    [
      "a WIP limit below 1",
      PROD,
      (i: any) => {
        i.stages[2].wipLimit = 0;
      },
      /environments\/candlefish\/prod\.ts: `stages\.2\.wipLimit` must be at least 1, got 0/,
    ],
    [
      "an unknown time zone",
      PROD,
      (i: any) => {
        i.dailyUnblock.timeZone = "America/Springfield";
      },
      /environments\/candlefish\/prod\.ts: `dailyUnblock\.timeZone` must be an IANA time zone name.*America\/Springfield/,
    ],
    [
      "stages that are not the database's",
      PROD,
      (i: any) => {
        i.stages.splice(1, 1);
      },
      /environments\/candlefish\/prod\.ts: `stages` must list the stages the database holds, in order \(backlog, ready, in-progress, review, done/,
    ],
    [
      "a gate the stages table does not have",
      PROD,
      (i: any) => {
        i.stages[1].requiresApproval = true;
      },
      /`stages\[1\]\.requiresApproval` must be false for ready/,
    ],
    [
      "auto shutdown with deletion protection",
      PROD,
      (i: any) => {
        i.autoShutdown = { timeZone: "America/New_York" };
      },
      /environments\/candlefish\/prod\.ts: `autoShutdown` must not be set on an environment with deletion protection/,
    ],
    [
      "a scaling ceiling below the desired count",
      PROD,
      (i: any) => {
        i.services.workflowEngine.maxCount = 2;
      },
      /`services\.workflowEngine\.maxCount` must be at least services\.workflowEngine\.desiredCount \(3\)/,
    ],
  ])("%s", (_, source, change, message) => {
    expect(fails(source, change)).toThrow(message);
  });
});

const valuesOf = (stack: string, type: string) => Object.values(resourcesOf(stacks[stack]!, type));
const environments = candlefish.environments();

describe("the names the operations use (npm run ops) are the stacks' own", () => {
  test.each(environments.map((e) => [e.environment, e] as const))("candlefish-%s", (environment, env) => {
    const stack = `candlefish-${environment}`;
    const names = candlefishNames(env);
    expect(valuesOf(stack, "aws_ecs_cluster").map((c) => c.name)).toEqual([names.cluster]);
    expect(
      valuesOf(stack, "aws_ecs_service")
        .map((s) => s.name)
        .sort(),
    ).toEqual(Object.values(names.services).sort());
    const groups = valuesOf(stack, "aws_cloudwatch_log_group").map((g) => g.name);
    for (const group of Object.values(names.logGroups)) expect(groups).toContain(group);
    expect((stacks[stack] as any).output.dashboard_url.value).toBe(names.dashboardUrl);
    expect(valuesOf(stack, "aws_rds_cluster")[0].cluster_identifier).toBe(names.dbCluster);
    expect(valuesOf(stack, "aws_db_subnet_group")[0].name).toBe(names.dbSubnetGroup);
    expect(valuesOf(stack, "aws_rds_cluster_parameter_group")[0].name).toBe(names.dbParameterGroup);
    const targets = valuesOf(stack, "aws_appautoscaling_target");
    for (const [key, bounds] of Object.entries(names.scaling)) {
      expect(targets).toContainEqual(
        expect.objectContaining({
          min_capacity: bounds.min,
          max_capacity: bounds.max,
          resource_id: expect.stringContaining(key),
        }),
      );
    }
  });
});
