export * from "./bindings";
export * from "./dashboard";
