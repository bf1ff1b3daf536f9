import { describe, expect, test } from "vitest";
import { createLogger } from "./logger";

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
