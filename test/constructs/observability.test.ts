import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { Alerts } from "../../constructs/alerts";
import {
  GrafanaTokenRotation,
  type GrafanaTokenRotationProps,
  GrafanaWorkspace,
  type GrafanaWorkspaceProps,
  Prometheus,
  TOKEN_EXPIRY_METRIC,
} from "../../constructs/observability";
import {
  BREAK_GLASS_ROLE_ARN,
  functionCodeFixture,
  key,
  naming,
  OPERATOR_ROLE_ARN,
  RecordingKey,
  secretAccess,
} from "../support/fixtures";
import { ALLOW_EVERYTHING, decide, resolveTokens } from "../support/iam-simulator";
import { onlyResource, parsed, resourcesOf, synthScope } from "../support/synth";

const prometheus = { workspaceArn: "arn:aws:aps:us-east-1:123456789012:workspace/ws-0123" };
const workspace = {
  workspaceId: "g-0123456789",
  workspaceArn: "arn:aws:grafana:us-east-1:123456789012:/workspaces/g-0123456789",
  url: "https://g-0123456789.grafana-workspace.us-east-1.amazonaws.com",
  serviceAccountId: "7",
};
const code = functionCodeFixture();
const DEPLOY_ROLE_ARN = "arn:aws:iam::123456789012:role/meeting-notes-staging-ci-deploy";
const ROTATION_ROLE_ARN = "arn:aws:iam::123456789012:role/meeting-notes-staging-grafana-token-rotation";

describe("Prometheus", () => {
  test("an AMP workspace aliased <project>-<env>, KMS-encrypted, logging to an encrypted log group by default", () => {
    const json = synthScope((s) => new Prometheus(s, "prometheus", { naming, encryptionKey: key }));
    const ws = onlyResource(json, "aws_prometheus_workspace");
    expect(ws).toMatchObject({ alias: "meeting-notes-staging", kms_key_arn: key.keyArn });
    expect(ws.logging_configuration.log_group_arn).toMatch(/^\$\{aws_cloudwatch_log_group\..+\.arn\}:\*$/);
    expect(onlyResource(json, "aws_cloudwatch_log_group")).toMatchObject({
      name: "/aws/vendedlogs/prometheus/meeting-notes-staging",
      retention_in_days: 30,
      kms_key_id: key.keyArn,
    });
  });

  test("asks its key to let CloudWatch Logs encrypt its log group, and asks nothing with logging off", () => {
    const logging = new RecordingKey();
    const silent = new RecordingKey();
    synthScope((s) => {
      new Prometheus(s, "on", { naming, encryptionKey: logging });
      new Prometheus(s, "off", {
        naming: { ...naming, environment: "prod" },
        encryptionKey: silent,
        logging: false,
      });
    });
    expect(logging.logGroups).toEqual(["/aws/vendedlogs/prometheus/meeting-notes-staging"]);
    expect(silent.logGroups).toEqual([]);
  });

  test("logging can be turned off", () => {
    const json = synthScope(
      (s) => new Prometheus(s, "prometheus", { naming, encryptionKey: key, logging: false }),
    );
    expect(onlyResource(json, "aws_prometheus_workspace").logging_configuration).toBeUndefined();
    expect(resourcesOf(json, "aws_cloudwatch_log_group")).toEqual({});
  });

  test("the remote-write URL extends the endpoint", () => {
    const json = synthScope((s) => {
      const p = new Prometheus(s, "prometheus", { naming, encryptionKey: key });
      new TerraformOutput(s, "remote_write", { value: p.remoteWriteUrl });
    });
    expect(json.output!.remote_write.value).toMatch(
      /^\$\{aws_prometheus_workspace\..+\.prometheus_endpoint\}api\/v1\/remote_write$/,
    );
  });
});

