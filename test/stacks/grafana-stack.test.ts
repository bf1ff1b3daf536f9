import { Fn, S3Backend, TerraformOutput, type TerraformStack } from "cdktf";
import { describe, expect, test } from "vitest";
import { GrafanaStack, type GrafanaStackProps } from "../../stacks/meeting-notes/grafana-stack";
import { parseEnvironment } from "../../stacks/meeting-notes/settings";
import { EngineStack, requireTerraform } from "../support/engine";
import {
  addresses,
  dataOf,
  parsed,
  resourcesOf,
  synthStackJson,
  type TerraformJson,
  testApp,
} from "../support/synth";

const ENV = parseEnvironment(
  {
    projectName: "meeting-notes",
    environment: "staging",
    region: "eu-west-1",
    stateStore: "default",
    ci: { githubRepository: "example-org/meeting-notes", githubEnvironment: "staging" },
    access: { operatorRoleName: "meeting-notes-operator", breakGlassRoleName: "meeting-notes-break-glass" },
    tags: { Team: "bots" },
  },
  "test",
);

const WORKSPACE_URL = "https://g-abc123.grafana-workspace.eu-west-1.amazonaws.com";
const SECRET_ARN =
  "arn:aws:secretsmanager:eu-west-1:123456789012:secret:meeting-notes-staging/grafana-token-AbCdEf";
const AMP_URL =
  "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1234abcd-12ab-34cd-56ef-1234567890ab/";
const ALB = "app/meeting-notes-staging/0123456789abcdef";
const TARGET_GROUP = "targetgroup/meeting-notes-staging/fedcba9876543210";

/** Addresses of the Grafana resources, inside the stack's `ServiceDashboards` construct. */
const FOLDER = "dashboards_folder_18217083";
const PROMETHEUS = "dashboards_prometheus_70F089B0";
const CLOUDWATCH = "dashboards_cloudwatch_85F9B413";
const DASHBOARD = "dashboards_service_overview_571132CB";

const PROPS: GrafanaStackProps = {
  environment: ENV,
  grafanaWorkspaceUrl: WORKSPACE_URL,
  tokenSecretArn: SECRET_ARN,
  prometheusWorkspaceQueryUrl: AMP_URL,
  ecsClusterName: "meeting-notes-staging",
  ecsServiceName: "meeting-notes-staging-bot",
};
const WITH_ALB: GrafanaStackProps = { ...PROPS, albArnSuffix: ALB, targetGroupArnSuffix: TARGET_GROUP };

function build(props: Partial<GrafanaStackProps> = {}): { stack: GrafanaStack; json: TerraformJson } {
  const stack = new GrafanaStack(testApp(), "staging-grafana", { ...PROPS, ...props });
  return { stack, json: synthStackJson(stack) };
}

function dashboardOf(json: TerraformJson): any {
  return parsed(resourcesOf(json, "grafana_dashboard")[DASHBOARD].config_json);
}

/** Metric names of each namespace (AWS documentation), to catch typos that CloudWatch would answer with no data. */
const REAL_METRICS: Record<string, readonly string[]> = {
  "AWS/ECS": ["CPUUtilization", "MemoryUtilization", "CPUReservation", "MemoryReservation"],
  "ECS/ContainerInsights": [
    "RunningTaskCount",
    "DesiredTaskCount",
    "PendingTaskCount",
    "CpuUtilized",
    "MemoryUtilized",
  ],
  "AWS/ApplicationELB": [
    "RequestCount",
    "HTTPCode_Target_5XX_Count",
    "HTTPCode_ELB_5XX_Count",
    "TargetResponseTime",
    "HealthyHostCount",
    "UnHealthyHostCount",
  ],
  "AWS/Usage": ["ResourceCount", "CallCount"],
};

const AUTH =
  '${var.grafana_api_key != "" ? var.grafana_api_key : ' +
  'jsondecode(ephemeral.aws_secretsmanager_secret_version.grafana_token[0].secret_string)["token"]}';

