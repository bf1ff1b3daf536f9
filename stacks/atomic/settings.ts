import { z } from "zod";
import {
  accessField,
  checkEdge,
  checkLogRetentionFloor,
  commonFields,
  edgeField,
  failSetting,
  parseSettings,
  regionField,
  retentionDaysField,
} from "../../environments/fields";

/**
 * The Atomic Calendar platform's environment settings (seed 003; issue 15): its services as data,
 * keyed by name, and the rules that span them. Values the constructs check on their own (Fargate
 * sizes, a path pattern's characters, scaling ranges) keep the constructs' rules; these are the rules
 * between settings. The platform's stacks come next; this is the schema they will read.
 */

/** The seed's services, in its order. */
export const ATOMIC_SERVICES = [
  "app",
  "functions",
  "hasura",
  "supertokens",
  "handshake",
  "oauth",
  "optaplanner",
  "python-agent",
] as const;

/** The seed's stages (`DeploymentStage`). */
export const ATOMIC_STAGES = ["dev", "staging", "prod"] as const;

/** Characters AWS accepts in a path pattern of a listener rule (wildcards `*` and `?` included). */
const PATH_PATTERN = /^\/[A-Za-z0-9_\-.$/~"'@:+&*?]{0,127}$/;

const serviceName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,19}$/, "must be 1-20 lowercase letters, digits and hyphens");

const routeSchema = z
  .object({
    pathPatterns: z
      .array(z.string())
      .min(1, "must hold at least one path pattern")
      .max(5, "must hold at most 5 path patterns (AWS's limit per rule)"),
    priority: z
      .number()
      .int("must be a whole number")
      .min(1, "must be at least 1")
      .max(50_000, "must be at most 50000"),
    healthCheckPath: z.string().startsWith("/", "must start with /").optional(),
  })
  .strict();

const capacitySchema = z
  .object({
    /** Tasks always on on-demand Fargate (the base). */
    onDemandBase: z.number().int().min(0, "must be at least 0").default(0),
    /** Weight of on-demand Fargate beyond the base; 0 puts every further task on Spot. */
    onDemandWeight: z.number().int().min(0, "must be at least 0").default(0),
    /** Weight of Fargate Spot beyond the base. */
    spotWeight: z.number().int().min(0, "must be at least 0").default(1),
  })
  .strict();

const serviceSchema = z
  .object({
    cpu: z.number().int().default(256),
    memoryMiB: z.number().int().default(512),
    port: z.number().int().min(1).max(65535).optional(),
    route: routeSchema.optional(),
    capacity: capacitySchema.default({ onDemandBase: 0, onDemandWeight: 1, spotWeight: 0 }),
    /** A service the platform cannot run without: it must keep on-demand capacity (Spot can vanish). */
    critical: z.boolean().default(false),
    autoscaling: z
      .object({
        minCapacity: z.number().int().min(1, "must be at least 1"),
        maxCapacity: z.number().int().min(1, "must be at least 1"),
        cpuTargetPercent: z.number().min(10).max(90).default(70),
        memoryTargetPercent: z.number().min(10).max(90).default(75),
      })
      .strict()
      .optional(),
    environment: z
      .record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be UPPER_SNAKE_CASE"), z.string())
      .default({}),
    efsMounts: z
      .array(
        z
          .object({
            accessPoint: z.string(),
            containerPath: z.string().startsWith("/", "must start with /"),
            readOnly: z.boolean().default(false),
          })
          .strict(),
      )
      .default([]),
    /** P90 target response time above which its alarm fires, in seconds (routed services). */
    latencyP90Seconds: z
      .number()
      .positive("must be above 0 (a P90 of 0 s would fire on every request)")
      .optional(),
    tracing: z.boolean().default(true),
  })
  .strict();

const secretSchema = z
  .object({
    kind: z.enum(["generated", "operator", "connection"], 'must be "generated", "operator" or "connection"'),
    /** The services that read it. */
    readers: z.array(serviceName).min(1, "must name the services that read it"),
    description: z.string().optional(),
  })
  .strict();

const alarmsSchema = z
  .object({
    alb5xxCount: z.number().int().min(1).default(5),
    target5xxCount: z.number().int().min(1).default(3),
    serviceCpuPercent: z.number().min(1).max(100).default(85),
    databaseCpuPercent: z.number().min(1).max(100).default(85),
    databaseFreeStorageGiB: z.number().positive("must be above 0").default(10),
    databaseFreeableMemoryMiB: z.number().positive("must be above 0").default(200),
    databaseConnections: z.number().int().min(1).default(150),
  })
  .strict();

/** The schema every Atomic environment file is checked against at synth time. */
export const environmentSchema = z
  .object({
    ...commonFields,
    region: regionField,
    access: accessField,
    /** The seed's `DeploymentStage`: retention, deletion protection and backups follow it. */
    deploymentStage: z.enum(ATOMIC_STAGES, 'must be "dev", "staging" or "prod"'),
    /** The seed's `OperatorEmail`: subscribed to the alarms' topic. */
    operatorEmail: z.email("must be an email address"),
    /** The seed's `DomainName` and `CertificateArn`, and the zone a new certificate is validated in. */
    edge: edgeField,
    services: z.record(serviceName, serviceSchema),
    secrets: z
      .record(
        z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, "must be lowercase letters, digits and hyphens"),
        secretSchema,
      )
      .default({}),
    efsAccessPoints: z
      .record(
        serviceName,
        z.object({ path: z.string(), uid: z.number().int(), gid: z.number().int() }).strict(),
      )
      .default({}),
    alarms: alarmsSchema.default({
      alb5xxCount: 5,
      target5xxCount: 3,
      serviceCpuPercent: 85,
      databaseCpuPercent: 85,
      databaseFreeStorageGiB: 10,
      databaseFreeableMemoryMiB: 200,
      databaseConnections: 150,
    }),
    logRetentionDays: retentionDaysField.default(30),
    logRetentionFloorDays: retentionDaysField.optional(),
  })
  .strict();

