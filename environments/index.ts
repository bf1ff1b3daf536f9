import prod from "./prod";
import { type EnvironmentConfig, parseEnvironment } from "./schema";
import staging from "./staging";
import { parseState, type StateConfig, state } from "./state";

/** Every environment this repository deploys, checked against the schema. */
export function loadEnvironments(): EnvironmentConfig[] {
  return [
    parseEnvironment(staging, "environments/staging.ts"),
    parseEnvironment(prod, "environments/prod.ts"),
  ];
}

/** The bootstrap stack's settings, checked. */
export function loadState(): StateConfig {
  return parseState(state);
}

export { defineEnvironment, type EnvironmentConfig, type EnvironmentInput, parseEnvironment } from "./schema";
export type { StateConfig } from "./state";
