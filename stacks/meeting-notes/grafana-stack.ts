import {
  conditional,
  Fn,
  ref,
  TerraformLocal,
  TerraformOutput,
  TerraformStack,
  TerraformVariable,
  Token,
} from "cdktf";
import type { Construct } from "constructs";
import { limitedName, NAME_LIMITS, resourceName } from "../../constructs/core/naming";
import { invalid, isUnresolved } from "../../constructs/core/validation";
import {
  AMAZON_PROMETHEUS_DATA_SOURCE_TYPE,
  CLOUDWATCH_DATA_SOURCE_TYPE,
  GrafanaDashboard,
  GrafanaDataSource,
  GrafanaFolder,
  GrafanaProvider,
  ServiceOverviewDashboard,
} from "../../constructs/grafana";
import { addAwsProvider, environmentTags } from "../providers";
import type { EnvironmentConfig } from "./settings";

/**
 * Grafana's authentication type for "Workspace IAM role": credentials of the role attached to the
 * Amazon Managed Grafana workspace (the AWS SDK's EC2 role provider). AMG enables it; self-hosted
 * Grafana does not by default.
 */
export const WORKSPACE_IAM_ROLE_AUTH = "ec2_iam_role";

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const AMP_QUERY_URL =
  /^https:\/\/aps-workspaces\.([a-z0-9-]+)\.amazonaws\.com\/workspaces\/(ws-[A-Za-z0-9-]+)\/?$/;
const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const ALB_ARN_SUFFIX = /^app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;
const TARGET_GROUP_ARN_SUFFIX = /^targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;

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
    const loadBalancer = validate(props);
    const naming = { projectName: env.projectName, environment: env.environment };
    const prefix = resourceName(naming);

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

    const folder = new GrafanaFolder(this, "folder", {
      title: `${env.projectName} ${env.environment}`,
      uid: limitedName(NAME_LIMITS.grafanaUid, naming),
    });

    const prometheus = new GrafanaDataSource(this, "prometheus", {
      type: AMAZON_PROMETHEUS_DATA_SOURCE_TYPE,
      name: `${prefix} Amazon Managed Prometheus`,
      uid: limitedName(NAME_LIMITS.grafanaUid, naming, "amp"),
      url: props.prometheusWorkspaceQueryUrl,
      accessMode: "proxy",
      jsonDataEncoded: JSON.stringify({
        httpMethod: "POST",
        sigV4Auth: true,
        sigV4AuthType: WORKSPACE_IAM_ROLE_AUTH,
        sigV4Region: env.region,
      }),
    });
    const cloudWatch = new GrafanaDataSource(this, "cloudwatch", {
      type: CLOUDWATCH_DATA_SOURCE_TYPE,
      name: `${prefix} CloudWatch`,
      uid: limitedName(NAME_LIMITS.grafanaUid, naming, "cloudwatch"),
      accessMode: "proxy",
      jsonDataEncoded: JSON.stringify({ authType: WORKSPACE_IAM_ROLE_AUTH, defaultRegion: env.region }),
    });

    const model = ServiceOverviewDashboard({
      uid: limitedName(NAME_LIMITS.grafanaUid, naming, "service"),
      title: `${env.projectName} ${env.environment}: service overview`,
      tags: ["cdktf", env.projectName, env.environment],
      region: env.region,
      cloudWatch: { type: cloudWatch.typeInput, uid: cloudWatch.uid },
      prometheus: { type: prometheus.typeInput, uid: prometheus.uid },
      ecsClusterName: props.ecsClusterName,
      ecsServiceName: props.ecsServiceName,
      prometheusWorkspaceId: props.prometheusWorkspaceId ?? workspaceIdOf(props.prometheusWorkspaceQueryUrl),
      loadBalancer,
    });
    const dashboard = new GrafanaDashboard(this, "service_overview", {
      folder: folder.uid,
      configJson: JSON.stringify(model),
      overwrite: true,
    });

    this.folderUid = folder.uid;
    this.prometheusDataSourceUid = prometheus.uid;
    this.cloudWatchDataSourceUid = cloudWatch.uid;
    this.dashboardUid = dashboard.uid;
    this.dashboardUrl = dashboard.url;

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

