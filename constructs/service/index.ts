export * from "./ecs-cluster";
export * from "./fargate-service";
export * from "./image-repository";
