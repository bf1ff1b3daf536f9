import { stackMatrix } from "./stack-matrix";

/**
 * The Terraform workspace each stack runs in: an environment's stacks in its workspace, a state
 * store's stack in `default`.
 */
export function stackWorkspaces(): Record<string, string> {
  return Object.fromEntries(stackMatrix().map((e) => [e.stack, e.workspace]));
}