describe("GrafanaStack providers", () => {
  test("requires grafana/grafana on v4 and hashicorp/aws, fully qualified", () => {
    const { json } = build();
    const required = json.terraform?.required_providers;
    expect(required.grafana.source).toBe("grafana/grafana");
    expect(required.grafana.version).toMatch(/^~> 4\./);
    expect(required.aws.source).toBe("hashicorp/aws");
  });

  test("the AWS provider runs in the environment's region with the default tags", () => {
    const { json } = build();
    expect(json.provider?.aws).toEqual([
      {
        region: "eu-west-1",
        default_tags: [
          {
            tags: {
              Project: "meeting-notes",
              Environment: "staging",
              TerraformWorkspace: "staging",
              ManagedBy: "cdktf",
              Team: "bots",
            },
          },
        ],
      },
    ]);
  });

  test("the Grafana provider's auth prefers the manual token, then the stored token's `token` field", () => {
    const { json } = build();
    expect(json.provider?.grafana).toHaveLength(1);
    expect(json.provider?.grafana[0].auth).toBe(AUTH);
  });

  test("the Grafana provider's url is the grafana_url override when set, else the workspace URL", () => {
    const { json } = build();
    expect(json.provider?.grafana[0].url).toBe(
      `\${var.grafana_url != "" ? var.grafana_url : "https://g-abc123.grafana-workspace.eu-west-1.amazonaws.com"}`,
    );
  });

  test("grafana_api_key is a sensitive, empty-by-default string described as the manual bootstrap", () => {
    const { json } = build();
    const variable = json.variable?.grafana_api_key;
    expect(variable).toMatchObject({ type: "string", default: "", sensitive: true });
    expect(variable.description).toContain("bootstrap");
    expect(variable.description).toContain("Secrets Manager");
  });

  test("grafana_url is an empty-by-default string override, not sensitive", () => {
    const { json } = build();
    const variable = json.variable?.grafana_url;
    expect(variable).toMatchObject({ type: "string", default: "" });
    expect(variable.sensitive).toBeUndefined();
    expect(variable.description).toContain("renamed or recreated");
  });

  test("the stored token is read from the secret only when no manual token is set", () => {
    const { json } = build();
    const secret = json.ephemeral!.aws_secretsmanager_secret_version!.grafana_token;
    expect(secret.secret_id).toBe("${local.grafana_token_secret_arn}");
    expect(json.locals!.grafana_token_secret_arn).toBe(SECRET_ARN);
    expect(secret.count).toBe(`\${nonsensitive(var.grafana_api_key != "") ? 0 : 1}`);
  });

  test("the token is read ephemerally, never through a data source whose result would land in state", () => {
    const { json } = build();
    expect(dataOf(json, "aws_secretsmanager_secret_version")).toEqual({});
    expect(JSON.stringify(json.output ?? {})).not.toContain("secret_string");
  });
});

