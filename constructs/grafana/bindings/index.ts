export * from "./dashboard";
export * from "./data-source";
export * from "./folder";
export {
  GRAFANA_GENERATOR_METADATA,
  GRAFANA_PROVIDER_SOURCE,
  GRAFANA_PROVIDER_VERSION_CONSTRAINT,
} from "./metadata";
export * from "./provider";
