import {
  booleanToHclTerraform,
  numberToHclTerraform,
  stringToHclTerraform,
  type TerraformMetaArguments,
  type TerraformProviderGeneratorMetadata,
} from "cdktf";

/** Registry source of the Grafana provider, fully qualified (DESIGN.md: OpenTofu resolves short names differently). */
export const GRAFANA_PROVIDER_SOURCE = "grafana/grafana";

/**
 * Version constraint written to `required_providers.grafana.version`: 4.45.x, the releases whose
 * schema the bindings are checked against (test/fixtures/grafana-provider-schema.json, the provider's
 * published `provider_schema.json` after v4.45.1). Widen it only together with a newer schema file.
 */
export const GRAFANA_PROVIDER_VERSION_CONSTRAINT = "~> 4.45.0";

/**
 * What generated bindings record about their provider. `providerVersion` is left out on purpose:
 * cdktf writes it (when set) instead of the constraint, and these bindings were written by hand
 * against the v4 schema rather than generated from one exact release.
 */
export const GRAFANA_GENERATOR_METADATA: TerraformProviderGeneratorMetadata = {
  providerName: "grafana",
  providerVersionConstraint: GRAFANA_PROVIDER_VERSION_CONSTRAINT,
};

/** The kinds of scalar attributes these bindings write. */
export type AttributeKind = "string" | "boolean" | "number";

/** One attribute for {@link hclAttributes}: its value and its Terraform type. */
export interface HclAttribute {
  readonly value: unknown;
  readonly kind: AttributeKind;
}

const HCL_MAPPERS = {
  string: stringToHclTerraform,
  boolean: booleanToHclTerraform,
  number: numberToHclTerraform,
} as const;

/**
 * Builds the HCL attribute map cdktf expects from `synthesizeHclAttributes()` (used when a stack is
 * synthesized as HCL), leaving out unset attributes, as generated bindings do.
 */
export function hclAttributes(attributes: Readonly<Record<string, HclAttribute>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, { value, kind }] of Object.entries(attributes)) {
    if (value === undefined) continue;
    out[name] = { value: HCL_MAPPERS[kind](value), isBlock: false, type: "simple", storageClassType: kind };
  }
  return out;
}

/** The meta-arguments a resource passes to cdktf's base class, as generated bindings do. */
export function metaArguments(config: TerraformMetaArguments): TerraformMetaArguments {
  const { provider, dependsOn, count, lifecycle, provisioners, connection, forEach } = config;
  return { provider, dependsOn, count, lifecycle, provisioners, connection, forEach };
}
