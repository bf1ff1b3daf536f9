export * from "./api-domain";
