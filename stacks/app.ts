import type { App } from "cdktf";
import type { EnvironmentConfig, StateConfig } from "../environments";

/** What the app is built from: the checked environments and the bootstrap stack's settings. */
export interface PlatformAppProps {
  readonly environments: readonly EnvironmentConfig[];
  readonly state: StateConfig;
}

/** Adds every stack of the platform to the app: `state`, then per environment `<env>` (and later `<env>-grafana`). */
export function buildPlatform(_app: App, _props: PlatformAppProps): void {}
