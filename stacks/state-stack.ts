import { LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { githubOidcProvider } from "../constructs/ci";
import { invalid } from "../constructs/core/validation";
import { TerraformStateStore } from "../constructs/state";
import type { StateConfig } from "../environments";
import { useRemoteState } from "./backend";
import { addAwsProvider } from "./providers";

/**
 * Where a state store's stack keeps its own state.
 * - `local`: `terraform.<stack id>.tfstate` at the repository root (`terraform.state.tfstate` for the
 *   `state` stack): the first apply, when the bucket does not exist yet.
 * - `s3`: the bucket this stack created, key `<stack id>/terraform.tfstate`, locked like every other stack.
 */
export type StateBackend = "local" | "s3";

/** Properties of {@link StateStack}. */
export interface StateStackProps {
  /** The checked settings of one store of `environments/state.ts`. */
  readonly state: StateConfig;
  /**
   * Where this stack's own state lives. Bootstrap with `local`, then switch to `s3` and run
   * `terraform -chdir=cdktf.out/stacks/<id> init -migrate-state` to move the state into the bucket.
   * @default "local"
   */
  readonly backend?: StateBackend;
}

/**
 * One AWS account's bootstrap (a store of `environments/state.ts`: `state` for the store named
 * `default`, else `state-<name>`), deployed once by an administrator before any environment of it:
 * the Terraform state bucket, the lock table, their KMS key and (optionally) the GitHub Actions OIDC
 * provider that the environments' CI roles trust. It runs in the `default` workspace.
 *
 * Bootstrapping (README, Remote state):
 * 1. `cdktf deploy <id>` with the local backend: the state file is `terraform.<id>.tfstate` at the
 *    repository root (git-ignored; keep it until step 3).
 * 2. Set the stack's backend to `s3` (the `backend` prop) and synthesize again.
 * 3. `terraform -chdir=cdktf.out/stacks/<id> init -migrate-state` and answer yes: Terraform copies the
 *    local state into the bucket. Delete the local file afterwards.
 */
export class StateStack extends TerraformStack {
  /** The state bucket, lock table and key. */
  readonly store: TerraformStateStore;
  /** ARN of the GitHub Actions OIDC provider, when this stack creates it. */
  readonly githubOidcProviderArn?: string;

  constructor(scope: Construct, id: string, props: StateStackProps) {
    super(scope, id);
    const { state } = props;
    const backend = props.backend ?? "local";

    addAwsProvider(this, {
      region: state.region,
      tags: { Project: state.projectName, Stack: id, ManagedBy: "cdktf" },
      accountId: state.accountId,
    });

    if (backend === "local") {
      // Terraform runs in cdktf.out/stacks/<id>; the file lands at the repository root, outside the
      // synth output folder, where a later synth cannot remove it.
      new LocalBackend(this, { path: `../../../terraform.${id}.tfstate` });
    } else if (backend === "s3") {
      useRemoteState(this, state, id);
    } else {
      throw invalid(
        "backend",
        'must be "local" or "s3"',
        backend,
        'Use "local" for the first apply, then "s3" and terraform init -migrate-state.',
      );
    }

    this.store = new TerraformStateStore(this, "terraform-state", {
      bucketName: state.bucketName,
      lockTableName: state.lockTableName,
      noncurrentVersionRetentionDays: state.noncurrentVersionRetentionDays,
      existingBucket: state.existingBucket,
    });

    new TerraformOutput(this, "state_bucket_name", {
      value: this.store.bucketName,
      description: "S3 bucket holding every stack's Terraform state",
    });
    new TerraformOutput(this, "lock_table_name", {
      value: this.store.lockTableName,
      description: "DynamoDB table the S3 backend locks states in",
    });
    new TerraformOutput(this, "state_kms_key_arn", {
      value: this.store.kmsKeyArn,
      description: "KMS key encrypting the state bucket and the lock table",
    });

    if (state.githubOidcProvider) {
      const provider = githubOidcProvider(this, "github-oidc-provider");
      this.githubOidcProviderArn = provider.arn;
      new TerraformOutput(this, "github_oidc_provider_arn", {
        value: provider.arn,
        description: "IAM OIDC provider GitHub Actions jobs authenticate with (trusted by the CI roles)",
      });
    }
  }
}