/** The AMP workspace id of a query URL: parsed when literal, a Terraform `regex` when a token. */
function workspaceIdOf(queryUrl: string): string {
  if (isUnresolved(queryUrl)) {
    return Token.asString(Fn.element(Fn.regex("workspaces/(ws-[A-Za-z0-9-]+)", queryUrl), 0));
  }
  return AMP_QUERY_URL.exec(queryUrl)![2]!;
}

/** Checks the literal inputs (tokens are skipped) and returns the load balancer, if any. */
function validate(
  props: GrafanaStackProps,
): { loadBalancerArnSuffix: string; targetGroupArnSuffix: string } | undefined {
  const literal = (value: string) => !isUnresolved(value);
  const region = props.environment.region;

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
  if (literal(props.prometheusWorkspaceQueryUrl)) {
    const match = AMP_QUERY_URL.exec(props.prometheusWorkspaceQueryUrl);
    if (!match) {
      throw invalid(
        "prometheusWorkspaceQueryUrl",
        "must be an Amazon Managed Prometheus workspace endpoint (https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>/)",
        props.prometheusWorkspaceQueryUrl,
        "Pass the workspace's prometheus_endpoint.",
      );
    }
    if (match[1] !== region) {
      throw invalid(
        "prometheusWorkspaceQueryUrl",
        `must be in the environment's region (${region}), which the data source signs requests for`,
        props.prometheusWorkspaceQueryUrl,
        "Pass the endpoint of the environment's own workspace.",
      );
    }
  }
  if (props.prometheusWorkspaceId !== undefined && literal(props.prometheusWorkspaceId)) {
    if (!/^ws-[A-Za-z0-9-]+$/.test(props.prometheusWorkspaceId)) {
      throw invalid(
        "prometheusWorkspaceId",
        "must be an AMP workspace id (ws-...)",
        props.prometheusWorkspaceId,
        "Pass aws_prometheus_workspace.id, or leave it out to read it from the query URL.",
      );
    }
  }
  for (const [field, value] of [
    ["ecsClusterName", props.ecsClusterName],
    ["ecsServiceName", props.ecsServiceName],
  ] as const) {
    if (literal(value) && !ECS_NAME.test(value)) {
      throw invalid(
        field,
        "must be an ECS name (1 to 255 letters, digits, - and _)",
        value,
        "Pass the name from the application stack.",
      );
    }
  }

  const { albArnSuffix, targetGroupArnSuffix } = props;
  if (albArnSuffix === undefined && targetGroupArnSuffix === undefined) return undefined;
  if (albArnSuffix === undefined || targetGroupArnSuffix === undefined) {
    const [missing, given] =
      albArnSuffix === undefined
        ? ["albArnSuffix", "targetGroupArnSuffix"]
        : ["targetGroupArnSuffix", "albArnSuffix"];
    throw invalid(
      missing,
      `must be set together with ${given} (the load balancer panels need both)`,
      undefined,
      "Pass both arn_suffix values of the API domain's load balancer and target group, or neither.",
    );
  }
  if (literal(albArnSuffix) && !ALB_ARN_SUFFIX.test(albArnSuffix)) {
    throw invalid(
      "albArnSuffix",
      "must be an Application Load Balancer arn_suffix (app/<name>/<id>)",
      albArnSuffix,
      "Pass aws_lb.arn_suffix, not the ARN or the DNS name.",
    );
  }
  if (literal(targetGroupArnSuffix) && !TARGET_GROUP_ARN_SUFFIX.test(targetGroupArnSuffix)) {
    throw invalid(
      "targetGroupArnSuffix",
      "must be a target group arn_suffix (targetgroup/<name>/<id>)",
      targetGroupArnSuffix,
      "Pass aws_lb_target_group.arn_suffix, not the ARN.",
    );
  }
  return { loadBalancerArnSuffix: albArnSuffix, targetGroupArnSuffix };
}
