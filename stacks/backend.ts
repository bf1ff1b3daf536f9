import { S3Backend, type TerraformStack } from "cdktf";
import { ConfigurationError } from "../constructs/core/validation";
import { stateKeyAlias, WORKSPACE_KEY_PREFIX } from "../constructs/state";
import type { StateConfig } from "../environments";

export { WORKSPACE_KEY_PREFIX } from "../constructs/state";

/**
 * Points a stack at the S3 state bucket: encrypted with the state key (with `encrypt` alone Terraform
 * would ask S3 for AES256 and bypass the bucket's KMS default), one key per stack, a workspace key prefix,
 * and both lock mechanisms (`use_lockfile` and the DynamoDB table), the migration period Terraform
 * recommends while DynamoDB locking is deprecated.
 */
export function useRemoteState(stack: TerraformStack, state: StateConfig, stackName: string): S3Backend {
  // Never another tool's state: neither the default workspace's key nor any workspace's.
  const own = `${stackName}/terraform.tfstate`;
  const clash = state.foreignStateKeys.find(
    (key) => key === own || (key.startsWith(`${WORKSPACE_KEY_PREFIX}/`) && key.endsWith(`/${own}`)),
  );
  if (clash !== undefined) {
    throw new ConfigurationError(
      `${state.source}: \`stores.${state.name}.foreignStateKeys\` names ${JSON.stringify(clash)}, which the stack ${stackName} would write (its key is ${own}, under ${WORKSPACE_KEY_PREFIX}/<workspace>/ outside the default workspace). Rename the stack's environment, or keep its state in another store.`,
      `stores.${state.name}.foreignStateKeys`,
    );
  }
  const backend = new S3Backend(stack, {
    bucket: state.bucketName,
    key: `${stackName}/terraform.tfstate`,
    region: state.region,
    encrypt: true,
    kmsKeyId: stateKeyAlias(state.bucketName),
    dynamodbTable: state.lockTableName,
    workspaceKeyPrefix: WORKSPACE_KEY_PREFIX,
  });
  // cdktf 0.21's S3Backend has no typed `useLockfile`.
  backend.addOverride("use_lockfile", true);
  return backend;
}
