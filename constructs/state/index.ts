export { StateKey, type StateKeyProps } from "./state-key";
export {
  stateKeyAlias,
  stateObjectKey,
  TerraformStateStore,
  type TerraformStateStoreProps,
  WORKSPACE_KEY_PREFIX,
} from "./terraform-state-store";
