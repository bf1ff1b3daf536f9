export * from "./lambda-function";
