/**
 * The module-scope SDK clients against a loopback endpoint that accepts connections and never
 * answers: each attempt times out, the retries stop at `maxAttempts`, and the whole call ends well
 * before the function's timeout. No mocks: the real SDK, its HTTP handler and its retry strategy.
 */

import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import { ListWorkspaceServiceAccountTokensCommand } from "@aws-sdk/client-grafana";
import { DescribeSecretCommand } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { ROTATION_FUNCTION_TIMEOUT_SECONDS } from "../../constructs/observability/grafana-token-rotation";

/** The rotation function's timeout, as the construct sets it. */
const FUNCTION_TIMEOUT_MS = ROTATION_FUNCTION_TIMEOUT_SECONDS * 1000;

let server: Server;
const sockets: Socket[] = [];
let connections = 0;
const saved = { ...process.env };

beforeAll(async () => {
  server = createServer((socket) => {
    connections += 1;
    sockets.push(socket); // read the request, never answer
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(process.env, {
    SECRET_ARN:
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:meeting-notes-prod/grafana-token-AbCdEf",
    GRAFANA_WORKSPACE_ID: "g-0123456789",
    GRAFANA_URL: "https://g-0123456789.grafana-workspace.us-east-1.amazonaws.com/",
    GRAFANA_SERVICE_ACCOUNT_ID: "7",
    TOKEN_TTL_SECONDS: "2592000",
    METRIC_NAMESPACE: "MeetingNotes/Grafana",
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE00",
    AWS_SECRET_ACCESS_KEY: "example-secret-access-key-for-loopback-only",
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
    AWS_ENDPOINT_URL_GRAFANA: endpoint,
  });
  vi.resetModules();
});

afterAll(async () => {
  process.env = { ...saved };
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("SDK clients of the rotation function", () => {
  test("a silent endpoint: three attempts of 5 s each, then a TimeoutError, long before the function's timeout", async () => {
    const { secretsManager, grafana, CLIENT_OPTIONS } = await import("./handler");
    const budgetMs =
      CLIENT_OPTIONS.maxAttempts *
      (CLIENT_OPTIONS.requestHandler.connectionTimeout + CLIENT_OPTIONS.requestHandler.requestTimeout);
    expect(budgetMs).toBeLessThan(FUNCTION_TIMEOUT_MS / 2);

    const started = Date.now();
    const timed = (send: () => Promise<unknown>) =>
      send().then(
        () => ({ error: undefined as unknown, elapsed: Date.now() - started }),
        (error: unknown) => ({ error, elapsed: Date.now() - started }),
      );
    // Both clients at once, so the test waits for one budget, not two.
    const results = await Promise.all([
      timed(() => secretsManager.send(new DescribeSecretCommand({ SecretId: process.env.SECRET_ARN }))),
      timed(() =>
        grafana.send(
          new ListWorkspaceServiceAccountTokensCommand({
            workspaceId: "g-0123456789",
            serviceAccountId: "7",
          }),
        ),
      ),
    ]);

    expect(connections, "one connection per attempt and client").toBe(2 * CLIENT_OPTIONS.maxAttempts);
    for (const { error, elapsed } of results) {
      expect(error).toMatchObject({ name: "TimeoutError" });
      expect(elapsed).toBeGreaterThanOrEqual(
        CLIENT_OPTIONS.maxAttempts * CLIENT_OPTIONS.requestHandler.requestTimeout,
      );
      expect(elapsed).toBeLessThan(budgetMs + 5_000);
    }
  }, 90_000);
});
