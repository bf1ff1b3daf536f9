/**
 * Atomic Calendar's settings (seed 003, issue 15): its services as data and the rules between them,
 * checked before any stack is built. The platform's stacks come next; this pins the schema they read.
 */
import { describe, expect, test } from "vitest";
import {
  ATOMIC_SERVICES,
  type AtomicEnvironmentInput,
  parseAtomicEnvironment,
} from "../../stacks/atomic/settings";

const SOURCE = "environments/atomic/prod.ts";
const route = (pathPatterns: string[], priority: number) => ({ pathPatterns, priority });
/** The seed's eight services, seven of them routed, the stateless ones on Spot over an on-demand base. */
const seed = (): AtomicEnvironmentInput => ({
  projectName: "atomic",
  environment: "prod",
  region: "us-east-1",
  stateStore: "atomic",
  ci: { githubRepository: "example-org/atomic", githubEnvironment: "atomic-prod" },
  access: { operatorRoleName: "atomic-operator", breakGlassRoleName: "atomic-break-glass" },
  deploymentStage: "prod",
  operatorEmail: "ops@example.com",
  edge: { domainName: "app.atomic.example.com", hostedZoneName: "atomic.example.com" },
  services: {
    app: {
      port: 3000,
      route: route(["/app", "/app/*"], 100),
      capacity: { onDemandBase: 1, spotWeight: 1 },
      critical: true,
      latencyP90Seconds: 1,
    },
    functions: {
      port: 3000,
      route: route(["/v1/functions*"], 200),
      capacity: { onDemandBase: 1, spotWeight: 1 },
      latencyP90Seconds: 2,
    },
    hasura: { port: 8080, route: route(["/v1/graphql*"], 300), critical: true, latencyP90Seconds: 1 },
    supertokens: { port: 3567, route: route(["/v1/auth*"], 400), critical: true, latencyP90Seconds: 1 },
    handshake: { port: 3000, route: route(["/v1/handshake*"], 500), latencyP90Seconds: 2 },
    oauth: { port: 3000, route: route(["/v1/oauth*"], 600), latencyP90Seconds: 2 },
    optaplanner: { port: 8081, route: route(["/v1/optaplanner*"], 700), latencyP90Seconds: 2 },
    "python-agent": { efsMounts: [{ accessPoint: "python-agent", containerPath: "/data/lancedb" }] },
  },
  secrets: {
    "openai-api-key": { kind: "operator", readers: ["functions", "python-agent"] },
    "hasura-jwt-key": { kind: "generated", readers: ["hasura", "functions"] },
  },
  efsAccessPoints: { "python-agent": { path: "/lancedb", uid: 1000, gid: 1000 } },
  logRetentionDays: 30,
  logRetentionFloorDays: 30,
});
const withChange = (change: (input: any) => void) => {
  const input = structuredClone(seed()) as any;
  change(input);
  return () => parseAtomicEnvironment(input, SOURCE);
};

describe("Atomic settings", () => {
  test("the seed's services parse with the seed's defaults: 256 CPU and 512 MiB, on-demand unless told", () => {
    const env = parseAtomicEnvironment(seed(), SOURCE);
    expect(Object.keys(env.services)).toEqual([...ATOMIC_SERVICES]);
    expect(env.services.hasura).toMatchObject({
      cpu: 256,
      memoryMiB: 512,
      capacity: { onDemandBase: 0, onDemandWeight: 1, spotWeight: 0 },
    });
    expect(env.services.app!.capacity).toEqual({ onDemandBase: 1, onDemandWeight: 0, spotWeight: 1 });
    expect(env.alarms).toMatchObject({
      alb5xxCount: 5,
      target5xxCount: 3,
      serviceCpuPercent: 85,
      databaseFreeStorageGiB: 10,
    });
    expect(env.deletionProtection).toBe(true);
  });

  test.each<[string, (input: any) => void, string]>([
    [
      "two services with one path pattern",
      (i) => {
        i.services.oauth.route.pathPatterns = ["/v1/auth*"];
      },
      '`services.oauth.route.pathPatterns[0]` must differ from every other service\'s (services.supertokens routes it), got "/v1/auth*"',
    ],
    [
      "two services with one priority",
      (i) => {
        i.services.oauth.route.priority = 100;
      },
      "`services.oauth.route.priority` must differ from every other service's (services.app has it), got 100",
    ],
    [
      "a path pattern the load balancer rejects",
      (i) => {
        i.services.app.route.pathPatterns = ["/app space"];
      },
      "`services.app.route.pathPatterns[0]` must start with / and hold at most 128 of the characters a listener rule accepts",
    ],
    [
      "autoscaling min above max",
      (i) => {
        i.services.functions.autoscaling = { minCapacity: 4, maxCapacity: 2 };
      },
      "`services.functions.autoscaling.minCapacity` must be at most autoscaling.maxCapacity (2), got 4",
    ],
    [
      "a Spot-only service marked critical",
      (i) => {
        i.services.app.capacity = { spotWeight: 1 };
      },
      "`services.app.critical` must not be set on a Spot-only service: ECS never falls back from Fargate Spot to on-demand",
    ],
    [
      "a secret read by a service that does not exist",
      (i) => {
        i.secrets["openai-api-key"].readers = ["agent"];
      },
      '`secrets.openai-api-key.readers[0]` must name a service of this environment (app, functions, hasura, supertokens, handshake, oauth, optaplanner, python-agent), got "agent"',
    ],
    [
      "an EFS mount naming a missing access point",
      (i) => {
        i.services["python-agent"].efsMounts[0].accessPoint = "lancedb";
      },
      '`services.python-agent.efsMounts[0].accessPoint` must name an access point of efsAccessPoints (python-agent), got "lancedb"',
    ],
    [
      "a domain outside the hosted zone",
      (i) => {
        i.edge.domainName = "app.example.org";
      },
      '`edge.domainName` must be inside edge.hostedZoneName (atomic.example.com), got "app.example.org"',
    ],
    [
      "a P90 threshold of zero",
      (i) => {
        i.services.hasura.latencyP90Seconds = 0;
      },
      "`services.hasura.latencyP90Seconds` must be above 0 (a P90 of 0 s would fire on every request), got 0",
    ],
    [
      "a route without a port",
      (i) => {
        delete i.services.oauth.port;
      },
      "`services.oauth.port` must be set for a service with a route",
    ],
  ])("refuses %s, naming the file and the setting", (_, change, message) => {
    expect(withChange(change)).toThrow(`${SOURCE}: ${message}`);
  });
});
