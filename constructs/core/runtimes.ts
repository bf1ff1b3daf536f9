/**
 * The one Lambda runtime every function of this repository runs on, and the esbuild target derived
 * from it. `nodejs22.x` is the newest runtime `hashicorp/aws` 5.100.0 accepts (`nodejs24.x` fails its
 * validation); the policy rule LAMBDA-006 fails 120 days before AWS blocks updates of it (README:
 * Upgrading the Lambda runtime).
 */
export const LAMBDA_NODEJS_RUNTIME = "nodejs22.x";

/** esbuild's `target` for bundles that run on {@link LAMBDA_NODEJS_RUNTIME}: `node22`. */
export const LAMBDA_BUNDLE_TARGET = `node${/^nodejs(\d+)\.x$/.exec(LAMBDA_NODEJS_RUNTIME)![1]}`;

/**
 * The CloudWatch Synthetics runtime every canary runs on: Node.js with Playwright (the canary's
 * handler file at the zip's root). Policy rule CANARY-001 fails on a deprecated one.
 */
export const SYNTHETICS_NODEJS_RUNTIME = "syn-nodejs-playwright-9.0";
