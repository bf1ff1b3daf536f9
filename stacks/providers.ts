import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { TerraformStack } from "cdktf";
import type { PlatformEnvironment } from "../environments";

/** Settings of a stack's AWS provider. */
export interface AwsProviderSettings {
  readonly region: string;
  /** Tags every resource of the stack carries. */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * The only AWS account the stack may run against (`allowed_account_ids`): Terraform refuses
   * credentials of any other account before it reads or changes anything.
   * @default - any account the credentials belong to
   */
  readonly accountId?: string;
}

/** Terraform the stacks need: 1.10 brought the S3 backend's `use_lockfile` and ephemeral resources. */
export const REQUIRED_TERRAFORM_VERSION = ">= 1.10.0";

/**
 * Adds the AWS provider with default tags, writes its source fully qualified (`hashicorp/aws`:
 * cdktf writes the short `aws`, which OpenTofu resolves differently), and declares the Terraform
 * version every stack needs.
 */
export function addAwsProvider(stack: TerraformStack, settings: AwsProviderSettings): AwsProvider {
  const provider = new AwsProvider(stack, "aws", {
    region: settings.region,
    defaultTags: [{ tags: { ...settings.tags } }],
    ...(settings.accountId ? { allowedAccountIds: [settings.accountId] } : {}),
  });
  stack.addOverride("terraform.required_providers.aws.source", "hashicorp/aws");
  stack.addOverride("terraform.required_version", REQUIRED_TERRAFORM_VERSION);
  return provider;
}

/** The default tags of an environment's stacks: project, environment, `ManagedBy`, then the environment's own tags. */
export function environmentTags(env: PlatformEnvironment): Record<string, string> {
  return {
    Project: env.projectName,
    Environment: env.environment,
    // The state bucket's policy keeps every role tagged with a workspace to that workspace's states.
    TerraformWorkspace: env.workspace,
    ManagedBy: "cdktf",
    ...env.tags,
  };
}
