import { RotateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";

const ENV = {
  SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:meeting-notes-prod/grafana-token-AbCdEf",
  GRAFANA_WORKSPACE_ID: "g-0123456789",
  GRAFANA_URL: "https://g-0123456789.grafana-workspace.us-east-1.amazonaws.com/",
  GRAFANA_SERVICE_ACCOUNT_ID: "7",
  TOKEN_TTL_SECONDS: "2592000",
  METRIC_NAMESPACE: "MeetingNotes/Grafana",
  AWS_REGION: "us-east-1",
};

const saved = { ...process.env };
const sm = mockClient(SecretsManagerClient);
let stdout: string[];

beforeEach(() => {
  vi.resetModules();
  sm.reset();
  stdout = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  process.env = { ...saved };
});

describe("handler module", () => {
  test("reads the environment at import and exports a handler", async () => {
    Object.assign(process.env, ENV);
    const module = await import("./handler");
    expect(typeof module.handler).toBe("function");
  });

  test.each(["SECRET_ARN", "GRAFANA_URL", "TOKEN_TTL_SECONDS"])(
    "fails to load, naming %s, when it is missing",
    async (variable) => {
      Object.assign(process.env, ENV);
      delete process.env[variable];
      await expect(import("./handler")).rejects.toMatchObject({
        name: "MissingEnvironmentVariableError",
        message: `Environment variable ${variable} is not set. The function cannot start without it; set it in the function's configuration.`,
      });
    },
  );

  test("a direct invoke calls RotateSecret on SECRET_ARN through the module-scope client", async () => {
    Object.assign(process.env, ENV);
    sm.on(RotateSecretCommand).resolves({ ARN: ENV.SECRET_ARN, VersionId: "v-2" });
    const { handler } = await import("./handler");

    const result = await handler({}, { awsRequestId: "req-1" });

    expect(result).toEqual({
      action: "rotate",
      status: "started",
      secretArn: ENV.SECRET_ARN,
      versionId: "v-2",
    });
    expect(sm.commandCalls(RotateSecretCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: ENV.SECRET_ARN },
    ]);
    const lines = stdout.map((l) => JSON.parse(l));
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "INFO",
        message: "Started a rotation",
        requestId: "req-1",
        versionId: "v-2",
      }),
    );
  });
});
