import { readFileSync } from "node:fs";
import type { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { LAMBDA_NODEJS_RUNTIME } from "../../constructs/core/runtimes";
import { LambdaFunction, type LambdaFunctionProps } from "../../constructs/lambda";
import { functionCodeFixture, key, naming, network, RecordingKey } from "../support/fixtures";
import { onlyResource, parsed, resourcesOf, synthScope } from "../support/synth";

const code = functionCodeFixture();
const build = (overrides: Partial<LambdaFunctionProps> = {}) =>
  synthScope((s: Construct) => {
    new LambdaFunction(s, "fn", {
      naming,
      name: "report",
      description: "Reports things",
      code,
      encryptionKey: key,
      statements: [
        {
          sid: "ReadTheTable",
          actions: ["dynamodb:GetItem"],
          resources: ["arn:aws:dynamodb:us-east-1:123456789012:table/t"],
        },
      ],
      ...overrides,
    });
  });
const sids = (json: ReturnType<typeof build>) =>
  parsed(onlyResource(json, "aws_iam_role_policy").policy).Statement.map((s: { Sid: string }) => s.Sid);

describe("LambdaFunction defaults", () => {
  const json = build();
  const fn = onlyResource(json, "aws_lambda_function");

  test("the repository's runtime on arm64, 256 MiB, 30 s, named <project>-<env>-<name>, deploys keyed on the code hash", () => {
    expect(fn).toMatchObject({
      function_name: "meeting-notes-staging-report",
      runtime: LAMBDA_NODEJS_RUNTIME,
      architectures: ["arm64"],
      handler: "index.handler",
      memory_size: 256,
      timeout: 30,
      source_code_hash: code.sourceCodeHash,
      kms_key_arn: key.keyArn,
      tracing_config: { mode: "Active" },
    });
    expect(fn.reserved_concurrent_executions).toBeUndefined();
    expect(fn.environment).toBeUndefined();
    expect(fn.vpc_config).toBeUndefined();
  });

  test("the log group comes first, with 30 days' retention and the key, and the function logs JSON into it", () => {
    const logs = onlyResource(json, "aws_cloudwatch_log_group");
    expect(logs).toMatchObject({
      name: "/aws/lambda/meeting-notes-staging-report",
      retention_in_days: 30,
      kms_key_id: key.keyArn,
    });
    expect(fn.depends_on).toEqual([
      expect.stringMatching(/^aws_cloudwatch_log_group\./),
      expect.stringMatching(/^aws_iam_role_policy\./),
    ]);
    expect(fn.logging_config.log_format).toBe("JSON");
  });

  test("the role: only Lambda of this account assumes it; the given statements, then logs, traces and the environment's key", () => {
    const role = onlyResource(json, "aws_iam_role");
    expect(role.name).toBe("meeting-notes-staging-report");
    const trust = parsed(role.assume_role_policy).Statement[0];
    expect(trust.Principal).toEqual({ Service: "lambda.amazonaws.com" });
    expect(trust.Condition.StringEquals["aws:SourceAccount"]).toMatch(/aws_caller_identity/);
    expect(sids(json)).toEqual(["ReadTheTable", "DecryptTheFunctionEnvironment", "WriteLogs", "WriteTraces"]);
    expect(onlyResource(json, "aws_iam_role_policy").name).toBe("function");
  });
});

describe("LambdaFunction overrides", () => {
  test("memory, timeout, retention, reserved concurrency, environment, policy name", () => {
    const json = build({
      memoryMiB: 1024,
      timeoutSeconds: 120,
      logRetentionDays: 90,
      reservedConcurrency: 2,
      environment: { TABLE: "t" },
      policyName: "report",
    });
    expect(onlyResource(json, "aws_lambda_function")).toMatchObject({
      memory_size: 1024,
      timeout: 120,
      reserved_concurrent_executions: 2,
      environment: { variables: { TABLE: "t" } },
    });
    expect(onlyResource(json, "aws_cloudwatch_log_group").retention_in_days).toBe(90);
    expect(onlyResource(json, "aws_iam_role_policy").name).toBe("report");
  });

  test("tracing off: no tracing config and no trace permission", () => {
    const json = build({ tracing: false });
    expect(onlyResource(json, "aws_lambda_function").tracing_config).toBeUndefined();
    expect(sids(json)).not.toContain("WriteTraces");
  });

  test("in a VPC: private subnets, its own security group (HTTPS out, nothing in), ENI permissions", () => {
    const json = build({ vpc: network });
    expect(onlyResource(json, "aws_lambda_function").vpc_config).toEqual({
      subnet_ids: network.privateSubnetIds,
      security_group_ids: [expect.stringMatching(/^\$\{aws_security_group\./)],
    });
    expect(onlyResource(json, "aws_security_group").vpc_id).toBe(network.vpcId);
    expect(Object.values(resourcesOf(json, "aws_vpc_security_group_egress_rule"))).toEqual([
      expect.objectContaining({ ip_protocol: "tcp", from_port: 443, to_port: 443 }),
    ]);
    expect(resourcesOf(json, "aws_vpc_security_group_ingress_rule")).toEqual({});
    expect(sids(json)).toContain("ManageVpcNetworkInterfaces");
  });

  test.each<[Partial<LambdaFunctionProps>, string]>([
    [
      { name: "Report" },
      '`name` must be 1-40 lowercase letters, digits and hyphens, starting with a letter, got "Report". Use the function\'s folder name under functions/, such as "grafana-token-rotation".',
    ],
    [
      { memoryMiB: 64 },
      "`memoryMiB` must be a whole number from 128 to 10240 (Lambda's memory range), got 64.",
    ],
    [
      { timeoutSeconds: 901 },
      "`timeoutSeconds` must be a whole number from 1 to 900 (Lambda's 15-minute limit), got 901.",
    ],
    [
      { statements: [{ sid: "WriteLogs", actions: ["s3:GetObject"], resources: ["*"] }] },
      '`statements` must not reuse the sid of a statement the construct adds (DecryptTheFunctionEnvironment, WriteLogs, WriteTraces), got "WriteLogs". Rename the statement.',
    ],
  ])("refuses %j", (overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });
});

describe("LambdaFunction key grant", () => {
  test("asks its key to let CloudWatch Logs encrypt its log group, by the group's literal name", () => {
    const recording = new RecordingKey();
    synthScope((s) => {
      new LambdaFunction(s, "fn", {
        naming,
        name: "report",
        description: "d",
        code,
        encryptionKey: recording,
        statements: [],
      });
    });
    expect(recording.logGroups).toEqual(["/aws/lambda/meeting-notes-staging-report"]);
    expect(recording.topics).toEqual([]);
  });
});

describe("LambdaFunction.bundle", () => {
  test("bundles functions/<name>/handler.ts with the shared function runtime it imports", () => {
    const code = LambdaFunction.bundle("grafana-token-rotation");
    const record = JSON.parse(readFileSync(code.zipPath.replace(/\.zip$/, ".inputs.json"), "utf8")) as {
      inputs: string[];
    };
    expect(record.inputs).toEqual(
      expect.arrayContaining([
        "functions/grafana-token-rotation/handler.ts",
        "functions/shared/env.ts",
        "functions/shared/errors.ts",
        "functions/shared/logger.ts",
      ]),
    );
    expect(record.inputs.filter((input) => !input.startsWith("functions/"))).toEqual([]);
  });
});
