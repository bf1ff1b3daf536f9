export * from "./grafana-token-rotation";
export * from "./grafana-workspace";
export * from "./prometheus";
