import { Annotations, TerraformOutput, type TerraformResource, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { AccessRoles } from "../../constructs/access";
import { Alerts } from "../../constructs/alerts";
import { ApiDomain } from "../../constructs/api-domain";
import { GithubDeployRoles } from "../../constructs/ci";
import { AppKey } from "../../constructs/keys";
import { Network } from "../../constructs/network";
import {
  type FunctionCode,
  GrafanaTokenRotation,
  GrafanaWorkspace,
  Prometheus,
} from "../../constructs/observability";
import { RuntimeSecrets } from "../../constructs/secrets";
import { EcsCluster, FargateService } from "../../constructs/service";
import { StateKey, stateObjectKey } from "../../constructs/state";
import { WorkspaceGuard } from "../../constructs/workspace-guard";
import type { StateConfig } from "../../environments";
import { POLICY_SETTINGS_KEY } from "../../policy/rules/observability";
import { adoptExisting } from "../adoption";
import { useRemoteState } from "../backend";
import { addAwsProvider, environmentTags } from "../providers";
import { imageTagVariable } from "../variables";
import type { EnvironmentConfig } from "./settings";

/** Properties of {@link EnvironmentStack}. */
export interface EnvironmentStackProps {
  /** The checked environment settings. */
  readonly environment: EnvironmentConfig;
  /** Where the state lives (the bootstrap stack's bucket and lock table). */
  readonly state: StateConfig;
  /** The bundled Grafana token rotation function. */
  readonly rotationCode: FunctionCode;
  /**
   * Ids of every stack of this environment that keeps state in its workspace (this one and its
   * Grafana stack): the CI roles use these states and no others.
   */
  readonly stateStackIds: readonly string[];
}

/**
 * One environment's application infrastructure: network, keys, runtime secrets, the bot service,
 * the optional API domain, critical alerts and the CI deploy roles, in its own workspace.
 */
export class EnvironmentStack extends TerraformStack {
  /** The environment this stack deploys. */
  public readonly environment: EnvironmentConfig;
  public readonly key: AppKey;
  public readonly network: Network;
  public readonly cluster: EcsCluster;
  public readonly service: FargateService;
  public readonly apiDomain?: ApiDomain;
  public readonly alerts: Alerts;
  public readonly prometheus: Prometheus;
  public readonly grafana: GrafanaWorkspace;
  public readonly tokenRotation: GrafanaTokenRotation;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id);
    const env = props.environment;
    this.environment = env;
    const naming = { projectName: env.projectName, environment: env.environment };

    addAwsProvider(this, { region: env.region, tags: environmentTags(env), accountId: env.accountId });
    useRemoteState(this, props.state, id);
    new WorkspaceGuard(this, "workspace-guard", { workspace: env.workspace, stackName: id });
    // The policy suite's LOG-003 reads the environment's floor from here.
    this.addOverride(`//.${POLICY_SETTINGS_KEY}.log_retention_floor_days`, env.logRetentionFloorDays);

    const imageTag = imageTagVariable(this, "the bot image");

    this.key = new AppKey(this, "app-general", { naming });
    this.network = new Network(this, "network", {
      naming,
      cidr: env.network.cidr,
      availabilityZones: env.network.availabilityZones,
      natGateways: env.network.natGateways,
      vpcEndpoints: env.network.vpcEndpoints,
      flowLogRetentionDays: env.network.flowLogRetentionDays,
      encryptionKey: this.key,
      region: env.region,
    });
    const access = new AccessRoles(this, "access", env.access);
    const secrets = new RuntimeSecrets(this, "runtime-secrets", {
      naming,
      encryptionKey: this.key,
      recoveryWindowDays: env.deletionProtection ? 30 : 7,
      writers: [access.operatorRoleArn],
      policyAdministrators: [access.breakGlassRoleArn],
    });

    if (env.apiDomain) {
      this.apiDomain = new ApiDomain(this, "api-domain", {
        naming,
        network: this.network,
        domainName: env.apiDomain,
        certificateArn: env.apiCertArn,
        hostedZoneName: env.hostedZoneName,
        targetPort: env.service.containerPort,
        healthCheckPath: env.service.healthCheckPath,
        deletionProtection: env.deletionProtection,
      });
    }

    // The cluster keeps the service's name (`<project>-<env>-bot`): a new name would replace it.
    this.cluster = new EcsCluster(this, "cluster", { naming, name: "bot" });
    this.service = new FargateService(this, "service", {
      naming,
      cluster: this.cluster,
      network: this.network,
      encryptionKey: this.key,
      secrets,
      imageTag: imageTag.stringValue,
      cpu: env.service.cpu,
      memoryMiB: env.service.memoryMiB,
      desiredCount: env.service.desiredCount,
      containerPort: env.service.containerPort,
      capacity: env.service.capacity,
      autoscaling: env.service.autoscaling,
      ecrKeepImages: env.service.ecrKeepImages,
      logRetentionDays: env.logRetentionDays,
      environmentVariables: env.service.environmentVariables,
      loadBalancer: this.apiDomain,
    });

    // Every environment has the topic and the alarms; alertEmail only adds the email subscription.
    this.alerts = new Alerts(this, "alerts", { naming, encryptionKey: this.key, email: env.alertEmail });
    if (!env.alertEmail && env.deletionProtection) {
      Annotations.of(this).addWarning(
        `environment ${env.environment} has deletion protection but no alertEmail, so nobody is told when an alarm fires (the topic ${this.alerts.topicName} has no subscriber). Set alertEmail in its environment file, or subscribe to the topic yourself.`,
      );
    }
    // With no task meant to run, "no running tasks" would sit in ALARM by configuration.
    if (this.service.desiredCount > 0) {
      this.alerts.alarmOnNoRunningTasks(this.service);
    }
    if (this.apiDomain) {
      this.alerts.alarmOnTarget5xx(this.apiDomain);
      this.alerts.alarmOnUnhealthyHosts(this.apiDomain);
    }

    this.prometheus = new Prometheus(this, "prometheus", {
      naming,
      encryptionKey: this.key,
      logging: env.observability.prometheusLogging,
      logRetentionDays: env.logRetentionDays,
    });
    this.grafana = new GrafanaWorkspace(this, "grafana", {
      naming,
      prometheus: this.prometheus,
      suffixSeed: env.grafanaSuffixSeed,
      grafanaVersion: env.observability.grafanaVersion,
      serviceAccountId: env.observability.grafanaServiceAccountId,
    });
    const ci = new GithubDeployRoles(this, "ci", {
      naming,
      githubRepository: env.ci.githubRepository,
      githubEnvironment: env.ci.githubEnvironment,
      stateBucketName: props.state.bucketName,
      lockTableName: props.state.lockTableName,
      stateKmsKeyArn: new StateKey(this, "state-key", { bucketName: props.state.bucketName }).keyArn,
      stateObjectKeys: props.stateStackIds.map((stack) => stateObjectKey(stack, env.workspace)),
      workspace: env.workspace,
      environmentKeyArn: this.key.keyArn,
      environmentTag: env.environment,
      dnsNames: env.apiDomain ? [env.apiDomain, `*.${env.apiDomain}`] : [],
    });
    // Every role of the stack, the CI roles included, carries the environment's boundary.
    ci.boundary.applyToRolesIn(this);

    this.tokenRotation = new GrafanaTokenRotation(this, "grafana-token", {
      naming,
      workspace: this.grafana,
      encryptionKey: this.key,
      code: props.rotationCode,
      intervalDays: env.observability.tokenRotationIntervalDays,
      logRetentionDays: env.logRetentionDays,
      reservedConcurrency: env.observability.tokenRotationReservedConcurrency,
      alerts: this.alerts,
      secretAccess: {
        // The Grafana stack's provider reads the token as the deploy role (CI), or as the break-glass
        // role when an administrator runs the bootstrap from a workstation.
        readers: [ci.deployRoleArn, access.breakGlassRoleArn],
        writers: [access.operatorRoleArn],
        policyAdministrators: [access.breakGlassRoleArn],
      },
    });

    this.movedFromBeforeTheLibrarySplit();
    // Running resources this environment takes over (adopt.imports), once every resource exists.
    adoptExisting(this, env);
    this.outputs(ci, secrets);
  }

  /**
   * Resources that moved when the construct library split the cluster and the image repository out of
   * the service and the rotation function into a LambdaFunction (issue 11): `moved` blocks from their old addresses, so Terraform moves them in state
   * instead of destroying and recreating them (test/addresses.test.ts checks every recorded address).
   */
  private movedFromBeforeTheLibrarySplit(): void {
    this.cluster.resource.moveFromId("aws_ecs_cluster.service_cluster_B81F1F5D");
    this.cluster.capacityProviders.moveFromId(
      "aws_ecs_cluster_capacity_providers.service_capacity-providers_FD1C958E",
    );
    this.service.repository.resource.moveFromId("aws_ecr_repository.service_repository_EBF276BE");
    this.service.repository.lifecycle.moveFromId(
      "aws_ecr_lifecycle_policy.service_repository-lifecycle_5C61A57F",
    );
    // The rotation function became a LambdaFunction construct inside the rotation.
    const rotation = this.tokenRotation.function;
    rotation.logGroup.moveFromId("aws_cloudwatch_log_group.grafana-token_logs_31142E68");
    rotation.role.moveFromId("aws_iam_role.grafana-token_role_8384F095");
    rotation.rolePolicy.moveFromId("aws_iam_role_policy.grafana-token_role-policy_FD133633");
    rotation.resource.moveFromId("aws_lambda_function.grafana-token_function_10CF91CD");
    // The API domain's load balancer became an ApplicationLoadBalancer construct inside it.
    if (this.apiDomain) {
      const lb = this.apiDomain.loadBalancer.resources;
      lb.securityGroup.moveFromId("aws_security_group.api-domain_security-group_7F43D60E");
      lb.ingress[0]!.moveFromId("aws_vpc_security_group_ingress_rule.api-domain_ingress-80-ipv4_C9664869");
      lb.ingress[1]!.moveFromId("aws_vpc_security_group_ingress_rule.api-domain_ingress-443-ipv4_10177F5B");
      lb.loadBalancer.moveFromId("aws_lb.api-domain_alb_BCA55C7E");
      lb.httpListener!.moveFromId("aws_lb_listener.api-domain_http_3B7EB197");
      lb.httpsListener.moveFromId("aws_lb_listener.api-domain_https_7276A6C7");
      lb.targetGroups.api!.moveFromId("aws_lb_target_group.api-domain_targets_629BDC2B");
      // The load balancer to tasks rules, from the connections API (named by the two sides).
      const rules = this.service.node;
      (rules.findChild("ingress-from-api") as TerraformResource).moveFromId(
        "aws_vpc_security_group_ingress_rule.service_ingress-from-alb_0FE28614",
      );
      (rules.findChild("api-egress-to-bot") as TerraformResource).moveFromId(
        "aws_vpc_security_group_egress_rule.service_alb-egress-to-tasks_22AE7EB4",
      );
    }
  }

  private outputs(ci: GithubDeployRoles, secrets: RuntimeSecrets): void {
    const out = (id: string, value: string | string[], description: string) =>
      new TerraformOutput(this, id, { value, description });
    out("vpc_id", this.network.vpcId, "ID of the VPC");
    out("private_subnet_ids", this.network.privateSubnetIds, "Private subnets the tasks run in");
    out("public_subnet_ids", this.network.publicSubnetIds, "Public subnets of the load balancer");
    out("app_general_kms_key_arn", this.key.keyArn, "ARN of the app_general KMS key");
    out("ecr_repository_url", this.service.repositoryUrl, "Push bot images here: docker push <url>:<tag>");
    out("ecs_cluster_name", this.service.clusterName, "ECS cluster of the bot service");
    out(
      "ecs_service_name",
      this.service.serviceName,
      "ECS service of the bot (aws ecs update-service --force-new-deployment)",
    );
    out(
      "runtime_secret_names",
      secrets.secretNames,
      "Secrets Manager secrets to set values for (put-secret-value)",
    );
    out(
      "ci_plan_role_arn",
      ci.planRoleArn,
      "Role for CI plans: set as the GitHub repository variable AWS_PLAN_ROLE_ARN_<ENV> (for example AWS_PLAN_ROLE_ARN_STAGING)",
    );
    out(
      "ci_deploy_role_arn",
      ci.deployRoleArn,
      "Role for CI applies: set as the GitHub environment variable AWS_DEPLOY_ROLE_ARN",
    );
    out("prometheus_workspace_id", this.prometheus.workspaceId, "Amazon Managed Prometheus workspace id");
    out(
      "prometheus_endpoint",
      this.prometheus.endpoint,
      "Prometheus-compatible query endpoint of the workspace",
    );
    out(
      "prometheus_remote_write_url",
      this.prometheus.remoteWriteUrl,
      "Where agents remote-write samples (SigV4)",
    );
    out("grafana_workspace_id", this.grafana.workspaceId, "Amazon Managed Grafana workspace id");
    out("grafana_url", this.grafana.url, "URL of the Grafana workspace");
    out(
      "grafana_service_account_id",
      this.grafana.serviceAccountId,
      "Grafana service account whose token is rotated",
    );
    out(
      "grafana_token_secret_arn",
      this.tokenRotation.secretArn,
      "Secret holding the current Grafana token (never printed)",
    );
    out(
      "grafana_token_rotation_function",
      this.tokenRotation.functionName,
      "Force a rotation: aws lambda invoke --function-name <this> /dev/stdout",
    );
    if (this.apiDomain) {
      out("api_url", this.apiDomain.url, "Base URL of the API");
      out("alb_dns_name", this.apiDomain.albDnsName, "DNS name of the load balancer");
      out(
        "oauth_callback_url",
        `${this.apiDomain.url}/auth/discord/callback`,
        "OAuth callback URL to register with Discord",
      );
    }
    out(
      "critical_alerts_topic_arn",
      this.alerts.topicArn,
      "SNS topic of critical alerts (confirm the email subscription when alertEmail is set)",
    );
  }
}
