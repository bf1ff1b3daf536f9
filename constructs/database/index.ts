export * from "./aurora-postgres-cluster";
export * from "./postgres-credentials";
export * from "./postgres-instance";