describe("GrafanaStack content", () => {
  test("pins the Terraform addresses of its resources", () => {
    const { json } = build();
    expect(addresses(json).sort()).toEqual([
      `grafana_dashboard.${DASHBOARD}`,
      `grafana_data_source.${CLOUDWATCH}`,
      `grafana_data_source.${PROMETHEUS}`,
      `grafana_folder.${FOLDER}`,
    ]);
    // Moved into the ServiceDashboards construct by issue 11, from their top-level addresses.
    expect(json.moved).toEqual([
      { from: "grafana_folder.folder", to: `grafana_folder.${FOLDER}` },
      { from: "grafana_data_source.prometheus", to: `grafana_data_source.${PROMETHEUS}` },
      { from: "grafana_data_source.cloudwatch", to: `grafana_data_source.${CLOUDWATCH}` },
      { from: "grafana_dashboard.service_overview", to: `grafana_dashboard.${DASHBOARD}` },
    ]);
    expect(Object.keys(json.data ?? {})).toEqual([]);
  });

  test("an Amazon Managed Prometheus data source signed with the workspace IAM role", () => {
    const { json } = build();
    const {
      "//": _metadata,
      json_data_encoded,
      ...amp
    } = resourcesOf(json, "grafana_data_source")[PROMETHEUS];
    expect(amp).toEqual({
      type: "grafana-amazonprometheus-datasource",
      name: "meeting-notes-staging Amazon Managed Prometheus",
      uid: "meeting-notes-staging-amp",
      url: AMP_URL,
      access_mode: "proxy",
    });
    expect(parsed(json_data_encoded)).toEqual({
      httpMethod: "POST",
      sigV4Auth: true,
      sigV4AuthType: "ec2_iam_role",
      sigV4Region: "eu-west-1",
    });
  });

  test("a CloudWatch data source using the workspace IAM role in the environment's region", () => {
    const { json } = build();
    const {
      "//": _metadata,
      json_data_encoded,
      ...cloudWatch
    } = resourcesOf(json, "grafana_data_source")[CLOUDWATCH];
    expect(cloudWatch).toEqual({
      type: "cloudwatch",
      name: "meeting-notes-staging CloudWatch",
      uid: "meeting-notes-staging-cloudwatch",
      access_mode: "proxy",
    });
    expect(parsed(json_data_encoded)).toEqual({ authType: "ec2_iam_role", defaultRegion: "eu-west-1" });
  });

  test("a folder per environment holds the dashboard, which overwrites its own earlier versions", () => {
    const { json } = build();
    expect(resourcesOf(json, "grafana_folder")[FOLDER]).toMatchObject({
      title: "meeting-notes staging",
      uid: "meeting-notes-staging",
    });
    expect(resourcesOf(json, "grafana_dashboard")[DASHBOARD]).toMatchObject({
      folder: `\${grafana_folder.${FOLDER}.uid}`,
      overwrite: true,
    });
  });

  test("the dashboard JSON parses and names the environment", () => {
    const { json } = build();
    expect(dashboardOf(json)).toMatchObject({
      uid: "meeting-notes-staging-service",
      title: "meeting-notes staging: service overview",
      tags: ["cdktf", "meeting-notes", "staging"],
    });
  });

  test.each([
    ["without", PROPS, 8],
    ["with", WITH_ALB, 13],
  ])(
    "%s the ALB inputs, every target references a declared data source by uid and type",
    (_, props, panelCount) => {
      const stack = new GrafanaStack(testApp(), "staging-grafana", props);
      const json = synthStackJson(stack);
      const declared = Object.fromEntries(
        Object.entries(resourcesOf(json, "grafana_data_source")).map(([name, ds]) => [
          `\${grafana_data_source.${name}.uid}`,
          ds.type,
        ]),
      );
      const panels = dashboardOf(json).panels;
      expect(panels).toHaveLength(panelCount);
      const targets = panels.flatMap((p: any) => p.targets ?? []);
      expect(targets.length).toBeGreaterThan(0);
      for (const target of targets) {
        expect(Object.keys(declared)).toContain(target.datasource.uid);
        expect(target.datasource.type).toBe(declared[target.datasource.uid]);
      }
    },
  );

  test.each([
    ["without", PROPS],
    ["with", WITH_ALB],
  ])("%s the ALB inputs, every CloudWatch metric is a real metric of its namespace", (_, props) => {
    const stack = new GrafanaStack(testApp(), "staging-grafana", props);
    const targets = dashboardOf(synthStackJson(stack)).panels.flatMap((p: any) => p.targets ?? []);
    const metrics = targets.filter((t: any) => t.namespace);
    expect(metrics.length).toBeGreaterThan(0);
    for (const t of metrics)
      expect(REAL_METRICS[t.namespace], `${t.namespace} ${t.metricName}`).toContain(t.metricName);
  });

  test("the ALB panels appear only with the ALB inputs, and select the given load balancer and target group", () => {
    const titles = (props: GrafanaStackProps) =>
      dashboardOf(synthStackJson(new GrafanaStack(testApp(), "g", props))).panels.map((p: any) => p.title);
    expect(titles(PROPS)).not.toContain("Requests");
    const withAlb = dashboardOf(build({ albArnSuffix: ALB, targetGroupArnSuffix: TARGET_GROUP }).json);
    const health = withAlb.panels.find((p: any) => p.title === "Target health");
    expect(health.targets.map((t: any) => t.dimensions)).toEqual([
      { TargetGroup: TARGET_GROUP, LoadBalancer: ALB },
      { TargetGroup: TARGET_GROUP, LoadBalancer: ALB },
    ]);
    expect(withAlb.panels.map((p: any) => p.title)).toEqual(
      expect.arrayContaining(["Requests", "Target 5xx responses", "Target response time"]),
    );
  });

  test("the AMP usage panels use the workspace id from the query URL", () => {
    const ids = dashboardOf(build().json)
      .panels.flatMap((p: any) => p.targets ?? [])
      .filter((t: any) => t.namespace === "AWS/Usage")
      .map((t: any) => t.dimensions.ResourceId);
    expect(ids).toEqual([
      "ws-1234abcd-12ab-34cd-56ef-1234567890ab",
      "ws-1234abcd-12ab-34cd-56ef-1234567890ab",
    ]);
  });

  test("an explicit prometheusWorkspaceId wins over the URL", () => {
    const ids = dashboardOf(build({ prometheusWorkspaceId: "ws-other" }).json)
      .panels.flatMap((p: any) => p.targets ?? [])
      .filter((t: any) => t.namespace === "AWS/Usage")
      .map((t: any) => t.dimensions.ResourceId);
    expect(ids).toEqual(["ws-other", "ws-other"]);
  });

  test("the ECS panels select the given cluster and service", () => {
    const cpu = dashboardOf(build().json).panels.find((p: any) => p.title === "CPU utilization");
    expect(cpu.targets[0].dimensions).toEqual({
      ClusterName: "meeting-notes-staging",
      ServiceName: "meeting-notes-staging-bot",
    });
  });

  test("outputs the folder uid, the dashboard URL and uid, and the data source uids, each described", () => {
    const { json } = build();
    expect(json.output).toEqual({
      grafana_folder_uid: { value: `\${grafana_folder.${FOLDER}.uid}`, description: expect.any(String) },
      service_dashboard_url: {
        value: `\${grafana_dashboard.${DASHBOARD}.url}`,
        description: expect.any(String),
      },
      service_dashboard_uid: {
        value: `\${grafana_dashboard.${DASHBOARD}.uid}`,
        description: expect.any(String),
      },
      prometheus_data_source_uid: {
        value: `\${grafana_data_source.${PROMETHEUS}.uid}`,
        description: expect.any(String),
      },
      cloudwatch_data_source_uid: {
        value: `\${grafana_data_source.${CLOUDWATCH}.uid}`,
        description: expect.any(String),
      },
    });
    for (const output of Object.values(json.output ?? {}))
      expect((output as any).description.length).toBeGreaterThan(10);
  });
});

