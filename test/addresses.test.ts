/**
 * The meeting-notes platform's users depend on its stack ids, state keys and Terraform addresses. This
 * pins all three against test/fixtures/meeting-notes-addresses.json, recorded before the platform
 * registry refactor: a change to an address needs a `moved` block, a new recording and a changelog line.
 * It builds from the recorded settings (test/fixtures/meeting-notes-settings.ts), so a user's own
 * settings never touch it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { RECORDED_VARIANTS, synthRecorded } from "./support/platform";
import { addresses } from "./support/synth";

const recorded = JSON.parse(
  readFileSync(join(__dirname, "fixtures", "meeting-notes-addresses.json"), "utf8"),
) as Record<string, { stateKey: string | null; addresses: string[]; data: string[] }>;

describe.each(Object.keys(RECORDED_VARIANTS) as (keyof typeof RECORDED_VARIANTS)[])(
  "meeting-notes, %s",
  (variant) => {
    const stacks = synthRecorded(variant);

    test("keeps its stack ids", () => {
      expect(Object.keys(stacks).sort()).toEqual(
        Object.keys(recorded)
          .filter((k) => k.startsWith(`${variant}/`))
          .map((k) => k.slice(variant.length + 1))
          .sort(),
      );
    });

    test.each(Object.keys(stacks))("%s keeps its state key and every resource and data address", (stack) => {
      const json = stacks[stack]!;
      const pin = recorded[`${variant}/${stack}`]!;
      expect((json.terraform as { backend?: { s3?: { key?: string } } })?.backend?.s3?.key ?? null).toBe(
        pin.stateKey,
      );
      expect(addresses(json).sort()).toEqual(pin.addresses);
      expect(
        Object.entries(json.data ?? {})
          .flatMap(([type, byName]) => Object.keys(byName).map((name) => `data.${type}.${name}`))
          .sort(),
      ).toEqual(pin.data);
    });
  },
);
