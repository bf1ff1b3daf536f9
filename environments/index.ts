import { parseStateStores, type StateConfig, stores } from "./state";

/** Every state store of environments/state.ts, checked. */
export function loadStateStores(): Readonly<Record<string, StateConfig>> {
  return parseStateStores(stores);
}

export type { PlatformEnvironment } from "./fields";
export type { StateConfig } from "./state";
