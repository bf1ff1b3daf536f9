import { EcsCluster as EcsClusterResource } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { Construct } from "constructs";
import { limitedName, NAME_LIMITS, type ResourceNaming } from "../core/naming";
import { invalid } from "../core/validation";

/** Properties of {@link EcsCluster}. */
export interface EcsClusterProps {
  /** Project and environment the cluster name derives from. */
  readonly naming: ResourceNaming;
  /**
   * Cluster name suffix: the cluster is `<project>-<environment>-<name>`. Changing it replaces the
   * cluster, and every service on it.
   * @default "cluster"
   */
  readonly name?: string;
  /**
   * CloudWatch Container Insights (task and service metrics such as `RunningTaskCount`, which the
   * no-running-tasks alarm needs).
   * @default true
   */
  readonly containerInsights?: boolean;
}

/**
 * An ECS cluster for Fargate services: Container Insights on, and both Fargate capacity providers
 * (`FARGATE`, `FARGATE_SPOT`) registered, so each service chooses its own capacity strategy. Several
 * services share one cluster ({@link FargateService} takes it as `cluster`).
 */
export class EcsCluster extends Construct {
  /** Name of the cluster. */
  public readonly clusterName: string;
  /** ARN of the cluster. */
  public readonly clusterArn: string;
  /** Whether Container Insights is on. */
  public readonly containerInsights: boolean;
  /** The cluster resource (a platform that had it at another address moves it from there). */
  public readonly resource: EcsClusterResource;
  /** The capacity providers' resource (likewise). */
  public readonly capacityProviders: EcsClusterCapacityProviders;
  /**
   * The cluster's name as a plain string, known at synth: for what must name the cluster without
   * depending on it (a function the cluster's services depend on).
   */
  public readonly physicalName: string;

  constructor(scope: Construct, id: string, props: EcsClusterProps) {
    super(scope, id);
    const name = props.name ?? "cluster";
    if (!/^[a-z][a-z0-9-]{0,19}$/.test(name)) {
      throw invalid(
        "name",
        "must be 1-20 lowercase letters, digits and hyphens, starting with a letter",
        name,
        'Use a short name such as "cluster".',
      );
    }
    this.containerInsights = props.containerInsights ?? true;
    this.physicalName = limitedName(NAME_LIMITS.ecs, props.naming, name);
    const cluster = new EcsClusterResource(this, "cluster", {
      name: this.physicalName,
      setting: [{ name: "containerInsights", value: this.containerInsights ? "enabled" : "disabled" }],
    });
    const capacityProviders = new EcsClusterCapacityProviders(this, "capacity-providers", {
      clusterName: cluster.name,
      capacityProviders: ["FARGATE", "FARGATE_SPOT"],
    });
    this.clusterName = cluster.name;
    this.clusterArn = cluster.arn;
    this.resource = cluster;
    this.capacityProviders = capacityProviders;
  }
}
