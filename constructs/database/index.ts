export * from "./aurora-postgres-cluster";
export * from "./dynamodb-table";
export * from "./postgres-credentials";
export * from "./postgres-instance";
