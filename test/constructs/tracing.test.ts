/**
 * FargateService `tracing`: the ADOT collector sidecar exporting to X-Ray, the application's
 * OpenTelemetry settings (X-Ray propagator), the task role's trace actions; the engine validates it.
 */
import type { Construct } from "constructs";
import { beforeAll, describe, expect, test } from "vitest";
import { RuntimeSecrets } from "../../constructs/secrets";
import {
  ADOT_COLLECTOR_IMAGE,
  EcsCluster,
  FargateService,
  type FargateServiceProps,
} from "../../constructs/service";
import { EngineStack, requireTerraform } from "../support/engine";
import { key, naming, network, secretAccess } from "../support/fixtures";
import { onlyResource, parsed, resourcesOf, synthScope } from "../support/synth";

const build = (props: Partial<FargateServiceProps> = {}) =>
  synthScope((s: Construct) => {
    const secrets = new RuntimeSecrets(s, "secrets", { naming, encryptionKey: key, ...secretAccess });
    new FargateService(s, "hasura", {
      naming,
      name: "hasura",
      cluster: new EcsCluster(s, "cluster", { naming, name: "c" }),
      network,
      encryptionKey: key,
      secrets,
      imageTag: "abc",
      environmentVariables: { PORT: "8080" },
      ...props,
    });
  });
const containers = (json: ReturnType<typeof build>) =>
  parsed(onlyResource(json, "aws_ecs_task_definition").container_definitions) as any[];
const json = build({ tracing: true });

describe("FargateService tracing", () => {
  test("an ADOT collector beside the application, pinned, receiving OTLP on localhost and exporting to X-Ray", () => {
    const collector = containers(json).find((c) => c.name === "otel-collector");
    expect(collector).toMatchObject({
      image: ADOT_COLLECTOR_IMAGE,
      essential: false,
      readonlyRootFilesystem: true,
      command: ["--config=env:AOT_CONFIG_CONTENT"],
    });
    expect(ADOT_COLLECTOR_IMAGE).toMatch(/:v\d+\.\d+\.\d+$/);
    const config = collector.environment.find((e: any) => e.name === "AOT_CONFIG_CONTENT").value as string;
    expect(config).toContain("endpoint: 127.0.0.1:4317");
    expect(config).toMatch(/exporters:\n {2}awsxray:\n {4}region: \$\{data\.aws_region\./);
    expect(config).toContain("exporters: [awsxray]");
  });

  test("the application exports OTLP to it with the X-Ray propagator, its own variables kept", () => {
    const app = containers(json).find((c) => c.name === "hasura");
    expect(Object.fromEntries(app.environment.map((e: any) => [e.name, e.value]))).toEqual({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4317",
      OTEL_PROPAGATORS: "xray",
      OTEL_SERVICE_NAME: "meeting-notes-staging-hasura",
      PORT: "8080",
    });
  });

  test("the task role may send traces and read sampling rules; without tracing it has no policy", () => {
    const policy = Object.values(resourcesOf(json, "aws_iam_role_policy")).find(
      (p: any) => p.name === "application",
    );
    expect(parsed(policy.policy).Statement).toEqual([
      {
        Sid: "SendTracesToXRay",
        Effect: "Allow",
        Action: [
          "xray:PutTraceSegments",
          "xray:PutTelemetryRecords",
          "xray:GetSamplingRules",
          "xray:GetSamplingTargets",
        ],
        Resource: "*",
      },
    ]);
    const plain = build();
    expect(Object.values(resourcesOf(plain, "aws_iam_role_policy")).map((p: any) => p.name)).not.toContain(
      "application",
    );
    expect(containers(plain).map((c) => c.name)).toEqual(["hasura"]);
  });

  test("a sidecar of its own named otel-collector is refused", () => {
    expect(() =>
      build({ tracing: true, sidecars: [{ name: "otel-collector", image: "public.ecr.aws/x/y:1.0.0" }] }),
    ).toThrow("`sidecars` must not hold a container named otel-collector when tracing is on");
  });

  describe("in the engine", () => {
    beforeAll(async () => {
      await requireTerraform();
    });
    test("terraform validate accepts it", async () => {
      const stack = await EngineStack.init("validate-tracing", json);
      expect((await stack.validate()).output).toContain("The configuration is valid");
    });
  });
});
