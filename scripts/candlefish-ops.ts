/**
 * `npm run ops -- <task> <stack> [...]`: the seed's Makefile tasks for any Candlefish stack
 * (`candlefish-prod`, `candlefish-dev`), with the names its settings give (README: Candlefish
 * operations). Each task is one or more AWS CLI calls, run with your credentials (`--print` only
 * prints them); `health-check` calls the API itself.
 *
 *   health-check <stack>                     GET https://<edge.domainName>/health
 *   logs <stack> <service|function> [--since 1h]   aws logs tail (core-api, workflow-engine, or a function)
 *   dashboard <stack>                        the dashboard's console URL
 *   scale-up <stack> | scale-down <stack> | scale-reset <stack>
 *   redeploy <stack> [core-api|workflow-engine]   force a new deployment
 *   restore-db <stack> <ISO time>            point-in-time restore into a new cluster (DR runbook)
 */
import { spawnSync } from "node:child_process";
import { CANDLEFISH_SERVICES, candlefishNames } from "../stacks/candlefish/names";
import { candlefish, candlefishStackId } from "../stacks/candlefish/platform";
import type { CandlefishEnvironment } from "../stacks/candlefish/settings";

/** What a task does: AWS CLI calls (argv after `aws`), a URL to open, or an HTTP check. */
export interface OpsPlan {
  readonly commands: readonly (readonly string[])[];
  readonly url?: string;
  readonly check?: string;
  readonly notes?: readonly string[];
  /** Print the commands, never run them (a runbook with values to fill in). */
  readonly printOnly?: boolean;
}

const TASKS = [
  "health-check",
  "logs",
  "dashboard",
  "scale-up",
  "scale-down",
  "scale-reset",
  "redeploy",
  "restore-db",
];

export class OpsUsageError extends Error {}

function environmentOf(stack: string, environments: readonly CandlefishEnvironment[]): CandlefishEnvironment {
  const env = environments.find((e) => candlefishStackId(e.environment) === stack);
  if (!env) {
    throw new OpsUsageError(
      `stack "${stack}" is not a Candlefish stack (${environments.map((e) => candlefishStackId(e.environment)).join(", ")}). Give one of those.`,
    );
  }
  return env;
}

