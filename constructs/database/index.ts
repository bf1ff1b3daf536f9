export * from "./postgres-instance";
