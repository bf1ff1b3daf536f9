import { createHmac } from "node:crypto";
import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { ALBEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, test } from "vitest";
import { createLogger } from "../shared/logger";
import { createWebhookHandler, DELIVERY_TTL_SECONDS, deliveryKey } from "./github-webhook";
import { FakeTable } from "./test/fake-dynamodb";

const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:clos-v2-dev/github-webhook-AbCdEf";
const SECRET = "webhook-secret-value-123";
const NOW = new Date("2026-12-04T09:00:00Z");
const sm = mockClient(SecretsManagerClient);
const eb = mockClient(EventBridgeClient);
const ddb = mockClient(DynamoDBClient);
let table: FakeTable;
let putFails = false;
const events: any[] = [];
const lines: string[] = [];

beforeEach(() => {
  sm.reset();
  eb.reset();
  ddb.reset();
  events.length = 0;
  lines.length = 0;
  putFails = false;
  table = new FakeTable("clos-v2-dev-metrics");
  sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: SECRET });
  eb.on(PutEventsCommand).callsFake((input) => {
    if (putFails) throw new Error("EventBridge is unavailable");
    events.push(...input.Entries.map((e: any) => ({ ...e, Detail: JSON.parse(e.Detail) })));
    return { FailedEntryCount: 0, Entries: [{ EventId: "1" }] };
  });
  ddb.on(GetItemCommand).callsFake((i) => table.getItem(i));
  ddb.on(PutItemCommand).callsFake((i) => table.putItem(i));
});

const handler = () =>
  createWebhookHandler({
    secretArn: SECRET_ARN,
    busName: "clos-v2-dev-events",
    tableName: table.name,
    secretsManager: new SecretsManagerClient({}),
    eventBridge: new EventBridgeClient({}),
    dynamodb: new DynamoDBClient({}),
    logger: createLogger({ service: "test", write: (l) => lines.push(l) }),
    now: () => NOW,
  });

const PAYLOAD = JSON.stringify({
  action: "opened",
  repository: { full_name: "candlefish/clos" },
  sender: { login: "ana" },
  pull_request: { number: 7 },
});
const sign = (body: string, secret = SECRET) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
const request = (
  overrides: { body?: string; signature?: string | null; delivery?: string; base64?: boolean } = {},
): ALBEvent => {
  const body = overrides.body ?? PAYLOAD;
  const headers: Record<string, string> = {
    "x-github-delivery": overrides.delivery ?? "72d3162e-cc78-11e3-81ab-4c9367dc0958",
    "x-github-event": "pull_request",
    "content-type": "application/json",
  };
  if (overrides.signature !== null) headers["x-hub-signature-256"] = overrides.signature ?? sign(body);
  return {
    httpMethod: "POST",
    path: "/webhooks/github",
    headers,
    body: overrides.base64 ? Buffer.from(body).toString("base64") : body,
    isBase64Encoded: overrides.base64 ?? false,
    requestContext: { elb: { targetGroupArn: "arn" } },
    queryStringParameters: {},
  } as unknown as ALBEvent;
};

describe("github-webhook", () => {
  test("a signed delivery: 202, a normalized event on the bus, then the delivery recorded for seven days", async () => {
    const result = await handler()(request({ base64: true }));
    expect(result.statusCode).toBe(202);
    expect(events).toEqual([
      {
        EventBusName: "clos-v2-dev-events",
        Source: "candlefish.github",
        DetailType: "GitHubActivity",
        Detail: {
          deliveryId: "72d3162e-cc78-11e3-81ab-4c9367dc0958",
          event: "pull_request",
          action: "opened",
          repository: "candlefish/clos",
          sender: "ana",
        },
      },
    ]);
    expect(table.items.get(deliveryKey("72d3162e-cc78-11e3-81ab-4c9367dc0958"))?.expiresAt?.N).toBe(
      String(NOW.getTime() / 1000 + DELIVERY_TTL_SECONDS),
    );
    expect(DELIVERY_TTL_SECONDS).toBeGreaterThanOrEqual(3 * 86400);
  });

  test.each<[string, Parameters<typeof request>[0]]>([
    ["no signature", { signature: null }],
    ["a signature with another secret", { signature: sign(PAYLOAD, "guess") }],
    ["a signature of another body", { signature: sign("{}") }],
    ["a sha1 signature", { signature: "sha1=abc" }],
  ])("401 for %s, and nothing on the bus or recorded", async (_what, overrides) => {
    const result = await handler()(request(overrides));
    expect(result.statusCode).toBe(401);
    expect(events).toEqual([]);
    expect(table.items.size).toBe(0);
  });

  test("a repeated delivery is refused with 409 and puts nothing", async () => {
    const h = handler();
    expect((await h(request())).statusCode).toBe(202);
    expect((await h(request())).statusCode).toBe(409);
    expect(events).toHaveLength(1);
  });

  test("a delivery whose event did not reach the bus is not recorded, so its redelivery is accepted", async () => {
    const h = handler();
    putFails = true;
    expect((await h(request())).statusCode).toBe(500);
    expect(table.items.size).toBe(0);
    putFails = false;
    expect((await h(request())).statusCode).toBe(202);
    expect(events).toHaveLength(1);
  });

  test("never logs the secret; reads it once per five minutes", async () => {
    const h = handler();
    await h(request());
    await h(request({ delivery: "second" }));
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(lines.join("\n")).not.toContain(SECRET);
  });
});