describe("GrafanaStack wiring", () => {
  test("configureBackend sets the backend, and configure runs last on the finished stack", () => {
    const seen: string[] = [];
    const { json } = build({
      configureBackend: (stack: TerraformStack) => {
        seen.push("backend");
        new S3Backend(stack, {
          bucket: "state",
          key: "staging-grafana/terraform.tfstate",
          region: "eu-west-1",
        });
      },
      configure: (stack: TerraformStack) => {
        seen.push(stack.node.tryFindChild("dashboards") ? "configure after content" : "configure too early");
        new TerraformOutput(stack, "marker", { value: "configured" });
      },
    });
    expect(seen).toEqual(["backend", "configure after content"]);
    expect(json.terraform?.backend?.s3).toMatchObject({
      bucket: "state",
      key: "staging-grafana/terraform.tfstate",
    });
    expect(json.output?.marker.value).toBe("configured");
  });

  test("without configureBackend the stack has no backend block (local state)", () => {
    expect(build().json.terraform?.backend).toBeUndefined();
  });

  test("unresolved inputs (cross-stack tokens) are not validated and flow into the expressions", () => {
    const { json } = build({
      grafanaWorkspaceUrl: Fn.trimspace("not checked"),
      tokenSecretArn: Fn.trimspace("not checked"),
      prometheusWorkspaceQueryUrl: Fn.trimspace("not checked"),
      ecsClusterName: Fn.trimspace("not checked"),
      ecsServiceName: Fn.trimspace("not checked"),
      albArnSuffix: Fn.trimspace("not checked"),
      targetGroupArnSuffix: Fn.trimspace("not checked"),
    });
    expect(json.provider?.grafana[0].url).toBe(
      `\${var.grafana_url != "" ? var.grafana_url : trimspace("not checked")}`,
    );
    expect(json.locals!.grafana_token_secret_arn).toBe(`\${trimspace("not checked")}`);
    const config = resourcesOf(json, "grafana_dashboard")[DASHBOARD].config_json as string;
    expect(config).toContain(
      `"ResourceId":"\${element(regex("workspaces/(ws-[A-Za-z0-9-]+)", trimspace("not checked")), 0)}"`,
    );
  });

  test("exposes the uids, the dashboard URL and the provider expressions as references", () => {
    const { json } = build({
      configure: (stack: TerraformStack) => {
        const g = stack as GrafanaStack;
        const attributes = [
          g.folderUid,
          g.dashboardUid,
          g.dashboardUrl,
          g.prometheusDataSourceUid,
          g.cloudWatchDataSourceUid,
        ];
        new TerraformOutput(stack, "attributes", { value: attributes.join(" ") });
        new TerraformOutput(stack, "auth", { value: g.authExpression, sensitive: true });
        new TerraformOutput(stack, "url", { value: g.urlExpression });
        new TerraformOutput(stack, "variables", { value: `${g.apiKeyVariable.fqn} ${g.urlVariable.fqn}` });
      },
    });
    expect(json.output?.attributes.value).toBe(
      [
        `\${grafana_folder.${FOLDER}.uid}`,
        `\${grafana_dashboard.${DASHBOARD}.uid}`,
        `\${grafana_dashboard.${DASHBOARD}.url}`,
        `\${grafana_data_source.${PROMETHEUS}.uid}`,
        `\${grafana_data_source.${CLOUDWATCH}.uid}`,
      ].join(" "),
    );
    expect(json.output?.auth.value).toBe(AUTH);
    expect(json.output?.url.value).toBe(json.provider?.grafana[0].url);
    expect(json.output?.variables.value).toBe(`\${var.grafana_api_key} \${var.grafana_url}`);
  });
});

