export * from "./bindings";
export * from "./dashboard";
export * from "./service-dashboards";
