export * from "./postgres-credentials";
export * from "./postgres-instance";
