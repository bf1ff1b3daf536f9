import {
  conditional,
  ref,
  TerraformLocal,
  TerraformOutput,
  TerraformStack,
  TerraformVariable,
  Token,
} from "cdktf";
import type { Construct } from "constructs";
import { invalid, isUnresolved } from "../../constructs/core/validation";
import { GrafanaProvider, ServiceDashboards } from "../../constructs/grafana";
import { addAwsProvider, environmentTags } from "../providers";
import type { EnvironmentConfig } from "./settings";

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

/** The ephemeral resource that reads the stored token: `ephemeral.aws_secretsmanager_secret_version.grafana_token`. */
export const STORED_TOKEN_TYPE = "aws_secretsmanager_secret_version";
export const STORED_TOKEN_NAME = "grafana_token";

/** Properties of {@link GrafanaStack}. */
export interface GrafanaStackProps {
  /** The checked environment settings. */
  readonly environment: EnvironmentConfig;
  /**
   * The Grafana workspace's URL, `https://<workspace endpoint>` (the application stack's
   * `aws_grafana_workspace.endpoint` has no scheme; prefix it). A cross-stack token is fine.
   */
  readonly grafanaWorkspaceUrl: string;
  /**
   * ARN of the Secrets Manager secret the token-rotation function keeps current; its value is JSON
   * with at least `{ "token": "<service account token>" }`.
   */
  readonly tokenSecretArn: string;
  /**
   * The AMP workspace's Prometheus endpoint (`aws_prometheus_workspace.prometheus_endpoint`,
   * `https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>/`), in the environment's region.
   */
  readonly prometheusWorkspaceQueryUrl: string;
  /**
   * The AMP workspace id (`ws-...`), for its CloudWatch usage metrics.
   * @default - read from `prometheusWorkspaceQueryUrl` (in TypeScript for a literal, with Terraform's `regex` for a token)
   */
  readonly prometheusWorkspaceId?: string;
  /** Name of the ECS cluster of the bot service. */
  readonly ecsClusterName: string;
  /** Name of the ECS service of the bot. */
  readonly ecsServiceName: string;
  /**
   * `arn_suffix` of the API's load balancer (`app/<name>/<id>`). Set it together with
   * `targetGroupArnSuffix`, only when the environment has an API domain.
   * @default - no load balancer panels
   */
  readonly albArnSuffix?: string;
  /**
   * `arn_suffix` of the service's target group (`targetgroup/<name>/<id>`). Set it together with `albArnSuffix`.
   * @default - no load balancer panels
   */
  readonly targetGroupArnSuffix?: string;
  /**
   * Configures the stack's state backend (for example the S3 backend with locking).
   * @default - local state
   */
  readonly configureBackend?: (stack: TerraformStack) => void;
  /**
   * Any further setup of the stack, run last (for example the workspace guard).
   * @default - none
   */
  readonly configure?: (stack: TerraformStack) => void;
}

/**
 * One environment's Grafana content (phase 2 of the bootstrap): the Amazon Managed Prometheus and
 * CloudWatch data sources, a folder and the service's starter dashboard, in the environment's
 * Amazon Managed Grafana workspace.
 *
 * The Grafana provider authenticates with the token the rotation function keeps in Secrets
 * Manager, or, while bootstrapping, with a token pasted into the sensitive variable
 * `grafana_api_key` (seed, bootstrap step 3). Keeping this in its own stack means an expired
 * token can never block a deploy of the application infrastructure.
 */
export class GrafanaStack extends TerraformStack {
  /** The environment this stack configures. */
  public readonly environment: EnvironmentConfig;
  /** The `grafana_api_key` variable (manual bootstrap token, sensitive). */
  public readonly apiKeyVariable: TerraformVariable;
  /** The `grafana_url` variable (optional override of the workspace URL). */
  public readonly urlVariable: TerraformVariable;
  /** The Terraform expression the provider's `auth` is set to. */
  public readonly authExpression: string;
  /** The Terraform expression the provider's `url` is set to. */
  public readonly urlExpression: string;
  /** The folder, data sources and service overview dashboard. */
  public readonly dashboards: ServiceDashboards;
  /** Uid of the environment's dashboard folder. */
  public readonly folderUid: string;
  /** Uid of the Amazon Managed Prometheus data source. */
  public readonly prometheusDataSourceUid: string;
  /** Uid of the CloudWatch data source. */
  public readonly cloudWatchDataSourceUid: string;
  /** Uid of the service overview dashboard. */
  public readonly dashboardUid: string;
  /** Full URL of the service overview dashboard. */
  public readonly dashboardUrl: string;

