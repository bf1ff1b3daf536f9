import { describe, expect, test } from "vitest";
import { stateKeyAlias } from "../../constructs/state";
import { ALLOW_EVERYTHING, decide, resolveTokens } from "../support/iam-simulator";
import {
  loadEnvironments,
  loadState,
  platformWarnings,
  synthPlatform,
  WITH_ALERTS_AND_API,
  WITHOUT_ALERTS_AND_API,
} from "../support/platform";
import { addresses, beforeMoves, dataOf, onlyResource, parsed, resourcesOf } from "../support/synth";

/** The settings of an environment, as the tests must read names from them (README: First deployment). */
const settings = (name: string) => loadEnvironments().find((e) => e.environment === name)!;
/** `<project>-<environment>` of an environment. */
const prefix = (name: string) => `${settings(name).projectName}-${name}`;

describe("environment stacks", () => {
  const stacks = synthPlatform(WITHOUT_ALERTS_AND_API);
  const full = synthPlatform(WITH_ALERTS_AND_API);

  test("the app has the state stack and one stack per environment", () => {
    expect(Object.keys(stacks)).toEqual(expect.arrayContaining(["state", "staging", "prod"]));
  });

  test.each(["staging", "prod"])(
    "%s keeps its state in S3: encrypted, a key per stack, a workspace prefix, both locks",
    (name) => {
      expect(stacks[name]!.terraform!.backend.s3).toEqual({
        bucket: loadState().bucketName,
        key: `${name}/terraform.tfstate`,
        region: loadState().region,
        encrypt: true,
        kms_key_id: stateKeyAlias(loadState().bucketName),
        dynamodb_table: loadState().lockTableName,
        workspace_key_prefix: "workspaces",
        use_lockfile: true,
      });
    },
  );

  test.each(["staging", "prod"])("%s is guarded to its own workspace", (name) => {
    const guards = Object.values(dataOf(stacks[name]!, "aws_caller_identity")).filter(
      (d) => d.lifecycle?.postcondition,
    );
    expect(guards).toHaveLength(1);
    const workspace = loadEnvironments().find((e) => e.environment === name)!.workspace;
    expect(guards[0].lifecycle.postcondition[0].condition).toBe(`\${terraform.workspace == "${workspace}"}`);
  });

  test("providers are fully qualified and the AWS provider is pinned to the mirrored version", () => {
    expect(stacks.staging!.terraform!.required_providers.aws).toEqual({
      source: "hashicorp/aws",
      version: "5.100.0",
    });
  });

  test("default tags name the project and environment", () => {
    expect(stacks.prod!.provider!.aws[0].default_tags[0].tags).toMatchObject({
      Project: settings("prod").projectName,
      Environment: "prod",
      TerraformWorkspace: settings("prod").workspace,
      ManagedBy: "cdktf",
    });
  });

  test("the image tag is a required, validated variable", () => {
    const variable = stacks.staging!.variable!.image_tag;
    expect(variable.default).toBeUndefined();
    expect(variable.validation[0].condition).toContain("var.image_tag");
  });

  test("prod and staging differ: NAT per AZ vs one, task count, log retention, deletion protection", () => {
    const natCount = (name: string) => {
      // Left out, the settings get the Network construct's defaults (single, 2 zones).
      const { natGateways = "single", availabilityZones = 2 } = settings(name).network;
      return natGateways === "perAz" ? availabilityZones : natGateways === "single" ? 1 : 0;
    };
    expect(Object.keys(resourcesOf(stacks.staging!, "aws_nat_gateway"))).toHaveLength(natCount("staging"));
    expect(Object.keys(resourcesOf(stacks.prod!, "aws_nat_gateway"))).toHaveLength(natCount("prod"));
    expect(onlyResource(stacks.staging!, "aws_ecs_service").desired_count).toBe(
      settings("staging").service.desiredCount ?? 1,
    );
    expect(onlyResource(stacks.prod!, "aws_ecs_service").desired_count).toBe(
      settings("prod").service.desiredCount ?? 1,
    );
    const retention = (name: string) =>
      Object.values(resourcesOf(stacks[name]!, "aws_cloudwatch_log_group")).find((g) =>
        String(g.name).startsWith("/ecs/"),
      )!.retention_in_days;
    expect([retention("staging"), retention("prod")]).toEqual([
      settings("staging").logRetentionDays,
      settings("prod").logRetentionDays,
    ]);
    expect(onlyResource(full.prod!, "aws_lb").enable_deletion_protection).toBe(true);
    expect(onlyResource(full.staging!, "aws_lb").enable_deletion_protection).toBe(false);
  });

  test("no API resources and no email subscription unless configured", () => {
    for (const type of [
      "aws_sns_topic_subscription",
      "aws_lb",
      "aws_acm_certificate",
      "aws_route53_record",
    ]) {
      expect(resourcesOf(stacks.staging!, type)).toEqual({});
    }
    expect(stacks.staging!.output!.oauth_callback_url).toBeUndefined();
  });

  test.each(["staging", "prod"])(
    "%s without alertEmail still has the encrypted topic, the service and rotation alarms, and the topic output",
    (name) => {
      const json = stacks[name]!;
      expect(onlyResource(json, "aws_sns_topic")).toMatchObject({
        name: `${prefix(name)}-critical-alerts`,
      });
      expect(onlyResource(json, "aws_sns_topic").kms_master_key_id).toMatch(/aws_kms_key\.app-general_key/);
      const alarms = Object.values(resourcesOf(json, "aws_cloudwatch_metric_alarm"));
      expect(alarms.map((a) => a.alarm_name).sort()).toEqual([
        `${prefix(name)}-ecs-no-running-tasks`,
        `${prefix(name)}-grafana-token-expiring`,
        `${prefix(name)}-grafana-token-rotation-errors`,
      ]);
      for (const alarm of alarms) {
        expect(alarm.alarm_actions).toEqual([expect.stringMatching(/aws_sns_topic\.alerts_topic/)]);
        expect(alarm.ok_actions).toEqual(alarm.alarm_actions);
      }
      expect(json.output!.critical_alerts_topic_arn.value).toMatch(/aws_sns_topic\.alerts_topic_.+\.arn/);
    },
  );

  test("an environment that sets alertEmail keeps every alerting address it had", () => {
    // Recorded from the code before alarms existed in every environment: these must not move.
    const alerting = addresses(full.staging!).filter((a) => /alerts_|sns_topic/.test(a));
    expect(alerting.sort()).toEqual([
      "aws_cloudwatch_metric_alarm.alerts_alb-target-5xx_FBB0B45C",
      "aws_cloudwatch_metric_alarm.alerts_alb-unhealthy-hosts_2E0F5DE9",
      "aws_cloudwatch_metric_alarm.alerts_ecs-no-running-tasks_D4E096C4",
      "aws_cloudwatch_metric_alarm.alerts_grafana-token-expiry_69EA2962",
      "aws_cloudwatch_metric_alarm.alerts_grafana-token-rotation-errors_CB846C97",
      "aws_sns_topic.alerts_topic_3313844B",
      "aws_sns_topic_policy.alerts_topic-policy_722709C9",
      "aws_sns_topic_subscription.alerts_email_9053A621",
    ]);
    expect(onlyResource(full.staging!, "aws_sns_topic_subscription")).toMatchObject({
      protocol: "email",
      endpoint: WITH_ALERTS_AND_API.staging!.alertEmail,
    });
  });

  test("no 'no running tasks' alarm when no task is meant to run (desiredCount 0, no autoscaling)", () => {
    const idle = synthPlatform({ staging: { service: { desiredCount: 0 } } });
    const names = Object.values(resourcesOf(idle.staging!, "aws_cloudwatch_metric_alarm")).map(
      (a) => a.alarm_name,
    );
    expect(names).not.toContain(`${prefix("staging")}-ecs-no-running-tasks`);
    expect(names).toContain(`${prefix("staging")}-grafana-token-rotation-errors`);
    const scaled = synthPlatform({
      staging: { service: { desiredCount: 0, autoscaling: { minCount: 1, maxCount: 2 } } },
    });
    expect(
      Object.values(resourcesOf(scaled.staging!, "aws_cloudwatch_metric_alarm")).map((a) => a.alarm_name),
    ).toContain(`${prefix("staging")}-ecs-no-running-tasks`);
  });

  test("an environment with deletion protection and no alertEmail gets a synth warning; one with it does not", () => {
    expect(platformWarnings(WITHOUT_ALERTS_AND_API)).toEqual([
      `prod: environment prod has deletion protection but no alertEmail, so nobody is told when an alarm fires (the topic ${prefix("prod")}-critical-alerts has no subscriber). Set alertEmail in its environment file, or subscribe to the topic yourself.`,
    ]);
    expect(platformWarnings(WITH_ALERTS_AND_API)).toEqual([]);
  });

  test("alerts and the API domain together give the seed's three alarms and the OAuth callback output", () => {
    const alarms = Object.values(resourcesOf(full.staging!, "aws_cloudwatch_metric_alarm"))
      .map((a) => a.alarm_name)
      .sort();
    expect(alarms).toEqual([
      `${prefix("staging")}-alb-target-5xx`,
      `${prefix("staging")}-alb-unhealthy-hosts`,
      `${prefix("staging")}-ecs-no-running-tasks`,
      `${prefix("staging")}-grafana-token-expiring`,
      `${prefix("staging")}-grafana-token-rotation-errors`,
    ]);
    expect(full.staging!.output!.oauth_callback_url.value).toBe(
      `https://${WITH_ALERTS_AND_API.staging!.apiDomain}/auth/discord/callback`,
    );
  });

  test("the SNS topic is encrypted with the app_general key", () => {
    expect(onlyResource(full.staging!, "aws_sns_topic").kms_master_key_id).toMatch(
      /^\$\{aws_kms_key\.app-general_key_.+\.arn\}$/,
    );
  });

  test.each(["staging", "prod"])(
    "%s: the deploy role manages exactly the stack's own roles, and passes each only to the service it trusts",
    (name) => {
      const json = stacks[name]!;
      const deployAddress = Object.entries(resourcesOf(json, "aws_iam_role")).find(([, r]) =>
        String(r.name).endsWith("-ci-deploy"),
      )![0];
      const policy = parsed(
        Object.values(resourcesOf(json, "aws_iam_role_policy")).find(
          (p) => p.role === `\${aws_iam_role.${deployAddress}.id}` && p.name === "environment-iam",
        )!.policy,
      );
      const byId = Object.fromEntries(policy.Statement.map((st: any) => [st.Sid, st]));
      const roleName = (arn: string) => arn.replace(/^.*:role\//, "");
      expect([byId.ManageEnvironmentRoles.Resource].flat().map(roleName).sort()).toEqual(
        ["bot-execution", "bot-task", "grafana-token-rotation", "grafana-workspace", "vpc-flow-logs"].map(
          (r) => `${prefix(name)}-${r}`,
        ),
      );
      const passed = policy.Statement.filter((st: any) => st.Action === "iam:PassRole").map((st: any) => [
        st.Condition.StringEquals["iam:PassedToService"],
        [st.Resource].flat().map(roleName).sort(),
      ]);
      expect(passed).toEqual([
        ["ecs-tasks.amazonaws.com", [`${prefix(name)}-bot-execution`, `${prefix(name)}-bot-task`]],
        ["grafana.amazonaws.com", [`${prefix(name)}-grafana-workspace`]],
        ["lambda.amazonaws.com", [`${prefix(name)}-grafana-token-rotation`]],
        ["vpc-flow-logs.amazonaws.com", [`${prefix(name)}-vpc-flow-logs`]],
      ]);
      for (const role of Object.values(resourcesOf(json, "aws_iam_role"))) {
        expect(role.permissions_boundary).toMatch(
          new RegExp(`:policy/${prefix(name)}-permissions-boundary$`),
        );
      }
    },
  );

  test("the CI plan role, which any branch's workflow may assume, is denied every secret value", async () => {
    const json = stacks.staging!;
    const planAddress = Object.entries(resourcesOf(json, "aws_iam_role")).find(([, r]) =>
      String(r.name).endsWith("-ci-plan"),
    )![0];
    const policies = Object.values(resourcesOf(json, "aws_iam_role_policy"))
      .filter((p) => p.role === `\${aws_iam_role.${planAddress}.id}`)
      .map((p) =>
        resolveTokens(p.policy, {
          "data.aws_kms_alias": "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111",
          "aws_kms_key.app-general_key_DE43D02C":
            "arn:aws:kms:us-east-1:123456789012:key/22222222-2222-2222-2222-222222222222",
        }),
      );
    await expect(
      decide({
        principal: `arn:aws:iam::123456789012:role/${prefix("staging")}-ci-plan`,
        action: "secretsmanager:GetSecretValue",
        resource: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${settings("staging").projectName}-staging/openai-api-key-AbCdEf`,
        identity: [ALLOW_EVERYTHING, ...policies],
      }),
    ).resolves.toBe("ExplicitlyDenied");
  });

  test("outputs carry names and ARNs, never secret values", () => {
    for (const name of Object.keys(full)) {
      for (const output of Object.values(full[name]!.output ?? {})) {
        expect(JSON.stringify(output.value)).not.toMatch(
          /secret_string|secretsmanager_secret_version|grafana_api_key/,
        );
      }
    }
  });

  // Stateful resources must never move without a `moved` block: a changed address destroys and recreates them.
  test.each([
    ["aws_kms_key.app-general_key_DE43D02C"],
    ["aws_vpc.network_vpc_4E8F0223"],
    ["aws_cloudwatch_log_group.network_flow-log-group_73759AFD"],
    ["aws_secretsmanager_secret.runtime-secrets_discord-bot-token_9FD728A1"],
    ["aws_secretsmanager_secret.runtime-secrets_stripe-webhook-secret_93F0499C"],
    ["aws_ecr_repository.service_repository_EBF276BE"],
    ["aws_cloudwatch_log_group.service_logs_687FB03D"],
    ["aws_ecs_cluster.service_cluster_B81F1F5D"],
  ])("pins the address %s (or moves from it)", (address) => {
    for (const json of [stacks.staging!, stacks.prod!])
      expect(addresses(json).map(beforeMoves(json))).toContain(address);
  });
});

describe("one account per environment", () => {
  test("accountId pins the provider of the environment's stacks to that account; unset, any account", () => {
    const pinned = synthPlatform({ prod: { accountId: "210987654321" } });
    expect(pinned.prod!.provider!.aws[0].allowed_account_ids).toEqual(["210987654321"]);
    expect(pinned["prod-grafana"]!.provider!.aws[0].allowed_account_ids).toEqual(["210987654321"]);
    expect(pinned.staging!.provider!.aws[0].allowed_account_ids).toBeUndefined();
  });
});
