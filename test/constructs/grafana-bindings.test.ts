import { TerraformStack, Testing } from "cdktf";
import { describe, expect, test } from "vitest";
import {
  GRAFANA_PROVIDER_SOURCE,
  GRAFANA_PROVIDER_VERSION_CONSTRAINT,
  GrafanaDashboard,
  GrafanaDataSource,
  GrafanaFolder,
  GrafanaProvider,
} from "../../constructs/grafana";
import { synthScope, testApp } from "../support/synth";

describe("GrafanaProvider", () => {
  test("declares grafana/grafana with a v4 constraint in required_providers", () => {
    const json = synthScope((scope) => {
      new GrafanaProvider(scope, "grafana", { url: "https://g.example.com" });
    });
    expect(json.terraform?.required_providers?.grafana).toEqual({
      source: "grafana/grafana",
      version: "~> 4.45.0",
    });
    expect(GRAFANA_PROVIDER_SOURCE).toBe("grafana/grafana");
    expect(GRAFANA_PROVIDER_VERSION_CONSTRAINT).toBe("~> 4.45.0");
  });

  test("writes its settings with the provider's snake_case names", () => {
    const json = synthScope((scope) => {
      new GrafanaProvider(scope, "grafana", {
        url: "https://g.example.com",
        auth: "glsa_x",
        retries: 5,
        storeDashboardSha256: true,
      });
    });
    expect(json.provider?.grafana).toEqual([
      { url: "https://g.example.com", auth: "glsa_x", retries: 5, store_dashboard_sha256: true },
    ]);
  });

  test("leaves unset settings out", () => {
    const json = synthScope((scope) => {
      new GrafanaProvider(scope, "grafana");
    });
    expect(json.provider?.grafana).toEqual([{}]);
  });

  test("an alias is written and addresses the configuration", () => {
    let fqn = "";
    const json = synthScope((scope) => {
      const provider = new GrafanaProvider(scope, "grafana", {
        alias: "other",
        url: "https://g.example.com",
      });
      fqn = provider.fqn;
      new GrafanaFolder(scope, "folder", { title: "t", provider });
    });
    expect(json.provider?.grafana).toEqual([{ alias: "other", url: "https://g.example.com" }]);
    expect(fqn).toBe("grafana.other");
    expect(json.resource?.grafana_folder?.folder.provider).toBe("grafana.other");
  });
});

describe("GrafanaDataSource", () => {
  test("maps every argument to grafana_data_source's field names", () => {
    const json = synthScope((scope) => {
      new GrafanaProvider(scope, "grafana");
      new GrafanaDataSource(scope, "amp", {
        name: "AMP",
        type: "grafana-amazonprometheus-datasource",
        uid: "amp",
        url: "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/",
        accessMode: "proxy",
        isDefault: true,
        jsonDataEncoded: '{"sigV4Auth":true}',
        secureJsonDataEncoded: '{"k":"v"}',
      });
    });
    const { "//": _metadata, ...attributes } = json.resource?.grafana_data_source?.amp ?? {};
    expect(attributes).toEqual({
      name: "AMP",
      type: "grafana-amazonprometheus-datasource",
      uid: "amp",
      url: "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/",
      access_mode: "proxy",
      is_default: true,
      json_data_encoded: '{"sigV4Auth":true}',
      secure_json_data_encoded: '{"k":"v"}',
    });
  });

  test("writes only what is set", () => {
    const json = synthScope((scope) => {
      new GrafanaProvider(scope, "grafana");
      new GrafanaDataSource(scope, "cw", { name: "CloudWatch", type: "cloudwatch" });
    });
    const { "//": _metadata, ...attributes } = json.resource?.grafana_data_source?.cw ?? {};
    expect(attributes).toEqual({ name: "CloudWatch", type: "cloudwatch" });
  });

  test("attributes are references to the resource; the type is also readable as configured", () => {
    let typeInput = "";
    const json = synthScope((scope) => {
      const source = new GrafanaDataSource(scope, "cw", { name: "CloudWatch", type: "cloudwatch" });
      typeInput = source.typeInput;
      new GrafanaFolder(scope, "folder", {
        title: `${source.uid}|${source.id}|${source.name}|${source.type}`,
      });
    });
    expect(GrafanaDataSource.tfResourceType).toBe("grafana_data_source");
    expect(typeInput).toBe("cloudwatch");
    expect(json.resource?.grafana_folder?.folder.title).toBe(
      `\${grafana_data_source.cw.uid}|\${grafana_data_source.cw.id}|\${grafana_data_source.cw.name}|\${grafana_data_source.cw.type}`,
    );
  });
});

