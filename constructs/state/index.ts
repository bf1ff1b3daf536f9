export { TerraformStateStore, type TerraformStateStoreProps } from "./terraform-state-store";
