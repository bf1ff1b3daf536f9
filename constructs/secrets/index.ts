export * from "./connection-secret";
export * from "./runtime-secrets";
