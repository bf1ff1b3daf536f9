/**
 * What the real provider would do to existing resources when a setting changes, without AWS: the
 * "before" configuration becomes a state file (its values, references resolved, shaped by the
 * provider's schema), the "after" configuration is planned against it with placeholder credentials
 * and `-refresh=false -target=<address>`, and the JSON plan says, per resource, update or replace and
 * which attributes force the replacement (DESIGN.md: "Replacement checks need the real provider").
 */
import { EngineStack } from "./engine";
import type { TerraformJson } from "./synth";

type Block = {
  attributes?: Record<string, { type: unknown; computed?: boolean }>;
  block_types?: Record<string, { nesting_mode: string; block: Block }>;
};
interface Schemas {
  readonly resources: Record<string, { version: number; block: Block }>;
}

let schemas: Schemas | undefined;

/** The provider's resource schemas (`terraform providers schema -json`), read once. */
async function providerSchemas(): Promise<Schemas> {
  if (schemas) return schemas;
  const stack = await EngineStack.init("schema", {
    terraform: { required_providers: { aws: { source: "hashicorp/aws", version: "5.100.0" } } },
  });
  const result = await stack.run(["providers", "schema", "-json"]);
  const json = JSON.parse(result.output.slice(result.output.indexOf("{")));
  schemas = {
    resources: json.provider_schemas["registry.terraform.io/hashicorp/aws"].resource_schemas,
  };
  return schemas;
}

const META = new Set(["//", "lifecycle", "depends_on", "provider", "count", "for_each"]);

/** A configuration value shaped as the schema stores it in state (single blocks become lists). */
function shape(value: unknown, block: Block): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const source = value as Record<string, unknown>;
  for (const [name, attribute] of Object.entries(block.attributes ?? {})) {
    if (source[name] !== undefined) {
      out[name] = source[name];
    } else if (attribute.computed && Array.isArray(attribute.type)) {
      // What AWS reports for a collection nobody configured: empty, not null (a null would read as a change).
      out[name] = attribute.type[0] === "map" ? {} : attribute.type[0] === "object" ? null : [];
    }
  }
  for (const [name, nested] of Object.entries(block.block_types ?? {})) {
    const given = source[name];
    if (given === undefined) {
      out[name] = nested.nesting_mode === "single" ? null : [];
      continue;
    }
    const items = Array.isArray(given) ? given : [given];
    out[name] =
      nested.nesting_mode === "single"
        ? shape(items[0], nested.block)
        : items.map((i) => shape(i, nested.block));
  }
  return out;
}

/** Replaces `${type.name.attr}` references with the value that attribute has in the state being built. */
function resolve(value: unknown, attributes: Map<string, Record<string, unknown>>): unknown {
  if (typeof value === "string") {
    const whole = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/.exec(value);
    if (whole) return attributes.get(`${whole[1]}.${whole[2]}`)?.[whole[3]!] ?? `${whole[2]}-${whole[3]}`;
    return value.replace(/\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}/g, (_, t, n, a) =>
      String(attributes.get(`${t}.${n}`)?.[a] ?? `${n}-${a}`),
    );
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, attributes));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, attributes)]));
  }
  return value;
}

/** A state file holding every managed resource of `json` as configured (ids and ARNs made up). */
async function stateOf(json: TerraformJson): Promise<string> {
  const { resources: schema } = await providerSchemas();
  const attributes = new Map<string, Record<string, unknown>>();
  const entries = Object.entries(json.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, config]) => ({ type, name, config })),
  );
  // Made-up identities first, so references between resources resolve to them.
  for (const { type, name } of entries) {
    attributes.set(`${type}.${name}`, {
      id: `${name}-id`,
      arn: `arn:aws:${type}:us-east-1:123456789012:${name}`,
    });
  }
  for (const { type, name, config } of entries) {
    const own = Object.fromEntries(Object.entries(config).filter(([k]) => !META.has(k)));
    attributes.set(`${type}.${name}`, { ...attributes.get(`${type}.${name}`), ...own });
  }
  const resources = entries.map(({ type, name }) => {
    const resolved = resolve(attributes.get(`${type}.${name}`), attributes);
    return {
      mode: "managed",
      type,
      name,
      provider: 'provider["registry.terraform.io/hashicorp/aws"]',
      instances: [
        {
          schema_version: schema[type]!.version,
          attributes: { ...shape(resolved, schema[type]!.block), id: `${name}-id` },
          sensitive_attributes: [],
        },
      ],
    };
  });
  return JSON.stringify({
    version: 4,
    terraform_version: "1.11.4",
    serial: 1,
    lineage: "replacements",
    outputs: {},
    resources,
  });
}

/** The provider configured to plan offline: placeholder credentials, no AWS call at configure time. */
function offline(json: TerraformJson): TerraformJson {
  const aws = (json.provider?.aws as Record<string, unknown>[] | undefined)?.[0] ?? { region: "us-east-1" };
  return {
    ...json,
    provider: {
      aws: [
        {
          ...aws,
          access_key: "AKIAPLACEHOLDER0000",
          secret_key: "placeholder",
          skip_credentials_validation: true,
          skip_requesting_account_id: true,
          skip_metadata_api_check: true,
          skip_region_validation: true,
        },
      ],
    },
  };
}

/** What a plan does to one resource: its actions and the attribute paths that force a replacement. */
export interface PlannedChange {
  readonly actions: readonly string[];
  readonly replacePaths: readonly (readonly (string | number)[])[];
}

/**
 * Plans `after` against a state holding `before`, for the given resource addresses, with the real
 * provider and no AWS access. Returns each target's planned change.
 */
export async function planChange(
  name: string,
  before: TerraformJson,
  after: TerraformJson,
  targets: readonly string[],
): Promise<Record<string, PlannedChange>> {
  const stack = await EngineStack.init(`replace-${name}`, offline(after));
  stack.write("terraform.tfstate", await stateOf(before));
  const plan = await stack.run([
    "plan",
    "-refresh=false",
    "-input=false",
    "-lock=false",
    "-out=plan.out",
    ...targets.map((t) => `-target=${t}`),
  ]);
  if (!plan.ok) throw new Error(`terraform plan failed for ${name}:\n${plan.output}`);
  const shown = await stack.run(["show", "-json", "plan.out"]);
  const json = JSON.parse(shown.output.slice(shown.output.indexOf("{")));
  const changes: Record<string, PlannedChange> = {};
  for (const change of json.resource_changes ?? []) {
    if (!targets.includes(change.address)) continue;
    changes[change.address] = {
      actions: change.change.actions,
      replacePaths: change.change.replace_paths ?? [],
    };
  }
  return changes;
}
