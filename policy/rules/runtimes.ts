/**
 * When AWS stops accepting each runtime, as AWS publishes it. A runtime that is not listed is
 * unknown to the policy suite and fails LAMBDA-006 / CANARY-001 until it is added here with its dates.
 *
 * Lambda: https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html (supported and
 * deprecated runtimes), read 2026-12-03. `deprecated`: end of standard support; `blockCreate` and
 * `blockUpdate`: the days AWS refuses creating, then updating, functions on the runtime.
 *
 * Synthetics: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Synthetics_Runtime_Support_Policy.html,
 * read 2026-12-03. A deprecated Synthetics runtime can no longer be used to create a canary, so its
 * deprecation date is also its block date; runtimes without a date are supported with none announced.
 */

/** Lifecycle of one runtime; dates are ISO `YYYY-MM-DD` (UTC). */
export interface RuntimeLifecycle {
  readonly deprecated?: string;
  readonly blockCreate?: string;
  readonly blockUpdate?: string;
}

/** Node.js Lambda runtimes (the only language this repository deploys). */
export const LAMBDA_RUNTIMES: Readonly<Record<string, RuntimeLifecycle>> = {
  "nodejs24.x": { deprecated: "2028-04-30", blockCreate: "2028-06-01", blockUpdate: "2028-07-01" },
  "nodejs22.x": { deprecated: "2027-04-30", blockCreate: "2027-06-01", blockUpdate: "2027-07-01" },
  "nodejs20.x": { deprecated: "2026-04-30", blockCreate: "2026-06-01", blockUpdate: "2026-07-01" },
  "nodejs18.x": { deprecated: "2025-09-01", blockCreate: "2026-02-03", blockUpdate: "2026-03-09" },
  "nodejs16.x": { deprecated: "2024-06-12", blockCreate: "2026-02-28", blockUpdate: "2026-03-31" },
  "nodejs14.x": { deprecated: "2023-12-04", blockCreate: "2024-01-09", blockUpdate: "2024-02-08" },
  "nodejs12.x": { deprecated: "2023-03-31", blockCreate: "2023-03-31", blockUpdate: "2023-04-30" },
};

/** CloudWatch Synthetics runtimes of the Node.js frameworks. */
export const CANARY_RUNTIMES: Readonly<Record<string, RuntimeLifecycle>> = {
  "syn-nodejs-playwright-9.0": {},
  "syn-nodejs-playwright-5.1": {},
  "syn-nodejs-playwright-5.0": {},
  "syn-nodejs-playwright-3.0": {},
  "syn-nodejs-playwright-2.0": {},
  "syn-nodejs-puppeteer-7.0": { deprecated: "2026-01-22" },
  "syn-nodejs-puppeteer-6.2": { deprecated: "2026-01-22" },
  "syn-nodejs-puppeteer-5.2": { deprecated: "2026-01-22" },
  "syn-nodejs-puppeteer-6.1": { deprecated: "2024-03-08" },
  "syn-nodejs-puppeteer-6.0": { deprecated: "2024-03-08" },
  "syn-nodejs-puppeteer-5.1": { deprecated: "2024-03-08" },
  "syn-nodejs-puppeteer-5.0": { deprecated: "2024-03-08" },
  "syn-nodejs-puppeteer-4.0": { deprecated: "2024-03-08" },
  "syn-nodejs-puppeteer-3.9": { deprecated: "2024-01-08" },
  "syn-nodejs-puppeteer-3.8": { deprecated: "2024-01-08" },
};

/** How many days before AWS blocks updates a runtime already fails the policy. */
export const RUNTIME_NOTICE_DAYS = 120;

const DAY_MS = 86_400_000;

/**
 * Why a runtime may no longer be shipped on `today`, or `undefined` when it may: unknown, already
 * deprecated, or within {@link RUNTIME_NOTICE_DAYS} days of the day AWS blocks updates.
 */
export function runtimeProblem(
  table: Readonly<Record<string, RuntimeLifecycle>>,
  runtime: string,
  today: Date,
): string | undefined {
  const life = table[runtime];
  if (life === undefined) {
    return `runtime ${runtime} is not in the policy's runtime table (policy/rules/runtimes.ts); add it with AWS's dates, or use a listed one`;
  }
  const at = (day: string | undefined) => (day === undefined ? undefined : Date.parse(`${day}T00:00:00Z`));
  const now = today.getTime();
  const deprecated = at(life.deprecated);
  const blocked = at(life.blockUpdate) ?? deprecated;
  if (deprecated !== undefined && now >= deprecated) {
    return `runtime ${runtime} is deprecated since ${life.deprecated}${life.blockUpdate ? ` (AWS blocks updates from ${life.blockUpdate})` : ""}; move to a supported runtime (README: Upgrading the Lambda runtime)`;
  }
  if (blocked !== undefined && now >= blocked - RUNTIME_NOTICE_DAYS * DAY_MS) {
    const day = life.blockUpdate ?? life.deprecated;
    return `runtime ${runtime}: AWS blocks updates from ${day}, less than ${RUNTIME_NOTICE_DAYS} days away; move to a newer runtime now (README: Upgrading the Lambda runtime)`;
  }
  return undefined;
}
