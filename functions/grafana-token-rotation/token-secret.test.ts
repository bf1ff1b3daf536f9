import { describe, expect, test } from "vitest";
import { parseTokenSecret, rotationTokenName, rotationTokenPrefix } from "./token-secret";

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