/** What an Atomic environment file writes. */
export type AtomicEnvironmentInput = z.input<typeof environmentSchema>;

/** A checked Atomic environment. */
export interface AtomicEnvironment
  extends Omit<z.output<typeof environmentSchema>, "workspace" | "logRetentionFloorDays"> {
  readonly logRetentionFloorDays: number;
  readonly workspace: string;
  readonly source: string;
  /** Deletion protection, from the stage: prod only. */
  readonly deletionProtection: boolean;
}

/** Typed identity helper for environment files. */
export function defineAtomicEnvironment(input: AtomicEnvironmentInput): AtomicEnvironmentInput {
  return input;
}

/** Checks an Atomic environment file: the schema, then the rules between its settings. */
export function parseAtomicEnvironment(input: unknown, source: string): AtomicEnvironment {
  const env = parseSettings(environmentSchema, input, source, "Atomic settings");
  const fail = (path: string, rule: string, value: unknown, fix: string): never =>
    failSetting(source, path, rule, value, fix);
  checkEdge(source, env.region, env.edge);

  const patterns = new Map<string, string>();
  const priorities = new Map<number, string>();
  for (const [name, service] of Object.entries(env.services)) {
    const at = `services.${name}`;
    const route = service.route;
    if (route) {
      if (service.port === undefined) {
        fail(
          `${at}.port`,
          "must be set for a service with a route (the load balancer forwards to it)",
          undefined,
          "Set the container's port.",
        );
      }
      for (const [i, pattern] of route.pathPatterns.entries()) {
        if (!PATH_PATTERN.test(pattern)) {
          fail(
            `${at}.route.pathPatterns[${i}]`,
            "must start with / and hold at most 128 of the characters a listener rule accepts (letters, digits, _-.$/~\"'@:+&, and the wildcards * and ?)",
            pattern,
            "Use a pattern such as /v1/graphql*.",
          );
        }
        const other = patterns.get(pattern);
        if (other !== undefined) {
          fail(
            `${at}.route.pathPatterns[${i}]`,
            `must differ from every other service's (services.${other} routes it)`,
            pattern,
            "Route each path to one service.",
          );
        }
        patterns.set(pattern, name);
      }
      const other = priorities.get(route.priority);
      if (other !== undefined) {
        fail(
          `${at}.route.priority`,
          `must differ from every other service's (services.${other} has it)`,
          route.priority,
          "Give each route its own priority.",
        );
      }
      priorities.set(route.priority, name);
    } else if (service.latencyP90Seconds !== undefined) {
      fail(
        `${at}.latencyP90Seconds`,
        "applies only to a service with a route (it alarms on its target group)",
        service.latencyP90Seconds,
        "Remove it, or give the service a route.",
      );
    }
    const scaling = service.autoscaling;
    if (scaling && scaling.minCapacity > scaling.maxCapacity) {
      fail(
        `${at}.autoscaling.minCapacity`,
        `must be at most autoscaling.maxCapacity (${scaling.maxCapacity})`,
        scaling.minCapacity,
        "Lower minCapacity or raise maxCapacity.",
      );
    }
    const capacity = service.capacity;
    if (capacity.onDemandBase === 0 && capacity.onDemandWeight === 0 && capacity.spotWeight === 0) {
      fail(
        `${at}.capacity`,
        "must give some capacity a weight",
        capacity,
        "Set onDemandWeight or spotWeight to 1.",
      );
    }
    if (service.critical && capacity.onDemandBase === 0 && capacity.onDemandWeight === 0) {
      fail(
        `${at}.critical`,
        "must not be set on a Spot-only service: ECS never falls back from Fargate Spot to on-demand, so a Spot shortage stops it",
        true,
        "Give it on-demand capacity (capacity.onDemandBase: 1), or unmark it critical.",
      );
    }
    for (const [i, mount] of service.efsMounts.entries()) {
      if (env.efsAccessPoints[mount.accessPoint] === undefined) {
        const known = Object.keys(env.efsAccessPoints);
        fail(
          `${at}.efsMounts[${i}].accessPoint`,
          `must name an access point of efsAccessPoints (${known.length > 0 ? known.join(", ") : "none defined"})`,
          mount.accessPoint,
          "Add the access point to efsAccessPoints, or mount an existing one.",
        );
      }
    }
  }
  for (const [name, secret] of Object.entries(env.secrets)) {
    for (const [i, reader] of secret.readers.entries()) {
      if (env.services[reader] === undefined) {
        fail(
          `secrets.${name}.readers[${i}]`,
          `must name a service of this environment (${Object.keys(env.services).join(", ")})`,
          reader,
          "Name the service that reads the secret, or add that service.",
        );
      }
    }
  }
  const deletionProtection = env.deploymentStage === "prod";
  const floor = checkLogRetentionFloor(
    source,
    { ...env, deletionProtection },
    [["logRetentionDays", env.logRetentionDays]],
    30,
  );
  return {
    ...env,
    source,
    deletionProtection,
    logRetentionFloorDays: floor,
    workspace: env.workspace ?? env.environment,
  };
}
