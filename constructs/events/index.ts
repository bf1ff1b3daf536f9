export * from "./event-bus";
export * from "./off-hours";
export * from "./queue";
export * from "./queue-rule";
export * from "./schedule";
