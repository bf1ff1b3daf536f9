/**
 * The construct library's shared, public helpers: what constructs, stacks, environment schemas, the
 * policy suite and tests all use (errors, AWS limits and shared defaults, naming, IAM documents,
 * Lambda bundling and runtime, the suppression format). Helpers only constructs use stay in
 * `constructs/internal/`.
 */
export * from "./aws-limits";
export * from "./bundle";
export * from "./connections";
export * from "./defaults";
export * from "./iam";
export * from "./naming";
export * from "./runtimes";
export * from "./suppressions";
export * from "./validation";
