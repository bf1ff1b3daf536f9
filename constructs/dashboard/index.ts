export * from "./cloudwatch-dashboard";
