import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { limitedName, NAME_LIMITS, type ResourceNaming, resourceName } from "../core/naming";
import { invalid, isUnresolved } from "../core/validation";
import { GrafanaDashboard, GrafanaDataSource, GrafanaFolder } from "./bindings";
import {
  AMAZON_PROMETHEUS_DATA_SOURCE_TYPE,
  CLOUDWATCH_DATA_SOURCE_TYPE,
  type LoadBalancerMetrics,
  ServiceOverviewDashboard,
} from "./dashboard";

/**
 * Grafana's authentication type for "Workspace IAM role": credentials of the role attached to the
 * Amazon Managed Grafana workspace (the AWS SDK's EC2 role provider). AMG enables it; self-hosted
 * Grafana does not by default.
 */
export const WORKSPACE_IAM_ROLE_AUTH = "ec2_iam_role";

const AMP_QUERY_URL =
  /^https:\/\/aps-workspaces\.([a-z0-9-]+)\.amazonaws\.com\/workspaces\/(ws-[A-Za-z0-9-]+)\/?$/;
const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const ALB_ARN_SUFFIX = /^app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;
const TARGET_GROUP_ARN_SUFFIX = /^targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{16}$/;

/** Properties of {@link ServiceDashboards}. */
export interface ServiceDashboardsProps {
  /** Project and environment the titles and uids derive from. */
  readonly naming: ResourceNaming;
  /** Region the data sources query (and sign their requests for). */
  readonly region: string;
  /**
   * The AMP workspace's Prometheus endpoint (`aws_prometheus_workspace.prometheus_endpoint`,
   * `https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>/`), in `region`.
   */
  readonly prometheusWorkspaceQueryUrl: string;
  /**
   * The AMP workspace id (`ws-...`), for its CloudWatch usage metrics.
   * @default - read from `prometheusWorkspaceQueryUrl` (in TypeScript for a literal, with Terraform's `regex` for a token)
   */
  readonly prometheusWorkspaceId?: string;
  /** Name of the ECS cluster of the service. */
  readonly ecsClusterName: string;
  /** Name of the ECS service. */
  readonly ecsServiceName: string;
  /**
   * `arn_suffix` of the service's load balancer (`app/<name>/<id>`). Set it together with
   * `targetGroupArnSuffix`.
   * @default - no load balancer panels
   */
  readonly albArnSuffix?: string;
  /**
   * `arn_suffix` of the service's target group (`targetgroup/<name>/<id>`). Set it together with `albArnSuffix`.
   * @default - no load balancer panels
   */
  readonly targetGroupArnSuffix?: string;
}

/**
 * An environment's Grafana content for one service: a folder `<project> <environment>`, the Amazon
 * Managed Prometheus data source (SigV4 with the workspace's IAM role, `POST` queries) and the
 * CloudWatch data source (same role, the environment's region), and the service overview dashboard
 * in the folder, wired to both data sources by uid. Uids derive from the naming, so they are stable
 * across applies and unique per environment in a shared Grafana workspace.
 *
 * It needs a Grafana provider in its stack (the stack configures the provider's URL and token).
 */
export class ServiceDashboards extends Construct {
  /** The folder (`grafana_folder`). */
  public readonly folder: GrafanaFolder;
  /** The Amazon Managed Prometheus data source. */
  public readonly prometheus: GrafanaDataSource;
  /** The CloudWatch data source. */
  public readonly cloudWatch: GrafanaDataSource;
  /** The service overview dashboard. */
  public readonly dashboard: GrafanaDashboard;

  constructor(scope: Construct, id: string, props: ServiceDashboardsProps) {
    super(scope, id);
    const loadBalancer = validate(props);
    const naming = props.naming;
    const prefix = resourceName(naming);

    this.folder = new GrafanaFolder(this, "folder", {
      title: `${naming.projectName} ${naming.environment}`,
      uid: limitedName(NAME_LIMITS.grafanaUid, naming),
    });
    this.prometheus = new GrafanaDataSource(this, "prometheus", {
      type: AMAZON_PROMETHEUS_DATA_SOURCE_TYPE,
      name: `${prefix} Amazon Managed Prometheus`,
      uid: limitedName(NAME_LIMITS.grafanaUid, naming, "amp"),
      url: props.prometheusWorkspaceQueryUrl,
      accessMode: "proxy",
      jsonDataEncoded: JSON.stringify({
        httpMethod: "POST",
        sigV4Auth: true,
        sigV4AuthType: WORKSPACE_IAM_ROLE_AUTH,
        sigV4Region: props.region,
      }),
    });
    this.cloudWatch = new GrafanaDataSource(this, "cloudwatch", {
      type: CLOUDWATCH_DATA_SOURCE_TYPE,
      name: `${prefix} CloudWatch`,
      uid: limitedName(NAME_LIMITS.grafanaUid, naming, "cloudwatch"),
      accessMode: "proxy",
      jsonDataEncoded: JSON.stringify({ authType: WORKSPACE_IAM_ROLE_AUTH, defaultRegion: props.region }),
    });

    const model = ServiceOverviewDashboard({
      uid: limitedName(NAME_LIMITS.grafanaUid, naming, "service"),
      title: `${naming.projectName} ${naming.environment}: service overview`,
      tags: ["cdktf", naming.projectName, naming.environment],
      region: props.region,
      cloudWatch: { type: this.cloudWatch.typeInput, uid: this.cloudWatch.uid },
      prometheus: { type: this.prometheus.typeInput, uid: this.prometheus.uid },
      ecsClusterName: props.ecsClusterName,
      ecsServiceName: props.ecsServiceName,
      prometheusWorkspaceId: props.prometheusWorkspaceId ?? workspaceIdOf(props.prometheusWorkspaceQueryUrl),
      loadBalancer,
    });
    this.dashboard = new GrafanaDashboard(this, "service_overview", {
      folder: this.folder.uid,
      configJson: JSON.stringify(model),
      overwrite: true,
    });
  }
}

/** The AMP workspace id of a query URL: parsed when literal, a Terraform `regex` when a token. */
function workspaceIdOf(queryUrl: string): string {
  if (isUnresolved(queryUrl)) {
    return Token.asString(Fn.element(Fn.regex("workspaces/(ws-[A-Za-z0-9-]+)", queryUrl), 0));
  }
  return AMP_QUERY_URL.exec(queryUrl)![2]!;
}

function validate(props: ServiceDashboardsProps): LoadBalancerMetrics | undefined {
  const literal = (value: string) => !isUnresolved(value);
  const region = props.region;

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
