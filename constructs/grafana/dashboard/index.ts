export * from "./builder";
export * from "./model";
export * from "./service-overview";
