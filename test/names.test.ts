/**
 * Names force a replacement, so: every name the shipped settings give stays byte for byte what it was
 * (recorded in test/fixtures/meeting-notes-names.json), and the longest settings the schema accepts still
 * give names within AWS's limits, shortened deterministically with the project and environment readable.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { limitedName } from "../constructs/core/naming";
import prod from "../environments/meeting-notes/prod";
import staging from "../environments/meeting-notes/staging";
import { NAME_ATTRIBUTES, namesOf } from "./support/names";
import {
  RECORDED_VARIANTS,
  STACKS_ADDED_SINCE_THE_RECORDING,
  synthPlatform,
  synthRecorded,
  WITH_ALERTS_AND_API,
} from "./support/platform";
import { beforeMoves } from "./support/synth";

const recorded = JSON.parse(
  readFileSync(join(__dirname, "fixtures", "meeting-notes-names.json"), "utf8"),
) as Record<string, Record<string, string>>;

describe("the shipped settings keep every name", () => {
  test.each(Object.keys(RECORDED_VARIANTS) as (keyof typeof RECORDED_VARIANTS)[])("%s", (variant) => {
    for (const [stack, json] of Object.entries(synthRecorded(variant))) {
      // Stacks added since the recording have no recorded names (their own tests pin them).
      if (STACKS_ADDED_SINCE_THE_RECORDING.includes(stack)) continue;
      const was = beforeMoves(json);
      const names = Object.fromEntries(Object.entries(namesOf(json)).map(([a, n]) => [was(a), n]));
      expect(names, `${variant}/${stack}`).toEqual(recorded[`${variant}/${stack}`]);
    }
  });
});

describe("the longest accepted project and environment names", () => {
  const project = "abcdefghijklmnopqrstuvwx"; // 24 characters, the schema's maximum
  const stacks = synthPlatform({
    staging: { ...staging, projectName: project, environment: "stagingabcdefghijklmnopq" },
    prod: {
      ...prod,
      projectName: project,
      environment: "productionabcdefghijklmn",
      ...WITH_ALERTS_AND_API.prod,
    },
  });

  test("every name fits AWS's limit for its kind", () => {
    const tooLong: string[] = [];
    for (const [stack, json] of Object.entries(stacks)) {
      for (const [address, name] of Object.entries(namesOf(json))) {
        const max = NAME_ATTRIBUTES[address.split(".")[0]!]!.max;
        if (name.length > max) tooLong.push(`${stack} ${address}: ${name.length} > ${max} (${name})`);
      }
    }
    expect(tooLong).toEqual([]);
  });

  test("shortened names keep both the project and the environment readable, and stay unique", () => {
    const prodNames = namesOf(stacks.productionabcdefghijklmn!);
    const shortened = Object.entries(prodNames).filter(([, n]) => !n.includes("productionabcdefghijklmn"));
    expect(shortened.length).toBeGreaterThan(0); // the 64- and 32-character kinds
    for (const [address, name] of shortened) {
      if (address.startsWith("aws_iam_role_policy.") || address.includes("service-account")) continue;
      expect(name, address).toMatch(/abcdefghij/);
      expect(name, address).toMatch(/production/);
    }
    const byType = new Map<string, string[]>();
    for (const [address, name] of Object.entries(prodNames)) {
      const type = address.split(".")[0]!;
      if (type === "aws_iam_role_policy") continue; // inline policy names are per role
      byType.set(type, [...(byType.get(type) ?? []), name]);
    }
    for (const [type, names] of byType) expect(new Set(names).size, type).toBe(names.length);
  });
});

describe("limitedName", () => {
  const naming = { projectName: "meeting-notes", environment: "staging" };
  test("a name that fits is exactly <project>-<environment>-<parts>", () => {
    expect(limitedName(64, naming, "grafana-token-rotation")).toBe(
      "meeting-notes-staging-grafana-token-rotation",
    );
  });
  test.each([
    [
      32,
      { projectName: "meeting-notes", environment: "staging" },
      ["api-gateway-long-suffix"],
      "meeting-notes-staging-api-",
    ],
    [
      32,
      { projectName: "abcdefghijklmnopqrstuvwx", environment: "productionabcdefghijklmn" },
      ["api"],
      "abcdefghijkl-productio",
    ],
  ])(
    "a name over %i characters is cut with a digest, project and environment first",
    (max, n, parts, start) => {
      const name = limitedName(max, n, ...parts);
      expect(name.length).toBeLessThanOrEqual(max);
      expect(name.startsWith(start)).toBe(true);
      expect(name).toMatch(/-[0-9a-f]{6}$/);
      expect(limitedName(max, n, ...parts)).toBe(name);
    },
  );
});
