export { stateKeyAlias, TerraformStateStore, type TerraformStateStoreProps } from "./terraform-state-store";