describe("GrafanaWorkspace", () => {
  const build = (overrides: Partial<GrafanaWorkspaceProps> = {}) =>
    synthScope((s) => new GrafanaWorkspace(s, "grafana", { naming, prometheus, ...overrides }));
  const json = build();

  test("SSO sign-in, service-managed permissions, Grafana 12.4, Prometheus and CloudWatch data sources", () => {
    expect(onlyResource(json, "aws_grafana_workspace")).toMatchObject({
      account_access_type: "CURRENT_ACCOUNT",
      authentication_providers: ["AWS_SSO"],
      permission_type: "SERVICE_MANAGED",
      grafana_version: "12.4",
      data_sources: ["PROMETHEUS", "CLOUDWATCH"],
    });
  });

  test("the name carries a suffix computed from the seed: stable for a seed, different when it is bumped", () => {
    const name = (seed?: string) =>
      onlyResource(build(seed ? { suffixSeed: seed } : {}), "aws_grafana_workspace").name;
    expect(name()).toMatch(/^meeting-notes-staging-[0-9a-f]{6}$/);
    expect(name("1")).toBe(name());
    expect(name("2")).not.toBe(name("1"));
  });

  test("the workspace role queries exactly this Prometheus workspace and trusts only Grafana of this account", () => {
    const policy = parsed(onlyResource(json, "aws_iam_role_policy").policy);
    expect(policy.Statement[0]).toMatchObject({
      Action: ["aps:QueryMetrics", "aps:GetLabels", "aps:GetSeries", "aps:GetMetricMetadata"],
      Resource: prometheus.workspaceArn,
    });
    const trust = parsed(onlyResource(json, "aws_iam_role").assume_role_policy).Statement[0];
    expect(trust.Principal).toEqual({ Service: "grafana.amazonaws.com" });
    expect(trust.Condition.StringEquals["aws:SourceAccount"]).toMatch(/aws_caller_identity/);
    expect(trust.Condition.ArnLike["aws:SourceArn"]).toMatch(/:grafana:.*:\/workspaces\/\*$/);
  });

  test("an Admin service account is created by default, so bootstrap needs no console", () => {
    expect(onlyResource(json, "aws_grafana_workspace_service_account")).toMatchObject({
      grafana_role: "ADMIN",
    });
  });

  test("a given service account id (the seed's manual path) is used instead of creating one", () => {
    let ws!: GrafanaWorkspace;
    const manual = synthScope((s) => {
      ws = new GrafanaWorkspace(s, "grafana", { naming, prometheus, serviceAccountId: "42" });
    });
    expect(resourcesOf(manual, "aws_grafana_workspace_service_account")).toEqual({});
    expect(ws.serviceAccountId).toBe("42");
  });

  test.each<[string, Partial<GrafanaWorkspaceProps>, string]>([
    [
      "an old Grafana version",
      { grafanaVersion: "10.4" },
      '`grafanaVersion` must be 12 or later (the Amazon Managed Prometheus data source needs it), got "10.4". Use "12.4".',
    ],
    [
      "a malformed version",
      { grafanaVersion: "latest" },
      '`grafanaVersion` must be an Amazon Managed Grafana version such as 12.4, got "latest". Use a version the service offers.',
    ],
    [
      "a non-numeric service account id",
      { serviceAccountId: "sa-1" },
      '`serviceAccountId` must be the numeric id of a Grafana service account, got "sa-1". Copy it from aws grafana list-workspace-service-accounts.',
    ],
  ])("rejects %s", (_n, overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });
});