describe("GrafanaStack validation", () => {
  test.each<[string, Partial<GrafanaStackProps>, string]>([
    [
      "a plain-http workspace URL",
      { grafanaWorkspaceUrl: "http://g-abc123.grafana-workspace.eu-west-1.amazonaws.com" },
      '`grafanaWorkspaceUrl` must be an https URL (the provider sends the service account token to it), got "http://g-abc123.grafana-workspace.eu-west-1.amazonaws.com". Pass https://<workspace endpoint>, for example https://g-abc123.grafana-workspace.us-east-1.amazonaws.com.',
    ],
    [
      "a workspace endpoint without a scheme",
      { grafanaWorkspaceUrl: "g-abc123.grafana-workspace.eu-west-1.amazonaws.com" },
      '`grafanaWorkspaceUrl` must be an https URL (the provider sends the service account token to it), got "g-abc123.grafana-workspace.eu-west-1.amazonaws.com". Pass https://<workspace endpoint>, for example https://g-abc123.grafana-workspace.us-east-1.amazonaws.com.',
    ],
    [
      "a secret name instead of an ARN",
      { tokenSecretArn: "meeting-notes-staging/grafana-token" },
      '`tokenSecretArn` must be a Secrets Manager secret ARN, got "meeting-notes-staging/grafana-token". Pass the ARN of the token-rotation secret.',
    ],
    [
      "a query URL that is not an AMP endpoint",
      { prometheusWorkspaceQueryUrl: "https://prometheus.example.com/" },
      '`prometheusWorkspaceQueryUrl` must be an Amazon Managed Prometheus workspace endpoint (https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>/), got "https://prometheus.example.com/". Pass the workspace\'s prometheus_endpoint.',
    ],
    [
      "an AMP endpoint in another region",
      { prometheusWorkspaceQueryUrl: "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/" },
      "`prometheusWorkspaceQueryUrl` must be in the environment's region (eu-west-1), which the data source signs requests for, got \"https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/\". Pass the endpoint of the environment's own workspace.",
    ],
    [
      "a workspace ARN as the workspace id",
      { prometheusWorkspaceId: "arn:aws:aps:eu-west-1:123456789012:workspace/ws-1" },
      '`prometheusWorkspaceId` must be an AMP workspace id (ws-...), got "arn:aws:aps:eu-west-1:123456789012:workspace/ws-1". Pass aws_prometheus_workspace.id, or leave it out to read it from the query URL.',
    ],
    [
      "an empty cluster name",
      { ecsClusterName: "" },
      '`ecsClusterName` must be an ECS name (1 to 255 letters, digits, - and _), got "". Pass the name from the application stack.',
    ],
    [
      "a service ARN as the service name",
      { ecsServiceName: "arn:aws:ecs:eu-west-1:123456789012:service/c/s" },
      '`ecsServiceName` must be an ECS name (1 to 255 letters, digits, - and _), got "arn:aws:ecs:eu-west-1:123456789012:service/c/s". Pass the name from the application stack.',
    ],
    [
      "the ALB without its target group",
      { albArnSuffix: ALB },
      "`targetGroupArnSuffix` must be set together with albArnSuffix (the load balancer panels need both), got nothing. Pass both arn_suffix values of the API domain's load balancer and target group, or neither.",
    ],
    [
      "the target group without its ALB",
      { targetGroupArnSuffix: TARGET_GROUP },
      "`albArnSuffix` must be set together with targetGroupArnSuffix (the load balancer panels need both), got nothing. Pass both arn_suffix values of the API domain's load balancer and target group, or neither.",
    ],
    [
      "a full ALB ARN",
      {
        albArnSuffix:
          "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/x/0123456789abcdef",
        targetGroupArnSuffix: TARGET_GROUP,
      },
      '`albArnSuffix` must be an Application Load Balancer arn_suffix (app/<name>/<id>), got "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/x/0123456789abcdef". Pass aws_lb.arn_suffix, not the ARN or the DNS name.',
    ],
    [
      "a target group name",
      { albArnSuffix: ALB, targetGroupArnSuffix: "meeting-notes-staging" },
      '`targetGroupArnSuffix` must be a target group arn_suffix (targetgroup/<name>/<id>), got "meeting-notes-staging". Pass aws_lb_target_group.arn_suffix, not the ARN.',
    ],
  ])("rejects %s", (_, props, message) => {
    expect(() => new GrafanaStack(testApp(), "staging-grafana", { ...PROPS, ...props })).toThrow(message);
  });
});

