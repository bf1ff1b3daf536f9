export * from "./elastic-file-system";