describe("GrafanaFolder", () => {
  test("maps title and uid, and exposes uid, id, title and url", () => {
    const json = synthScope((scope) => {
      const folder = new GrafanaFolder(scope, "folder", { title: "Team", uid: "team" });
      new GrafanaDashboard(scope, "dash", {
        configJson: "{}",
        folder: folder.uid,
        message: `${folder.id} ${folder.title} ${folder.url}`,
      });
    });
    const { "//": _metadata, ...folder } = json.resource?.grafana_folder?.folder ?? {};
    expect(folder).toEqual({ title: "Team", uid: "team" });
    expect(json.resource?.grafana_dashboard?.dash.folder).toBe(`\${grafana_folder.folder.uid}`);
    expect(json.resource?.grafana_dashboard?.dash.message).toBe(
      `\${grafana_folder.folder.id} \${grafana_folder.folder.title} \${grafana_folder.folder.url}`,
    );
  });
});

describe("GrafanaDashboard", () => {
  test("maps config_json, folder, overwrite and message", () => {
    const json = synthScope((scope) => {
      new GrafanaDashboard(scope, "dash", {
        configJson: '{"title":"x"}',
        folder: "team",
        overwrite: true,
        message: "from code",
      });
    });
    const { "//": _metadata, ...dash } = json.resource?.grafana_dashboard?.dash ?? {};
    expect(dash).toEqual({
      config_json: '{"title":"x"}',
      folder: "team",
      overwrite: true,
      message: "from code",
    });
  });

  test("exposes url, uid, dashboard_id and version as references", () => {
    let configJsonInput = "";
    const json = synthScope((scope) => {
      const dash = new GrafanaDashboard(scope, "dash", { configJson: "{}" });
      configJsonInput = dash.configJsonInput;
      new GrafanaFolder(scope, "folder", { title: `${dash.url} ${dash.uid} ${dash.id}` });
      new GrafanaDashboard(scope, "numbers", {
        configJson: "{}",
        message: `${dash.dashboardId} ${dash.version}`,
      });
    });
    expect(configJsonInput).toBe("{}");
    expect(GrafanaDashboard.tfResourceType).toBe("grafana_dashboard");
    expect(json.resource?.grafana_folder?.folder.title).toBe(
      `\${grafana_dashboard.dash.url} \${grafana_dashboard.dash.uid} \${grafana_dashboard.dash.id}`,
    );
    expect(json.resource?.grafana_dashboard?.numbers.message).toBe(
      `\${grafana_dashboard.dash.dashboard_id} \${grafana_dashboard.dash.version}`,
    );
  });

  test("keeps a dashboard JSON that embeds references as a Terraform template", () => {
    const json = synthScope((scope) => {
      const ds = new GrafanaDataSource(scope, "cw", { name: "CloudWatch", type: "cloudwatch" });
      new GrafanaDashboard(scope, "dash", {
        configJson: JSON.stringify({ panels: [{ datasource: { uid: ds.uid } }] }),
      });
    });
    expect(JSON.parse(json.resource?.grafana_dashboard?.dash.config_json)).toEqual({
      panels: [{ datasource: { uid: `\${grafana_data_source.cw.uid}` } }],
    });
  });
});

describe("HCL synthesis", () => {
  test("every binding writes the same fields when a stack is synthesized as HCL", () => {
    const stack = new TerraformStack(testApp(), "hcl");
    new GrafanaProvider(stack, "grafana", {
      url: "https://g.example.com",
      retries: 2,
      storeDashboardSha256: true,
    });
    new GrafanaDataSource(stack, "cw", {
      name: "CloudWatch",
      type: "cloudwatch",
      isDefault: false,
      jsonDataEncoded: '{"a":1}',
    });
    const folder = new GrafanaFolder(stack, "folder", { title: "Team", uid: "team" });
    new GrafanaDashboard(stack, "dash", { configJson: "{}", folder: folder.uid, overwrite: true });
    const lines = String(Testing.synthHcl(stack))
      .split("\n")
      .map((line) => line.trim());
    expect(lines).toEqual(
      expect.arrayContaining([
        'source = "grafana/grafana"',
        'version = "~> 4.45.0"',
        'url = "https://g.example.com"',
        "retries = 2",
        "store_dashboard_sha256 = true",
        'resource "grafana_data_source" "cw" {',
        'name = "CloudWatch"',
        'type = "cloudwatch"',
        "is_default = false",
        'json_data_encoded = "{\\"a\\":1}"',
        'resource "grafana_folder" "folder" {',
        'title = "Team"',
        'uid = "team"',
        'resource "grafana_dashboard" "dash" {',
        'config_json = "{}"',
        `folder = "\${grafana_folder.folder.uid}"`,
        "overwrite = true",
      ]),
    );
  });
});
