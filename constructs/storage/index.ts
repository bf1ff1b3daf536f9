export * from "./data-bucket";
export * from "./elastic-file-system";
