export * from "./event-bus";
export * from "./queue";
export * from "./queue-rule";
export * from "./schedule";
