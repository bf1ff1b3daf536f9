import { loadEnvironments } from "../environments";

/**
 * The Terraform workspace each synthesized stack runs in: an environment's stacks (`<env>` and
 * `<env>-grafana`) in its workspace, the `state` bootstrap stack in `default`.
 */
export function stackWorkspaces(): Record<string, string> {
  const map: Record<string, string> = { state: "default" };
  for (const env of loadEnvironments()) {
    map[env.environment] = env.workspace;
    map[`${env.environment}-grafana`] = env.workspace;
  }
  return map;
}