/**
 * The grafana provider is not installable here (no registry), so the engine runs on the stack with
 * its Grafana provider and resources projected away: the variables, the token secret read, the
 * provider's url and auth expressions (as outputs) and the dashboard JSON (as a local, with the data
 * source uids coming from stand-in `terraform_data` resources) stay exactly as synthesized.
 */
function withoutGrafana(json: TerraformJson, form: "ephemeral" | "mockable"): TerraformJson {
  const grafana = json.provider?.grafana[0];
  const stubbed = (text: string) =>
    text.replace(
      /\$\{grafana_data_source\.(\w+)\.uid\}/g,
      (_, name: string) => `\${terraform_data.${name}.output}`,
    );
  const { grafana: _provider, ...providers } = json.provider ?? {};
  const { grafana: _required, ...required } = json.terraform?.required_providers ?? {};
  return {
    terraform: { required_providers: required },
    provider: providers,
    variable: json.variable,
    // The mock provider cannot mock ephemeral resources yet, so the mocked applies read the token
    // through an equivalent data block; `terraform validate` checks the ephemeral form as written.
    ...(form === "ephemeral" ? { ephemeral: json.ephemeral } : { data: json.ephemeral }),
    resource: {
      terraform_data: { [CLOUDWATCH]: { input: "cw-uid" }, [PROMETHEUS]: { input: "amp-uid" } },
    },
    locals: {
      ...json.locals,
      dashboard: stubbed(resourcesOf(json, "grafana_dashboard")[DASHBOARD].config_json),
      ...(form === "ephemeral" ? { auth: grafana.auth } : {}),
    },
    output: {
      // An ephemeral value may not be an output: the mockable form shows what the provider gets.
      ...(form === "mockable"
        ? { auth: { value: grafana.auth.replace("ephemeral.", "data."), sensitive: true } }
        : {}),
      url: { value: grafana.url },
      dashboard: { value: `\${jsondecode(local.dashboard)}` },
    },
  };
}

