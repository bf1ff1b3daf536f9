/**
 * The meeting-notes platform's users depend on its stack ids, state keys and Terraform addresses. This
 * pins all three against test/fixtures/meeting-notes-addresses.json, recorded before the platform
 * registry refactor. An address may change only with a `moved` block from the recorded address (and a
 * changelog line): the check maps each moved resource back to where it was, then compares the whole list.
 * It builds from the recorded settings (test/fixtures/meeting-notes-settings.ts), so a user's own
 * settings never touch it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { RECORDED_VARIANTS, STACKS_ADDED_SINCE_THE_RECORDING, synthRecorded } from "./support/platform";
import { addresses } from "./support/synth";

/** Data sources added since the recording (the rotation function's own, from the LambdaFunction construct). */
const DATA_ADDED_SINCE_THE_RECORDING = ["data.aws_caller_identity.grafana-token_function_account_768A1467"];

const recorded = JSON.parse(
  readFileSync(join(__dirname, "fixtures", "meeting-notes-addresses.json"), "utf8"),
) as Record<string, { stateKey: string | null; addresses: string[]; data: string[] }>;

describe.each(Object.keys(RECORDED_VARIANTS) as (keyof typeof RECORDED_VARIANTS)[])(
  "meeting-notes, %s",
  (variant) => {
    const stacks = synthRecorded(variant);

    test("keeps its stack ids (and adds only the stacks listed as added)", () => {
      expect(Object.keys(stacks).sort()).toEqual(
        [
          ...Object.keys(recorded)
            .filter((k) => k.startsWith(`${variant}/`))
            .map((k) => k.slice(variant.length + 1)),
          ...STACKS_ADDED_SINCE_THE_RECORDING,
        ].sort(),
      );
    });

    test.each(Object.keys(stacks).filter((s) => !STACKS_ADDED_SINCE_THE_RECORDING.includes(s)))(
      "%s keeps its state key and every resource and data address",
      (stack) => {
        const json = stacks[stack]!;
        const pin = recorded[`${variant}/${stack}`]!;
        expect((json.terraform as { backend?: { s3?: { key?: string } } })?.backend?.s3?.key ?? null).toBe(
          pin.stateKey,
        );
        const moved = ((json as { moved?: { from: string; to: string }[] }).moved ?? []).map((m) => ({
          from: m.from,
          to: m.to,
        }));
        const now = addresses(json);
        for (const m of moved) {
          expect(pin.addresses, `moved from ${m.from}`).toContain(m.from);
          expect(now, `moved to ${m.to}`).toContain(m.to);
        }
        const before = new Map(moved.map((m) => [m.to, m.from]));
        expect(now.map((a) => before.get(a) ?? a).sort()).toEqual(pin.addresses);
        // Data sources hold no state: new ones are fine once listed here; none may disappear.
        const data = Object.entries(json.data ?? {}).flatMap(([type, byName]) =>
          Object.keys(byName).map((name) => `data.${type}.${name}`),
        );
        const added = DATA_ADDED_SINCE_THE_RECORDING.filter((d) => data.includes(d));
        expect(data.filter((d) => !added.includes(d)).sort()).toEqual(pin.data);
      },
    );
  },
);
