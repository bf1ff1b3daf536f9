export * from "./access-roles";
