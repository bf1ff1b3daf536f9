/**
 * The GitHub webhook, behind the load balancer (a Lambda target of the HTTPS listener at
 * `/webhooks/github`, so WAF and the API's certificate front it; a function URL can have neither):
 *
 * 1. `X-Hub-Signature-256` must be `sha256=<HMAC-SHA256 of the raw body with the webhook secret>`,
 *    compared in constant time; missing or wrong is 401. The secret is read from Secrets Manager
 *    (cached five minutes, so a rotated secret is picked up without a deploy).
 * 2. `X-GitHub-Delivery` must be new: a delivery already recorded is refused with 409.
 * 3. The normalized `GitHubActivity` event is put on the bus; only then is the delivery recorded, with a
 *    conditional write and a TTL of seven days (GitHub redelivers for three), so a delivery whose
 *    event did not reach the bus is accepted again when GitHub (or a person) redelivers it.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { ALBEvent, ALBResult } from "aws-lambda";
import { z } from "zod";
import { describeError, type Logger } from "../shared/logger";
import { putEvent } from "./bus";
import { SOURCES } from "./events";

/** Seconds a delivery id is remembered: at least three days, GitHub's redelivery window. */
export const DELIVERY_TTL_SECONDS = 7 * 24 * 3600;
const SECRET_CACHE_MS = 5 * 60 * 1000;

/** The fields of a webhook payload the normalized event keeps (GitHub sends many more). */
const Payload = z.object({
  action: z.string().optional(),
  repository: z.object({ full_name: z.string().optional() }).optional(),
  sender: z.object({ login: z.string().optional() }).optional(),
  ref: z.string().optional(),
});

export const deliveryKey = (id: string) => `delivery#${id}`;

export interface WebhookDependencies {
  readonly secretArn: string;
  readonly busName: string;
  readonly tableName: string;
  readonly secretsManager: SecretsManagerClient;
  readonly eventBridge: EventBridgeClient;
  readonly dynamodb: DynamoDBClient;
  readonly logger: Logger;
  readonly now?: () => Date;
}

const respond = (statusCode: number, body: Record<string, unknown>): ALBResult => ({
  statusCode,
  statusDescription: `${statusCode}`,
  headers: { "content-type": "application/json" },
  isBase64Encoded: false,
  body: JSON.stringify(body),
});

/** True when `signature` is the body's HMAC-SHA256 under `secret`, as GitHub sends it. */
export function signatureMatches(body: Buffer, secret: string, signature: string | undefined): boolean {
  if (!signature?.startsWith("sha256=")) return false;
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function createWebhookHandler(deps: WebhookDependencies): (event: ALBEvent) => Promise<ALBResult> {
  const now = deps.now ?? (() => new Date());
  let cached: { value: string; until: number } | undefined;
  const secret = async () => {
    if (cached && cached.until > now().getTime()) return cached.value;
    const result = await deps.secretsManager.send(new GetSecretValueCommand({ SecretId: deps.secretArn }));
    const value = result.SecretString ?? "";
    if (value === "")
      throw new Error(
        `The webhook secret ${deps.secretArn} has no value: set it (README: Candlefish secrets).`,
      );
    deps.logger.redact(value);
    cached = { value, until: now().getTime() + SECRET_CACHE_MS };
    return value;
  };

  return async (event) => {
    const headers = Object.fromEntries(
      Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
    );
    const body = Buffer.from(event.body ?? "", event.isBase64Encoded ? "base64" : "utf8");
    const delivery = headers["x-github-delivery"];
    const kind = headers["x-github-event"];
    const log = deps.logger.child({ delivery, githubEvent: kind });
    try {
      if (event.httpMethod !== "POST") return respond(405, { error: "POST only" });
      if (!signatureMatches(body, await secret(), headers["x-hub-signature-256"])) {
        log.warn("refused: bad or missing signature");
        return respond(401, { error: "bad or missing X-Hub-Signature-256" });
      }
      if (!delivery || !/^[A-Za-z0-9-]{1,100}$/.test(delivery) || !kind) {
        return respond(400, { error: "X-GitHub-Delivery and X-GitHub-Event are required" });
      }
      const seen = await deps.dynamodb.send(
        new GetItemCommand({
          TableName: deps.tableName,
          Key: { pk: { S: deliveryKey(delivery) } },
          ConsistentRead: true,
        }),
      );
      if (seen.Item) {
        log.info("refused: delivery already received");
        return respond(409, { error: "delivery already received" });
      }
      let json: unknown;
      try {
        json = JSON.parse(body.toString("utf8"));
      } catch {
        return respond(400, { error: "the body is not JSON" });
      }
      const payload = Payload.safeParse(json);
      if (!payload.success) return respond(400, { error: "the body is not a GitHub webhook payload" });
      const { action, repository, sender, ref } = payload.data;
      await putEvent(deps.eventBridge, deps.busName, SOURCES.github, "GitHubActivity", {
        deliveryId: delivery,
        event: kind,
        ...(action ? { action } : {}),
        ...(repository?.full_name ? { repository: repository.full_name } : {}),
        ...(sender?.login ? { sender: sender.login } : {}),
        ...(ref ? { ref } : {}),
      });
      try {
        await deps.dynamodb.send(
          new PutItemCommand({
            TableName: deps.tableName,
            Item: {
              pk: { S: deliveryKey(delivery) },
              expiresAt: { N: String(Math.floor(now().getTime() / 1000) + DELIVERY_TTL_SECONDS) },
            },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        );
      } catch (error) {
        // Two copies raced past the check: the other recorded it; this one's event is on the bus too.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        log.warn("delivery recorded by a concurrent request");
      }
      log.info("delivery accepted");
      return respond(202, { accepted: delivery });
    } catch (error) {
      log.error("delivery failed", describeError(error));
      return respond(500, { error: "not accepted; GitHub may redeliver" });
    }
  };
}
