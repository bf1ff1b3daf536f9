import { describe, expect, test } from "vitest";
import { ServiceDashboards, type ServiceDashboardsProps } from "../../constructs/grafana";
import { naming } from "../support/fixtures";
import { parsed, resourcesOf, synthScope, type TerraformJson } from "../support/synth";

const AMP_URL = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1234abcd/";
const ALB = "app/meeting-notes-staging/0123456789abcdef";
const TARGET_GROUP = "targetgroup/meeting-notes-staging/fedcba9876543210";
const PROPS: ServiceDashboardsProps = {
  naming,
  region: "eu-west-1",
  prometheusWorkspaceQueryUrl: AMP_URL,
  ecsClusterName: "meeting-notes-staging",
  ecsServiceName: "meeting-notes-staging-bot",
};

function build(props: Partial<ServiceDashboardsProps> = {}): TerraformJson {
  return synthScope((scope) => {
    new ServiceDashboards(scope, "dashboards", { ...PROPS, ...props });
  });
}
const only = (json: TerraformJson, type: string) => Object.values(resourcesOf(json, type));
const dataSource = (json: TerraformJson, type: string) =>
  only(json, "grafana_data_source").find((d) => d.type === type);
const dashboard = (json: TerraformJson) => parsed(only(json, "grafana_dashboard")[0].config_json);
const metricDimensions = (json: TerraformJson) =>
  JSON.stringify(dashboard(json).panels.flatMap((p: any) => p.targets ?? []));

describe("ServiceDashboards defaults", () => {
  const json = build();

  test("one folder, two data sources and one dashboard, uids derived from the naming", () => {
    expect(only(json, "grafana_folder")).toEqual([
      expect.objectContaining({ title: "meeting-notes staging", uid: "meeting-notes-staging" }),
    ]);
    expect(
      only(json, "grafana_data_source")
        .map((d) => d.uid)
        .sort(),
    ).toEqual(["meeting-notes-staging-amp", "meeting-notes-staging-cloudwatch"]);
    expect(dashboard(json).uid).toBe("meeting-notes-staging-service");
    expect(dashboard(json).title).toBe("meeting-notes staging: service overview");
  });

  test("the data sources use the workspace IAM role in the given region", () => {
    expect(parsed(dataSource(json, "grafana-amazonprometheus-datasource").json_data_encoded)).toEqual({
      httpMethod: "POST",
      sigV4Auth: true,
      sigV4AuthType: "ec2_iam_role",
      sigV4Region: "eu-west-1",
    });
    expect(dataSource(json, "grafana-amazonprometheus-datasource").url).toBe(AMP_URL);
    expect(parsed(dataSource(json, "cloudwatch").json_data_encoded)).toEqual({
      authType: "ec2_iam_role",
      defaultRegion: "eu-west-1",
    });
  });

  test("the dashboard sits in the folder, overwrites its earlier versions, and has no load balancer panels", () => {
    const [resource] = only(json, "grafana_dashboard");
    expect(resource.folder).toMatch(/^\$\{grafana_folder\.dashboards_folder_\w+\.uid\}$/);
    expect(resource.overwrite).toBe(true);
    expect(metricDimensions(json)).not.toContain("AWS/ApplicationELB");
  });

  test("the workspace id comes from the query URL", () => {
    expect(metricDimensions(json)).toContain("ws-1234abcd");
  });
});

describe("ServiceDashboards overrides", () => {
  test("prometheusWorkspaceId wins over the query URL", () => {
    expect(metricDimensions(build({ prometheusWorkspaceId: "ws-explicit" }))).toContain("ws-explicit");
  });

  test("the load balancer and target group add the ALB panels for exactly them", () => {
    const json = build({ albArnSuffix: ALB, targetGroupArnSuffix: TARGET_GROUP });
    expect(dashboard(json).panels.length).toBeGreaterThan(dashboard(build()).panels.length);
    expect(metricDimensions(json)).toContain(ALB);
    expect(metricDimensions(json)).toContain(TARGET_GROUP);
  });

  test("the naming and the region follow the props", () => {
    const json = build({
      naming: { projectName: "freeside", environment: "prod" },
      region: "us-west-2",
      prometheusWorkspaceQueryUrl: "https://aps-workspaces.us-west-2.amazonaws.com/workspaces/ws-9/",
    });
    expect(only(json, "grafana_folder")[0].uid).toBe("freeside-prod");
    expect(parsed(dataSource(json, "cloudwatch").json_data_encoded).defaultRegion).toBe("us-west-2");
  });
});

describe("ServiceDashboards rejects bad input", () => {
  test.each<[string, Partial<ServiceDashboardsProps>, string]>([
    [
      "an AMP endpoint in another region",
      { prometheusWorkspaceQueryUrl: "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/" },
      "`prometheusWorkspaceQueryUrl` must be in the environment's region (eu-west-1), which the data source signs requests for, got \"https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/\". Pass the endpoint of the environment's own workspace.",
    ],
    [
      "a query URL that is not an AMP endpoint",
      { prometheusWorkspaceQueryUrl: "https://prometheus.example.com/" },
      '`prometheusWorkspaceQueryUrl` must be an Amazon Managed Prometheus workspace endpoint (https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>/), got "https://prometheus.example.com/". Pass the workspace\'s prometheus_endpoint.',
    ],
    [
      "an empty service name",
      { ecsServiceName: "" },
      '`ecsServiceName` must be an ECS name (1 to 255 letters, digits, - and _), got "". Pass the name from the application stack.',
    ],
    [
      "a target group without its load balancer",
      { targetGroupArnSuffix: TARGET_GROUP },
      "`albArnSuffix` must be set together with targetGroupArnSuffix (the load balancer panels need both), got nothing. Pass both arn_suffix values of the API domain's load balancer and target group, or neither.",
    ],
  ])("%s", (_label, props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});
