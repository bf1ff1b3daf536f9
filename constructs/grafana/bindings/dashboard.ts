import { booleanToTerraform, stringToTerraform, type TerraformMetaArguments, TerraformResource } from "cdktf";
import type { Construct } from "constructs";
import { GRAFANA_GENERATOR_METADATA, hclAttributes, metaArguments } from "./metadata";

/**
 * Arguments of `grafana_dashboard` (v4 schema) that this repository uses.
 * See https://registry.terraform.io/providers/grafana/grafana/latest/docs/resources/dashboard.
 */
export interface GrafanaDashboardConfig extends TerraformMetaArguments {
  /** The complete dashboard model as a JSON string (`config_json`). */
  readonly configJson: string;
  /**
   * UID (or ID) of the folder to save the dashboard in (`folder`).
   * @default - the General folder
   */
  readonly folder?: string;
  /**
   * Replace a dashboard with the same UID or the same title in the folder (`overwrite`).
   * @default false
   */
  readonly overwrite?: boolean;
  /**
   * Commit message for the dashboard's version history (`message`).
   * @default - none
   */
  readonly message?: string;
}

/** A `grafana_dashboard` resource, hand-written in the shape of a generated binding. */
export class GrafanaDashboard extends TerraformResource {
  /** The Terraform resource type. */
  public static readonly tfResourceType = "grafana_dashboard";

  private readonly config: GrafanaDashboardConfig;

  constructor(scope: Construct, id: string, config: GrafanaDashboardConfig) {
    super(scope, id, {
      terraformResourceType: GrafanaDashboard.tfResourceType,
      terraformGeneratorMetadata: GRAFANA_GENERATOR_METADATA,
      ...metaArguments(config),
    });
    this.config = config;
  }

  /** Terraform's ID of the dashboard (`id`). */
  public get id(): string {
    return this.getStringAttribute("id");
  }

  /** The dashboard's unique identifier (`uid`), part of its URL. */
  public get uid(): string {
    return this.getStringAttribute("uid");
  }

  /** The full URL of the dashboard (`url`). */
  public get url(): string {
    return this.getStringAttribute("url");
  }

  /** The numeric ID Grafana gave the dashboard (`dashboard_id`). */
  public get dashboardId(): number {
    return this.getNumberAttribute("dashboard_id");
  }

  /** The dashboard's version number in Grafana (`version`). */
  public get version(): number {
    return this.getNumberAttribute("version");
  }

  /** The configured dashboard JSON (an input, as written). */
  public get configJsonInput(): string {
    return this.config.configJson;
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return {
      config_json: stringToTerraform(this.config.configJson),
      folder: stringToTerraform(this.config.folder),
      overwrite: booleanToTerraform(this.config.overwrite),
      message: stringToTerraform(this.config.message),
    };
  }

  protected synthesizeHclAttributes(): Record<string, unknown> {
    return hclAttributes({
      config_json: { value: this.config.configJson, kind: "string" },
      folder: { value: this.config.folder, kind: "string" },
      overwrite: { value: this.config.overwrite, kind: "boolean" },
      message: { value: this.config.message, kind: "string" },
    });
  }
}
