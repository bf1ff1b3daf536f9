export * from "./runtime-secrets";