  constructor(scope: Construct, id: string, props: GrafanaStackProps) {
    super(scope, id);
    const env = props.environment;
    this.environment = env;
    validate(props);
    const naming = { projectName: env.projectName, environment: env.environment };

    addAwsProvider(this, { region: env.region, tags: environmentTags(env), accountId: env.accountId });
    props.configureBackend?.(this);

    this.apiKeyVariable = new TerraformVariable(this, "grafana_api_key", {
      type: "string",
      default: "",
      sensitive: true,
      description:
        "Manual Grafana service account token for the bootstrap apply (seed, bootstrap step 3: create a service " +
        "account with the Admin role and a token in the workspace, and pass it here). Leave empty once the " +
        "rotation function has stored a token in Secrets Manager: the provider then reads that token.",
    });
    this.urlVariable = new TerraformVariable(this, "grafana_url", {
      type: "string",
      default: "",
      description:
        "Overrides the Grafana workspace URL that comes from the application stack (https://...). Leave empty; " +
        "set it only to reach a workspace the application stack's state does not report yet, for example one " +
        "renamed or recreated (grafanaSuffixSeed bumped) before this stack's apply.",
    });
    const apiKey = `var.${this.apiKeyVariable.friendlyUniqueId}`;
    const urlOverride = `var.${this.urlVariable.friendlyUniqueId}`;

    // The stored token is read through an ephemeral resource (Terraform 1.10+), so it never enters
    // this stack's state or plan files the way a data source's result would. It is read only when no
    // manual token is given: during the bootstrap the secret may have no value yet. The count reveals
    // whether a manual token is set, never the token. cdktf 0.21 has no ephemeral construct, hence the
    // override.
    const storedTokenAddress = `ephemeral.${STORED_TOKEN_TYPE}.${STORED_TOKEN_NAME}`;
    // Overrides bypass cdktf's cross-stack resolution; a local is a construct, so the secret ARN
    // becomes a remote-state lookup when it comes from the application stack.
    const secretArn = new TerraformLocal(this, "grafana_token_secret_arn", props.tokenSecretArn);
    this.addOverride(`ephemeral.${STORED_TOKEN_TYPE}.${STORED_TOKEN_NAME}`, {
      count: `\${nonsensitive(${apiKey} != "") ? 0 : 1}`,
      secret_id: secretArn.asString,
    });

    this.authExpression = Token.asString(
      conditional(
        ref(`${apiKey} != ""`),
        ref(apiKey),
        ref(`jsondecode(${storedTokenAddress}[0].secret_string)["token"]`),
      ),
    );
    this.urlExpression = Token.asString(
      conditional(ref(`${urlOverride} != ""`), ref(urlOverride), props.grafanaWorkspaceUrl),
    );
    new GrafanaProvider(this, "grafana", {
      url: this.urlExpression,
      auth: this.authExpression,
    });

    this.dashboards = new ServiceDashboards(this, "dashboards", {
      naming,
      region: env.region,
      prometheusWorkspaceQueryUrl: props.prometheusWorkspaceQueryUrl,
      prometheusWorkspaceId: props.prometheusWorkspaceId,
      ecsClusterName: props.ecsClusterName,
      ecsServiceName: props.ecsServiceName,
      albArnSuffix: props.albArnSuffix,
      targetGroupArnSuffix: props.targetGroupArnSuffix,
    });
    // Issue 11 moved these out of the stack into the construct: `moved` blocks from their addresses
    // at the stack's top level, so Terraform moves them in state instead of recreating them.
    this.dashboards.folder.moveFromId("grafana_folder.folder");
    this.dashboards.prometheus.moveFromId("grafana_data_source.prometheus");
    this.dashboards.cloudWatch.moveFromId("grafana_data_source.cloudwatch");
    this.dashboards.dashboard.moveFromId("grafana_dashboard.service_overview");

    this.folderUid = this.dashboards.folder.uid;
    this.prometheusDataSourceUid = this.dashboards.prometheus.uid;
    this.cloudWatchDataSourceUid = this.dashboards.cloudWatch.uid;
    this.dashboardUid = this.dashboards.dashboard.uid;
    this.dashboardUrl = this.dashboards.dashboard.url;

    const out = (outputId: string, value: string, description: string) =>
      new TerraformOutput(this, outputId, { value, description });
    out("grafana_folder_uid", this.folderUid, "Uid of the environment's Grafana folder");
    out("service_dashboard_url", this.dashboardUrl, "URL of the service overview dashboard");
    out("service_dashboard_uid", this.dashboardUid, "Uid of the service overview dashboard");
    out(
      "prometheus_data_source_uid",
      this.prometheusDataSourceUid,
      "Uid of the Amazon Managed Prometheus data source",
    );
    out("cloudwatch_data_source_uid", this.cloudWatchDataSourceUid, "Uid of the CloudWatch data source");

    props.configure?.(this);
  }
}

/** What only the stack checks: where the provider sends the token, and where it reads it from. */
function validate(props: GrafanaStackProps): void {
  const literal = (value: string) => !isUnresolved(value);
  if (literal(props.grafanaWorkspaceUrl) && !/^https:\/\/[^\s/]+(\/\S*)?$/.test(props.grafanaWorkspaceUrl)) {
    throw invalid(
      "grafanaWorkspaceUrl",
      "must be an https URL (the provider sends the service account token to it)",
      props.grafanaWorkspaceUrl,
      "Pass https://<workspace endpoint>, for example https://g-abc123.grafana-workspace.us-east-1.amazonaws.com.",
    );
  }
  if (literal(props.tokenSecretArn) && !SECRET_ARN.test(props.tokenSecretArn)) {
    throw invalid(
      "tokenSecretArn",
      "must be a Secrets Manager secret ARN",
      props.tokenSecretArn,
      "Pass the ARN of the token-rotation secret.",
    );
  }
}
