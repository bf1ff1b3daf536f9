/**
 * Adoption with the real provider, offline (test/support/replacements.ts): a state holding Freeside
 * production as the seed runs it (its repository named arrakis-api), and the adoption configuration
 * planned against it. No adopted resource is replaced; without the declared name, the plan that would
 * replace the repository is refused by prevent_destroy.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { FREESIDE_FILES } from "../stacks/freeside/platform";
import { SEED_PRODUCTION_IMPORTS } from "./fixtures/freeside-adoption";
import { requireTerraform } from "./support/engine";
import { synthFreeside } from "./support/platform";
import { planChange } from "./support/replacements";
import type { TerraformJson } from "./support/synth";

const production = (extra: object) =>
  synthFreeside(
    FREESIDE_FILES.map((f) =>
      f.source.endsWith("production.ts")
        ? { source: f.source, input: { ...(f.input as object), ...extra } }
        : f,
    ),
  )["freeside-production"]!;

const VARS = { image_tag: "0123abc" };
const importsOf = (json: TerraformJson) => (json as { import?: { to: string; id: string }[] }).import ?? [];

beforeAll(async () => {
  await requireTerraform();
});

describe.concurrent("adopting the seed's running production", () => {
  const running = production({ ecrRepositoryName: "arrakis-api" });

  test("a plan from the running resources' state replaces none of the adopted ones", async () => {
    const adoption = production({
      ecrRepositoryName: "arrakis-api",
      adopt: { imports: SEED_PRODUCTION_IMPORTS, live: { "image/repository": { name: "arrakis-api" } } },
    });
    const blocks = importsOf(adoption);
    expect(blocks).toHaveLength(Object.keys(SEED_PRODUCTION_IMPORTS).length);
    const ids = Object.fromEntries(blocks.map((b) => [b.to, b.id]));
    const planned = await planChange("adopt-seed-production", running, adoption, Object.keys(ids), {
      stateIds: ids,
      vars: VARS,
    });
    expect(Object.keys(planned).sort()).toEqual(Object.keys(ids).sort());
    const replaced = Object.entries(planned).filter(
      ([, change]) => change.replacePaths.length > 0 || change.actions.includes("delete"),
    );
    expect(replaced).toEqual([]);
  }, 180_000);

  test("without the running repository's name, prevent_destroy stops the plan that would replace it", async () => {
    const imports = { "image/repository": "arrakis-api" };
    const adoption = production({ adopt: { imports } });
    const ids = { [importsOf(adoption)[0]!.to]: "arrakis-api" };
    await expect(
      planChange("adopt-wrong-name", running, adoption, Object.keys(ids), { stateIds: ids, vars: VARS }),
    ).rejects.toThrow(/prevent_destroy/);
  }, 180_000);
});
