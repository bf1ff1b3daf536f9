export * from "./workspace-guard";
