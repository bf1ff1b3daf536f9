export * from "./aurora-postgres-cluster";
export * from "./database-migrations";
export * from "./dynamodb-table";
export * from "./postgres-credentials";
export * from "./postgres-instance";
