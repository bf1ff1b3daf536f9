/**
 * Every Grafana resource, data source and provider block the app synthesizes, checked against the
 * grafana/grafana provider's own schema (test/fixtures/grafana-provider-schema.json: the
 * `provider_schema.json` its maintainers publish, reduced to names, types and flags, v4.45.x). The
 * provider cannot be installed offline, so this is the closest real check of the hand-written bindings:
 * no unknown argument, the right types, required arguments set, computed-only attributes never set.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { GRAFANA_PROVIDER_VERSION_CONSTRAINT } from "../../constructs/grafana/bindings";
import { synthPlatform, WITH_ALERTS_AND_API } from "../support/platform";

interface Attribute {
  readonly type?: unknown;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
}
interface Block {
  readonly attributes?: Record<string, Attribute>;
  readonly block_types?: Record<
    string,
    { readonly nesting_mode: string; readonly block: Block; readonly min_items?: number }
  >;
}
const schema = JSON.parse(
  readFileSync(join(__dirname, "..", "fixtures", "grafana-provider-schema.json"), "utf8"),
).provider_schemas["registry.terraform.io/grafana/grafana"] as {
  provider: { block: Block };
  resource_schemas: Record<string, { block: Block }>;
  data_source_schemas: Record<string, { block: Block }>;
};

/** Terraform meta-arguments and cdktf's comment key: not part of any schema. */
const META = new Set([
  "//",
  "depends_on",
  "count",
  "for_each",
  "provider",
  "lifecycle",
  "provisioner",
  "connection",
  "alias",
]);
const isReference = (v: unknown) => typeof v === "string" && /\$\{.+\}/.test(v);

/** Problems of one value against a schema type (`"string"`, `["map","string"]`, ...). */
function typeProblems(path: string, type: unknown, value: unknown): string[] {
  if (isReference(value)) return [];
  if (type === "string")
    return typeof value === "string" ? [] : [`${path}: expected a string, got ${JSON.stringify(value)}`];
  if (type === "number")
    return typeof value === "number" ? [] : [`${path}: expected a number, got ${JSON.stringify(value)}`];
  if (type === "bool")
    return typeof value === "boolean" ? [] : [`${path}: expected a bool, got ${JSON.stringify(value)}`];
  if (Array.isArray(type) && (type[0] === "map" || type[0] === "object")) {
    if (value === null || typeof value !== "object" || Array.isArray(value))
      return [`${path}: expected a ${type[0]}`];
    if (type[0] === "map")
      return Object.entries(value).flatMap(([k, v]) => typeProblems(`${path}.${k}`, type[1], v));
    return [];
  }
  if (Array.isArray(type) && (type[0] === "list" || type[0] === "set")) {
    if (!Array.isArray(value)) return [`${path}: expected a ${type[0]}`];
    return value.flatMap((v, i) => typeProblems(`${path}[${i}]`, type[1], v));
  }
  return [];
}

/** Problems of one block's configuration against the schema block. */
function blockProblems(path: string, block: Block, config: Record<string, unknown>): string[] {
  const attributes = block.attributes ?? {};
  const blocks = block.block_types ?? {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(config)) {
    if (META.has(name) || value === undefined || value === null) continue;
    const attribute = attributes[name];
    const nested = blocks[name];
    if (attribute) {
      if (attribute.computed && !attribute.optional && !attribute.required) {
        problems.push(`${path}.${name}: computed-only, cannot be set`);
      }
      problems.push(...typeProblems(`${path}.${name}`, attribute.type, value));
    } else if (nested) {
      for (const [i, item] of [value].flat().entries()) {
        problems.push(
          ...blockProblems(`${path}.${name}[${i}]`, nested.block, item as Record<string, unknown>),
        );
      }
    } else {
      problems.push(`${path}.${name}: not an argument of this schema`);
    }
  }
  for (const [name, attribute] of Object.entries(attributes)) {
    if (attribute.required && (config[name] === undefined || config[name] === null))
      problems.push(`${path}.${name}: required, not set`);
  }
  for (const [name, nested] of Object.entries(blocks)) {
    if ((nested.min_items ?? 0) > 0 && config[name] === undefined)
      problems.push(`${path}.${name}: required block, not set`);
  }
  return problems;
}

const variants = { shipped: synthPlatform(), "alerts and API domain": synthPlatform(WITH_ALERTS_AND_API) };

describe.each(Object.entries(variants))(
  "Grafana stacks (%s) against the provider's schema",
  (_variant, stacks) => {
    const grafanaStacks = Object.entries(stacks).filter(([name]) => name.endsWith("-grafana"));

    test("there are Grafana stacks with Grafana resources to check", () => {
      expect(grafanaStacks.length).toBeGreaterThanOrEqual(2);
      for (const [, json] of grafanaStacks) {
        expect(
          Object.keys(json.resource ?? {}).filter((t) => t.startsWith("grafana_")).length,
        ).toBeGreaterThan(0);
      }
    });

    test.each(grafanaStacks)(
      "%s: every grafana resource, data source and the provider block fit the schema",
      (_name, json) => {
        const problems: string[] = [];
        for (const [kind, schemas] of [
          ["resource", schema.resource_schemas],
          ["data", schema.data_source_schemas],
        ] as const) {
          for (const [type, byName] of Object.entries((json as any)[kind] ?? {})) {
            if (!type.startsWith("grafana_")) continue;
            const typeSchema = schemas[type];
            if (!typeSchema) {
              problems.push(`${kind} ${type}: no such type in the provider`);
              continue;
            }
            for (const [name, config] of Object.entries(byName as Record<string, Record<string, unknown>>)) {
              problems.push(...blockProblems(`${kind}.${type}.${name}`, typeSchema.block, config));
            }
          }
        }
        for (const [i, provider] of ((json.provider?.grafana ?? []) as Record<string, unknown>[]).entries()) {
          problems.push(...blockProblems(`provider.grafana[${i}]`, schema.provider.block, provider));
        }
        expect(problems).toEqual([]);
        expect(json.provider?.grafana?.length ?? 0).toBeGreaterThan(0);
      },
    );

    test.each(grafanaStacks)("%s: requires the provider version the schema describes", (_name, json) => {
      expect(json.terraform?.required_providers?.grafana).toEqual({
        source: "grafana/grafana",
        version: GRAFANA_PROVIDER_VERSION_CONSTRAINT,
      });
      expect(GRAFANA_PROVIDER_VERSION_CONSTRAINT).toBe("~> 4.45.0");
    });
  },
);

describe("the schema check itself", () => {
  test("finds an unknown argument, a wrong type, a missing required argument and a computed-only one", () => {
    const block = schema.resource_schemas.grafana_dashboard!.block;
    expect(
      blockProblems("resource.grafana_dashboard.d", block, {
        config_jsn: "{}",
        overwrite: "yes",
        url: "https://x",
      }),
    ).toEqual([
      "resource.grafana_dashboard.d.config_jsn: not an argument of this schema",
      'resource.grafana_dashboard.d.overwrite: expected a bool, got "yes"',
      "resource.grafana_dashboard.d.url: computed-only, cannot be set",
      "resource.grafana_dashboard.d.config_json: required, not set",
    ]);
  });
});
