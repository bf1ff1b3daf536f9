export * from "./alerts";