const ENGINE_TESTS = `mock_provider "aws" {
  mock_data "aws_secretsmanager_secret_version" {
    defaults = {
      secret_string = "{\\"token\\":\\"stored-token\\",\\"tokenId\\":7}"
    }
  }
}

run "stored_token" {
  command = apply
  assert {
    condition     = output.auth == "stored-token"
    error_message = "auth should come from the secret's token field"
  }
  assert {
    condition     = length(data.aws_secretsmanager_secret_version.grafana_token) == 1
    error_message = "the secret should be read"
  }
  assert {
    condition     = output.url == "${WORKSPACE_URL}"
    error_message = "url should be the workspace URL"
  }
  assert {
    condition     = output.dashboard.panels[1].targets[0].datasource.uid == "cw-uid"
    error_message = "the dashboard should reference the CloudWatch data source's uid"
  }
  assert {
    condition     = output.dashboard.panels[12].targets[0].datasource.uid == "amp-uid"
    error_message = "the PromQL panel should reference the Prometheus data source's uid"
  }
  assert {
    condition     = output.dashboard.panels[12].targets[0].legendFormat == "{{job}}"
    error_message = "legend formats should survive Terraform's template parsing"
  }
}

run "manual_token" {
  command = apply
  variables {
    grafana_api_key = "manual-token"
    grafana_url     = "https://override.example.com"
  }
  assert {
    condition     = output.auth == "manual-token"
    error_message = "auth should be the manual token"
  }
  assert {
    condition     = length(data.aws_secretsmanager_secret_version.grafana_token) == 0
    error_message = "the secret should not be read while a manual token is set"
  }
  assert {
    condition     = output.url == "https://override.example.com"
    error_message = "grafana_url should override the workspace URL"
  }
}
`;

describe("GrafanaStack in the Terraform engine (Grafana resources projected away)", () => {
  test("validate and mocked applies: stored token, manual token and URL override", async () => {
    await requireTerraform();
    const json = synthStackJson(new GrafanaStack(testApp(), "staging-grafana", WITH_ALB));
    const ephemeral = await EngineStack.init(
      "grafana-projection-ephemeral",
      withoutGrafana(json, "ephemeral"),
    );
    const validated = await ephemeral.validate();
    expect(validated.output).toContain("The configuration is valid");
    const stack = await EngineStack.init("grafana-projection", withoutGrafana(json, "mockable"), {
      "grafana.tftest.hcl": ENGINE_TESTS,
    });
    const validate = await stack.validate();
    expect(validate.output).toContain("The configuration is valid");
    const result = await stack.test();
    expect(result.output).toContain("2 passed, 0 failed");
    expect(result.ok).toBe(true);
  });
});
