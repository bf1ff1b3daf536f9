export * from "./alerts";
export * from "./catalogue";
