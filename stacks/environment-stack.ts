import { TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { Alerts } from "../constructs/alerts";
import { ApiDomain } from "../constructs/api-domain";
import { GithubDeployRoles } from "../constructs/ci";
import { AppKey } from "../constructs/keys";
import { Network } from "../constructs/network";
import { RuntimeSecrets } from "../constructs/secrets";
import { FargateService } from "../constructs/service";
import { WorkspaceGuard } from "../constructs/workspace-guard";
import type { EnvironmentConfig, StateConfig } from "../environments";
import { useRemoteState } from "./backend";
import { addAwsProvider } from "./providers";

/** Properties of {@link EnvironmentStack}. */
export interface EnvironmentStackProps {
  /** The checked environment settings. */
  readonly environment: EnvironmentConfig;
  /** Where the state lives (the bootstrap stack's bucket and lock table). */
  readonly state: StateConfig;
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
  public readonly service: FargateService;
  public readonly apiDomain?: ApiDomain;
  public readonly alerts?: Alerts;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id);
    const env = props.environment;
    this.environment = env;
    const naming = { projectName: env.projectName, environment: env.environment };

    addAwsProvider(this, {
      region: env.region,
      tags: { Project: env.projectName, Environment: env.environment, ManagedBy: "cdktf", ...env.tags },
    });
    useRemoteState(this, props.state, id);
    new WorkspaceGuard(this, "workspace-guard", { workspace: env.workspace, stackName: id });

    const imageTag = new TerraformVariable(this, "image_tag", {
      type: "string",
      description:
        "Tag of the bot image in the ECR repository to run (CI passes the commit SHA: -var image_tag=<sha>).",
      validation: [
        {
          condition: '${can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))}',
          errorMessage:
            "image_tag must be a Docker image tag: letters, digits, _, . and -, at most 128 characters.",
        },
      ],
    });

    this.key = new AppKey(this, "app-general", { naming });
    this.network = new Network(this, "network", {
      naming,
      cidr: env.network.cidr,
      availabilityZones: env.network.availabilityZones,
      natGateways: env.network.natGateways,
      vpcEndpoints: env.network.vpcEndpoints,
      flowLogRetentionDays: env.network.flowLogRetentionDays,
      encryptionKey: this.key,
    });
    const secrets = new RuntimeSecrets(this, "runtime-secrets", {
      naming,
      encryptionKey: this.key,
      recoveryWindowDays: env.deletionProtection ? 30 : 7,
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

    this.service = new FargateService(this, "service", {
      naming,
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

    if (env.alertEmail) {
      this.alerts = new Alerts(this, "alerts", { naming, encryptionKey: this.key, email: env.alertEmail });
      this.alerts.alarmOnNoRunningTasks(this.service);
      if (this.apiDomain) {
        this.alerts.alarmOnTarget5xx(this.apiDomain);
        this.alerts.alarmOnUnhealthyHosts(this.apiDomain);
      }
    }

    const ci = new GithubDeployRoles(this, "ci", {
      naming,
      githubRepository: env.ci.githubRepository,
      githubEnvironment: env.ci.githubEnvironment,
      stateBucketName: props.state.bucketName,
      lockTableName: props.state.lockTableName,
    });

    this.outputs(ci, secrets);
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
      "Role for CI plans: set as the GitHub variable AWS_PLAN_ROLE_ARN",
    );
    out(
      "ci_deploy_role_arn",
      ci.deployRoleArn,
      "Role for CI applies: set as the GitHub environment variable AWS_DEPLOY_ROLE_ARN",
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
    if (this.alerts) {
      out(
        "critical_alerts_topic_arn",
        this.alerts.topicArn,
        "SNS topic of critical alerts (confirm the email subscription)",
      );
    }
  }
}