/** The plan of one task for one stack, from its settings alone (nothing is read from AWS). */
export function planTask(
  task: string,
  stack: string,
  args: readonly string[],
  environments: readonly CandlefishEnvironment[] = candlefish.environments(),
): OpsPlan {
  if (!TASKS.includes(task)) throw new OpsUsageError(`task "${task}" is not one of ${TASKS.join(", ")}.`);
  const env = environmentOf(stack, environments);
  const names = candlefishNames(env);
  const region = ["--region", env.region];
  const scalable = (service: string, min: number, max: number) => [
    "application-autoscaling",
    "register-scalable-target",
    "--service-namespace",
    "ecs",
    "--scalable-dimension",
    "ecs:service:DesiredCount",
    "--resource-id",
    `service/${names.cluster}/${names.services[service as keyof typeof names.services]}`,
    "--min-capacity",
    String(min),
    "--max-capacity",
    String(max),
    ...region,
  ];
  const bounds = names.scaling;
  switch (task) {
    case "health-check":
      return { commands: [], check: `${names.apiUrl}/health` };
    case "logs": {
      const target = args[0];
      const since = args.includes("--since") ? args[args.indexOf("--since") + 1]! : "1h";
      const group = target ? names.logGroups[target] : undefined;
      if (!group) {
        throw new OpsUsageError(
          `logs needs a service or function: ${Object.keys(names.logGroups).join(", ")}.`,
        );
      }
      return { commands: [["logs", "tail", group, "--since", since, "--format", "short", ...region]] };
    }
    case "dashboard":
      return { commands: [], url: names.dashboardUrl };
    case "scale-up":
      return {
        commands: CANDLEFISH_SERVICES.map((s) => scalable(s, bounds[s].max, bounds[s].max)),
        notes: [
          "Both services now run their scaling maximum. The next apply of the stack sets the bounds back to the settings (or run scale-reset).",
        ],
      };
    case "scale-down":
      return {
        commands: CANDLEFISH_SERVICES.map((s) => scalable(s, 0, 0)),
        notes: [
          "Both services now stop (0 tasks): the API answers 503 and events wait in the workflow queue. scale-reset, or the next apply, brings them back.",
        ],
      };
    case "scale-reset":
      return { commands: CANDLEFISH_SERVICES.map((s) => scalable(s, bounds[s].min, bounds[s].max)) };
    case "redeploy": {
      const services = args[0] ? [args[0]] : [...CANDLEFISH_SERVICES];
      for (const s of services) {
        if (!(CANDLEFISH_SERVICES as readonly string[]).includes(s)) {
          throw new OpsUsageError(`redeploy takes ${CANDLEFISH_SERVICES.join(" or ")}, got "${s}".`);
        }
      }
      return {
        commands: services.map((s) => [
          "ecs",
          "update-service",
          "--cluster",
          names.cluster,
          "--service",
          names.services[s as keyof typeof names.services],
          "--force-new-deployment",
          ...region,
        ]),
      };
    }
    case "restore-db": {
      const time = args[0];
      if (!time || Number.isNaN(Date.parse(time)) || !/Z|[+-]\d\d:\d\d$/.test(time)) {
        throw new OpsUsageError(
          "restore-db needs the time to restore to, with its zone: for example 2026-12-04T09:30:00Z (within the backup retention).",
        );
      }
      const restored = `${names.dbCluster}-restored`;
      const serverless = (env.database.instanceClass ?? "db.serverless") === "db.serverless";
      return {
        commands: [
          [
            "rds",
            "restore-db-cluster-to-point-in-time",
            "--source-db-cluster-identifier",
            names.dbCluster,
            "--db-cluster-identifier",
            restored,
            "--restore-to-time",
            new Date(time).toISOString(),
            "--db-subnet-group-name",
            names.dbSubnetGroup,
            "--vpc-security-group-ids",
            "<db_security_group_id output>",
            "--kms-key-id",
            "<kms_key_arn output>",
            "--db-cluster-parameter-group-name",
            names.dbParameterGroup,
            "--enable-iam-database-authentication",
            "--engine-lifecycle-support",
            "open-source-rds-extended-support-disabled",
            "--deletion-protection",
            ...(serverless
              ? [
                  "--serverless-v2-scaling-configuration",
                  `MinCapacity=${env.database.serverless?.minAcu ?? 0.5},MaxCapacity=${env.database.serverless?.maxAcu ?? 4}`,
                ]
              : []),
            ...region,
          ],
          // One instance per instance of the stack, in its zone (the zone replaces an instance when it differs).
          ...Array.from({ length: (env.database.readers ?? 0) + 1 }, (_, i) => [
            "rds",
            "create-db-instance",
            "--db-cluster-identifier",
            restored,
            "--db-instance-identifier",
            `${restored}-${i + 1}`,
            "--engine",
            "aurora-postgresql",
            "--db-instance-class",
            env.database.instanceClass ?? "db.serverless",
            "--availability-zone",
            `<zone of ${names.dbCluster}-${i + 1}>`,
            "--ca-certificate-identifier",
            "rds-ca-rsa2048-g1",
            "--no-publicly-accessible",
            ...region,
          ]),
        ],
        printOnly: true,
        notes: [
          `A point-in-time restore creates a new cluster (${restored}) beside the running one; it never overwrites it. README: Candlefish disaster recovery says how to switch to it.`,
        ],
      };
    }
  }
  throw new OpsUsageError(`task "${task}" is not one of ${TASKS.join(", ")}.`);
}

async function main(argv: readonly string[]): Promise<number> {
  const print = argv.includes("--print");
  const [task, stack, ...rest] = argv.filter((a) => a !== "--print");
  if (!task || !stack) {
    process.stderr.write(`Usage: npm run ops -- <${TASKS.join("|")}> <stack> [...] [--print]\n`);
    return 2;
  }
  let plan: OpsPlan;
  try {
    plan = planTask(task, stack, rest);
  } catch (error) {
    if (error instanceof OpsUsageError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (plan.url) process.stdout.write(`${plan.url}\n`);
  if (plan.check) {
    process.stdout.write(`GET ${plan.check}\n`);
    if (print) return 0;
    const started = Date.now();
    try {
      const response = await fetch(plan.check, { signal: AbortSignal.timeout(10_000) });
      process.stdout.write(`${response.status} in ${Date.now() - started} ms\n`);
      return response.status === 200 ? 0 : 1;
    } catch (error) {
      process.stderr.write(`no answer: ${(error as Error).message}\n`);
      return 1;
    }
  }
  for (const command of plan.commands) {
    process.stdout.write(`aws ${command.map((a) => (/[\s<>]/.test(a) ? JSON.stringify(a) : a)).join(" ")}\n`);
    if (print || plan.printOnly) continue;
    const result = spawnSync("aws", command, { stdio: "inherit" });
    if (result.error) {
      process.stderr.write(`could not run aws: ${result.error.message} (install the AWS CLI v2)\n`);
      return 1;
    }
    if (result.status !== 0) return result.status ?? 1;
  }
  for (const note of plan.notes ?? []) process.stdout.write(`${note}\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
