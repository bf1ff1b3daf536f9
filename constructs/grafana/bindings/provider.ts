import { booleanToTerraform, numberToTerraform, stringToTerraform, TerraformProvider } from "cdktf";
import type { Construct } from "constructs";
import { GRAFANA_GENERATOR_METADATA, GRAFANA_PROVIDER_SOURCE, hclAttributes } from "./metadata";

/**
 * Settings of the `grafana` provider block (v4 schema), limited to what this repository uses.
 * See https://registry.terraform.io/providers/grafana/grafana/latest/docs.
 */
export interface GrafanaProviderConfig {
  /**
   * Root URL of the Grafana server (`url`), for example an Amazon Managed Grafana workspace endpoint.
   * @default - the provider reads `GRAFANA_URL`
   */
  readonly url?: string;
  /**
   * API token, `username:password` or `anonymous` (`auth`, sensitive).
   * @default - the provider reads `GRAFANA_AUTH`
   */
  readonly auth?: string;
  /**
   * Retries of Grafana API calls (`retries`).
   * @default - the provider's default (3)
   */
  readonly retries?: number;
  /**
   * Keep only the SHA-256 of dashboard JSON in state (`store_dashboard_sha256`).
   * @default false
   */
  readonly storeDashboardSha256?: boolean;
  /**
   * Alias of this provider configuration (`alias`), for stacks with several Grafana instances.
   * @default - the default configuration
   */
  readonly alias?: string;
}

/** The `grafana` provider (`grafana/grafana`, v4), hand-written in the shape of a generated binding. */
export class GrafanaProvider extends TerraformProvider {
  /** The provider's local name in `required_providers` and in resource type prefixes. */
  public static readonly tfResourceType = "grafana";

  private readonly config: GrafanaProviderConfig;

  constructor(scope: Construct, id: string, config: GrafanaProviderConfig = {}) {
    super(scope, id, {
      terraformResourceType: GrafanaProvider.tfResourceType,
      terraformGeneratorMetadata: GRAFANA_GENERATOR_METADATA,
      terraformProviderSource: GRAFANA_PROVIDER_SOURCE,
    });
    this.config = config;
  }

  /** Alias of this provider configuration, if any. */
  public get alias(): string | undefined {
    return this.config?.alias;
  }

  /** The configured URL (an input: providers have no readable attributes). */
  public get urlInput(): string | undefined {
    return this.config.url;
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return {
      url: stringToTerraform(this.config.url),
      auth: stringToTerraform(this.config.auth),
      retries: numberToTerraform(this.config.retries),
      store_dashboard_sha256: booleanToTerraform(this.config.storeDashboardSha256),
      alias: stringToTerraform(this.config.alias),
    };
  }

  protected synthesizeHclAttributes(): Record<string, unknown> {
    return hclAttributes({
      url: { value: this.config.url, kind: "string" },
      auth: { value: this.config.auth, kind: "string" },
      retries: { value: this.config.retries, kind: "number" },
      store_dashboard_sha256: { value: this.config.storeDashboardSha256, kind: "boolean" },
      alias: { value: this.config.alias, kind: "string" },
    });
  }
}
