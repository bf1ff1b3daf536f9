import { describe, expect, test } from "vitest";
import { createLogger } from "./logger";
import { parseTokenSecret, rotationTokenName, rotationTokenPrefix } from "./token-secret";

const at = new Date("2026-03-01T00:00:00.000Z");

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ service: "svc", write: (l) => lines.push(l), now: () => at });
  return { lines, logger, entries: () => lines.map((l) => JSON.parse(l)) };
}

describe("createLogger", () => {
  test("writes one JSON object per line with level, message, time, service and context", () => {
    const { logger, entries } = capture();
    logger.child({ step: "createSecret" }).warn("hello", { tokenId: "12" });
    expect(entries()).toEqual([
      {
        level: "WARN",
        message: "hello",
        timestamp: "2026-03-01T00:00:00.000Z",
        service: "svc",
        step: "createSecret",
        tokenId: "12",
      },
    ]);
  });

  test("a registered secret is redacted in every logger of the family, even JSON-escaped", () => {
    const { logger, lines } = capture();
    const child = logger.child({ step: "testSecret" });
    child.redact('glsa_abc"def');
    logger.info('got glsa_abc"def', { note: 'glsa_abc"def' });
    logger.emit({ value: 'glsa_abc"def' });
    expect(lines.join("\n")).not.toContain("glsa_abc");
    expect(lines.join("\n")).toContain("[REDACTED]");
  });

  test.each(["key", "token", "SecretString", "Authorization", "password"])(
    "a field named %s is dropped",
    (field) => {
      const { logger, entries } = capture();
      logger.info("m", { [field]: "s3cr3t", kept: 1 });
      expect(entries()[0]).not.toHaveProperty(field);
      expect(entries()[0].kept).toBe(1);
    },
  );
});

describe("token names and values", () => {
  const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf";

  test("the token name is derived from the ClientRequestToken, within Grafana's 128 characters", () => {
    const name = rotationTokenName(arn, "0b7e6a5c-7d8e-4b1a-9c3f-2a1b0c9d8e7f");
    expect(name).toBe(`${rotationTokenPrefix(arn)}0b7e6a5c-7d8e-4b1a-9c3f-2a1b0c9d8e7f`);
    expect(rotationTokenPrefix(arn)).toMatch(/^rotation-[0-9a-f]{8}-$/);
    expect(rotationTokenName(arn, "x".repeat(200))).toHaveLength(128);
    expect(rotationTokenName(arn, "a b/c")).toBe(`${rotationTokenPrefix(arn)}a-b-c`);
  });

  test.each([
    ["undefined", undefined],
    ["empty", ""],
    ["a raw token", "glsa_abc"],
    ["a JSON array", "[]"],
    ["JSON without tokenId", '{"token":"t"}'],
    [
      "a bad expiresAt",
      '{"token":"t","tokenId":"1","tokenName":"n","serviceAccountId":"7","workspaceId":"g-0123456789","expiresAt":"soon","createdAt":"2026-01-01T00:00:00Z"}',
    ],
  ])("%s is not a token secret", (_label, raw) => {
    expect(parseTokenSecret(raw)).toBeUndefined();
  });
});