describe("GrafanaTokenRotation", () => {
  const build = (overrides: Partial<GrafanaTokenRotationProps> = {}, withAlerts = false) =>
    synthScope((s: Construct) => {
      const alerts = withAlerts
        ? new Alerts(s, "alerts", { naming, encryptionKey: key, email: "oncall@example.com" })
        : undefined;
      new GrafanaTokenRotation(s, "grafana-token", {
        naming,
        workspace,
        encryptionKey: key,
        code,
        alerts,
        secretAccess: { readers: [DEPLOY_ROLE_ARN, BREAK_GLASS_ROLE_ARN], ...secretAccess },
        ...overrides,
      });
    });
  const json = build();

  test.each([
    ["the rotation function", ROTATION_ROLE_ARN, "secretsmanager:GetSecretValue", "Allowed"],
    ["the rotation function", ROTATION_ROLE_ARN, "secretsmanager:PutSecretValue", "Allowed"],
    ["the rotation function", ROTATION_ROLE_ARN, "secretsmanager:UpdateSecretVersionStage", "Allowed"],
    [
      "the deploy role (the Grafana stack's provider)",
      DEPLOY_ROLE_ARN,
      "secretsmanager:GetSecretValue",
      "Allowed",
    ],
    ["the deploy role", DEPLOY_ROLE_ARN, "secretsmanager:PutSecretValue", "ExplicitlyDenied"],
    ["the deploy role", DEPLOY_ROLE_ARN, "secretsmanager:PutResourcePolicy", "ExplicitlyDenied"],
    ["the operator", OPERATOR_ROLE_ARN, "secretsmanager:GetSecretValue", "ExplicitlyDenied"],
    ["the operator", OPERATOR_ROLE_ARN, "secretsmanager:PutSecretValue", "Allowed"],
    ["the break-glass role", BREAK_GLASS_ROLE_ARN, "secretsmanager:GetSecretValue", "Allowed"],
    ["the break-glass role", BREAK_GLASS_ROLE_ARN, "secretsmanager:DeleteSecret", "Allowed"],
    [
      "another role with secretsmanager:*",
      "arn:aws:iam::123456789012:role/Admin",
      "secretsmanager:GetSecretValue",
      "ExplicitlyDenied",
    ],
  ])("the token secret's policy: %s, %s is %s", async (_who, principal, action, expected) => {
    const policy = resolveTokens(onlyResource(json, "aws_secretsmanager_secret_policy").policy, {
      [`aws_iam_role.${Object.keys(resourcesOf(json, "aws_iam_role"))[0]}.arn`]: ROTATION_ROLE_ARN,
    });
    await expect(
      decide({
        principal,
        action,
        resource:
          "arn:aws:secretsmanager:us-east-1:123456789012:secret:meeting-notes-staging/grafana-service-account-token-AbCdEf",
        identity: [ALLOW_EVERYTHING],
        resourcePolicy: policy,
      }),
    ).resolves.toBe(expected);
  });

  test("the function keeps the seed's name, runs the bundled code keyed on its content hash, traced and encrypted", () => {
    const fn = onlyResource(json, "aws_lambda_function");
    expect(fn).toMatchObject({
      function_name: "meeting-notes-staging-grafana-token-rotation",
      handler: "index.handler",
      runtime: "nodejs22.x",
      source_code_hash: code.sourceCodeHash,
      kms_key_arn: key.keyArn,
      tracing_config: { mode: "Active" },
    });
    expect(fn.filename).toMatch(/^assets\/.+\/function\.zip$/);
  });

  test("the function's environment names the secret, workspace, service account and a TTL of interval + 5 days", () => {
    const vars = onlyResource(json, "aws_lambda_function").environment.variables;
    expect(vars).toMatchObject({
      GRAFANA_WORKSPACE_ID: workspace.workspaceId,
      GRAFANA_URL: workspace.url,
      GRAFANA_SERVICE_ACCOUNT_ID: "7",
      TOKEN_TTL_SECONDS: String(30 * 86_400),
      METRIC_NAMESPACE: "meeting-notes/staging/Grafana",
    });
    expect(vars.SECRET_ARN).toMatch(/^\$\{aws_secretsmanager_secret\..+\.arn\}$/);
  });

  test("the token secret is KMS-encrypted and rotated natively every 25 days, seeding the first token on deploy", () => {
    expect(onlyResource(json, "aws_secretsmanager_secret")).toMatchObject({
      name: "meeting-notes-staging/grafana-service-account-token",
      kms_key_id: key.keyArn,
    });
    const rotation = onlyResource(json, "aws_secretsmanager_secret_rotation");
    expect(rotation).toMatchObject({
      rotation_rules: { automatically_after_days: 25 },
      rotate_immediately: true,
    });
    expect(rotation.depends_on).toEqual([expect.stringMatching(/^aws_lambda_permission\./)]);
    expect(resourcesOf(json, "aws_secretsmanager_secret_version")).toEqual({});
  });

  test("a shorter interval gives a shorter TTL", () => {
    const short = build({ intervalDays: 10 });
    expect(onlyResource(short, "aws_lambda_function").environment.variables.TOKEN_TTL_SECONDS).toBe(
      String(15 * 86_400),
    );
    expect(
      onlyResource(short, "aws_secretsmanager_secret_rotation").rotation_rules.automatically_after_days,
    ).toBe(10);
  });

  test("IAM is scoped to this secret, this workspace, this key and this log group", () => {
    const bySid = Object.fromEntries(
      parsed(onlyResource(json, "aws_iam_role_policy").policy).Statement.map((s: any) => [s.Sid, s]),
    );
    expect(bySid.RotateTheTokenSecret.Resource).toMatch(/^\$\{aws_secretsmanager_secret\..+\.arn\}$/);
    expect(bySid.ManageTokensOfThisWorkspace.Resource).toBe(workspace.workspaceArn);
    expect(bySid.UseTheKeyThroughSecretsManager).toMatchObject({ Resource: key.keyArn });
    expect(bySid.WriteLogs.Resource).toMatch(/^\$\{aws_cloudwatch_log_group\..+\.arn\}:\*$/);
    expect(bySid.InvokeItself.Resource).toMatch(/:function:meeting-notes-staging-grafana-token-rotation$/);
  });

  test("Secrets Manager may invoke it for this secret only; the daily schedule only from its rule", () => {
    const permissions = Object.values(resourcesOf(json, "aws_lambda_permission"));
    const sm = permissions.find((p) => p.principal === "secretsmanager.amazonaws.com");
    expect(sm.source_arn).toMatch(/^\$\{aws_secretsmanager_secret\..+\.arn\}$/);
    const events = permissions.find((p) => p.principal === "events.amazonaws.com");
    expect(events.source_arn).toMatch(/^\$\{aws_cloudwatch_event_rule\..+\.arn\}$/);
    expect(onlyResource(json, "aws_cloudwatch_event_rule").schedule_expression).toBe("rate(1 day)");
    expect(JSON.parse(onlyResource(json, "aws_cloudwatch_event_target").input)).toEqual({
      action: "report-expiry",
    });
  });

  test("no alarms without alerts; with alerts, the seed's rotation-error alarm and an expiry warning", () => {
    expect(resourcesOf(json, "aws_cloudwatch_metric_alarm")).toEqual({});
    const alarms = Object.values(resourcesOf(build({}, true), "aws_cloudwatch_metric_alarm"));
    const errors = alarms.find((a) => a.alarm_name === "meeting-notes-staging-grafana-token-rotation-errors");
    expect(errors).toMatchObject({
      namespace: "AWS/Lambda",
      metric_name: "Errors",
      dimensions: { FunctionName: "meeting-notes-staging-grafana-token-rotation" },
      period: 86_400,
      evaluation_periods: 1,
      threshold: 1,
    });
    expect(errors.ok_actions).toEqual(errors.alarm_actions);
    const expiry = alarms.find((a) => a.alarm_name === "meeting-notes-staging-grafana-token-expiring");
    expect(expiry).toMatchObject({
      namespace: "meeting-notes/staging/Grafana",
      metric_name: TOKEN_EXPIRY_METRIC,
      threshold: 3 * 86_400,
      comparison_operator: "LessThanThreshold",
      treat_missing_data: "breaching",
    });
  });

  test.each<[string, Partial<GrafanaTokenRotationProps>, string]>([
    [
      "an interval whose TTL would pass 30 days",
      { intervalDays: 28 },
      "`intervalDays` must be a whole number from 1 to 25 (token TTL is interval + 5 days, and Amazon Managed Grafana allows 30), got 28. Set it to 25 or less.",
    ],
    [
      "a zero interval",
      { intervalDays: 0 },
      "`intervalDays` must be a whole number from 1 to 25 (token TTL is interval + 5 days, and Amazon Managed Grafana allows 30), got 0. Set it to 25 or less.",
    ],
    [
      "a warning outside the token's life",
      { intervalDays: 5, expiryWarningDays: 12 },
      "`expiryWarningDays` must be a whole number from 1 to 9 (it must fall inside the token's life), got 12. Set it to a whole number from 1 to 9.",
    ],
    [
      "a reserved concurrency of zero",
      { reservedConcurrency: 0 },
      "`reservedConcurrency` must be a whole number from 1 to 1000 (Lambda reserves whole executions out of the account's pool), got 0. Set it to a whole number from 1 to 1000.",
    ],
  ])("rejects %s", (_n, overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });

  test("reserves no concurrency by default (a new account's quota is 10), and the timeout is 60 s", () => {
    const fn = onlyResource(json, "aws_lambda_function");
    expect(fn.reserved_concurrent_executions).toBeUndefined();
    expect(fn.timeout).toBe(60);
  });

  test("reservedConcurrency sets the function's reserved concurrent executions", () => {
    const fn = onlyResource(build({ reservedConcurrency: 2 }), "aws_lambda_function");
    expect(fn.reserved_concurrent_executions).toBe(2);
  });
});
