import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { GrafanaWorkspace as GrafanaWorkspaceResource } from "@cdktf/provider-aws/lib/grafana-workspace";
import { GrafanaWorkspaceServiceAccount } from "@cdktf/provider-aws/lib/grafana-workspace-service-account";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { AMG_GRAFANA_VERSIONS } from "../core/aws-limits";
import { policyDocument, serviceTrustPolicy } from "../core/iam";
import { limitedName, NAME_LIMITS, type ResourceNaming, stableSuffix } from "../core/naming";
import { invalid, isUnresolved } from "../core/validation";

/** Properties of {@link GrafanaWorkspace}. */
export interface GrafanaWorkspaceProps {
  /** Project and environment the workspace name derives from. */
  readonly naming: ResourceNaming;
  /** The Prometheus workspace Grafana may query (through the workspace IAM role). */
  readonly prometheus: { readonly workspaceArn: string };
  /**
   * Changing it changes the workspace name's suffix, which replaces the workspace: the seed's way out
   * of a workspace name conflict.
   * @default "1"
   */
  readonly suffixSeed?: string;
  /**
   * Grafana version of the workspace. The Amazon Managed Prometheus data source needs 12 or later.
   * @default "12.4"
   */
  readonly grafanaVersion?: string;
  /**
   * Numeric id of an existing Grafana service account to use instead of creating one
   * (the seed's manual bootstrap).
   * @default - a service account with the Admin role is created
   */
  readonly serviceAccountId?: string;
}

/**
 * An Amazon Managed Grafana workspace with AWS IAM Identity Center sign-in, service-managed
 * permissions, a pinned Grafana version, a workspace role that may query exactly one Prometheus
 * workspace and read CloudWatch metrics, and an Admin service account for automation.
 */
export class GrafanaWorkspace extends Construct {
  /** Workspace id (`g-...`). */
  public readonly workspaceId: string;
  /** Workspace ARN. */
  public readonly workspaceArn: string;
  /** The workspace's URL, `https://<endpoint>`. */
  public readonly url: string;
  /** Workspace name: `<project>-<environment>-<suffix>`. */
  public readonly workspaceName: string;
  /** Numeric id of the service account that owns the automation token. */
  public readonly serviceAccountId: string;
  /** ARN of the role the workspace assumes to read data sources. */
  public readonly roleArn: string;

  constructor(scope: Construct, id: string, props: GrafanaWorkspaceProps) {
    super(scope, id);
    const suffixSeed = props.suffixSeed ?? "1";
    const grafanaVersion = props.grafanaVersion ?? "12.4";
    if (!/^\d+\.\d+$/.test(grafanaVersion)) {
      throw invalid(
        "grafanaVersion",
        "must be an Amazon Managed Grafana version such as 12.4",
        grafanaVersion,
        "Use a version the service offers.",
      );
    }
    if (Number(grafanaVersion.split(".")[0]) >= 12 && !AMG_GRAFANA_VERSIONS.includes(grafanaVersion)) {
      throw invalid(
        "grafanaVersion",
        `must be a version Amazon Managed Grafana offers (${AMG_GRAFANA_VERSIONS.join(", ")})`,
        grafanaVersion,
        'Use "12.4".',
      );
    }
    if (Number(grafanaVersion.split(".")[0]) < 12) {
      throw invalid(
        "grafanaVersion",
        "must be 12 or later (the Amazon Managed Prometheus data source needs it)",
        grafanaVersion,
        'Use "12.4".',
      );
    }
    if (
      props.serviceAccountId !== undefined &&
      !isUnresolved(props.serviceAccountId) &&
      !/^\d+$/.test(props.serviceAccountId)
    ) {
      throw invalid(
        "serviceAccountId",
        "must be the numeric id of a Grafana service account",
        props.serviceAccountId,
        "Copy it from aws grafana list-workspace-service-accounts.",
      );
    }

    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");
    const region = new DataAwsRegion(this, "region");
    this.workspaceName = limitedName(
      NAME_LIMITS.grafanaWorkspace,
      props.naming,
      stableSuffix(6, props.naming.projectName, props.naming.environment, suffixSeed),
    );

    const role = new IamRole(this, "role", {
      name: limitedName(NAME_LIMITS.iamRole, props.naming, "grafana-workspace"),
      description: "Lets the Grafana workspace query its Prometheus workspace and CloudWatch metrics",
      assumeRolePolicy: serviceTrustPolicy("grafana.amazonaws.com", {
        StringEquals: { "aws:SourceAccount": account.accountId },
        ArnLike: {
          "aws:SourceArn": `arn:${partition.partition}:grafana:${region.name}:${account.accountId}:/workspaces/*`,
        },
      }),
    });
    new IamRolePolicy(this, "role-policy", {
      name: "read-data-sources",
      role: role.name,
      policy: policyDocument([
        {
          sid: "QueryPrometheus",
          actions: ["aps:QueryMetrics", "aps:GetLabels", "aps:GetSeries", "aps:GetMetricMetadata"],
          resources: [props.prometheus.workspaceArn],
        },
        {
          // CloudWatch metric reads have no resource-level scope in IAM.
          sid: "ReadCloudWatchMetrics",
          actions: ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "cloudwatch:GetMetricStatistics"],
          resources: ["*"],
        },
      ]),
    });

    const workspace = new GrafanaWorkspaceResource(this, "workspace", {
      name: this.workspaceName,
      description: `${props.naming.projectName} ${props.naming.environment} dashboards`,
      accountAccessType: "CURRENT_ACCOUNT",
      authenticationProviders: ["AWS_SSO"],
      permissionType: "SERVICE_MANAGED",
      grafanaVersion,
      dataSources: ["PROMETHEUS", "CLOUDWATCH"],
      roleArn: role.arn,
    });

    if (props.serviceAccountId === undefined) {
      const serviceAccount = new GrafanaWorkspaceServiceAccount(this, "service-account", {
        workspaceId: workspace.id,
        name: "terraform-automation",
        grafanaRole: "ADMIN",
      });
      this.serviceAccountId = serviceAccount.serviceAccountId;
    } else {
      this.serviceAccountId = props.serviceAccountId;
    }
    this.workspaceId = workspace.id;
    this.workspaceArn = workspace.arn;
    this.url = `https://${workspace.endpoint}`;
    this.roleArn = role.arn;
  }
}
