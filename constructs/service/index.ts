export * from "./fargate-service";
