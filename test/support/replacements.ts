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

/**
 * What AWS reports for attributes nobody configured, where a null in state would read as a change
 * that forces a replacement (the provider fills the default on create, and reads it back).
 */
const REPORTED_DEFAULTS: Readonly<
  Record<string, (config: Record<string, unknown>, id: string) => Readonly<Record<string, unknown>>>
> = {
  aws_iam_role: () => ({ path: "/" }),
  aws_vpc: () => ({ instance_tenancy: "default" }),
  aws_subnet: () => ({ ipv6_native: false, assign_ipv6_address_on_creation: false }),
  aws_eip: (_config, id) => ({ allocation_id: id }),
  aws_ecs_service: () => ({ scheduling_strategy: "REPLICA" }),
  aws_db_instance: (config) =>
    config.manage_master_user_password
      ? {
          master_user_secret: [
            {
              secret_arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0000-AbCdEf",
              kms_key_id: config.master_user_secret_kms_key_id ?? null,
              secret_status: "active",
            },
          ],
        }
      : {},
  // Computed values the configuration reads (the repository's URL, the certificate's DNS record).
  aws_ecr_repository: (config) => ({
    repository_url: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${String(config.name)}`,
  }),
  aws_acm_certificate: (config) => ({
    domain_validation_options: [
      {
        domain_name: config.domain_name,
        resource_record_name: `_x.${String(config.domain_name)}.`,
        resource_record_type: "CNAME",
        resource_record_value: "_y.acm-validations.aws.",
      },
    ],
  }),
};

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

/**
 * Replaces `${type.name.attr}` references with the value that attribute has in the state being built,
 * and evaluates `element()` of a literal list.
 */
function resolve(value: unknown, attributes: Map<string, Record<string, unknown>>): unknown {
  if (typeof value === "string") {
    // `element()` of a literal list (an Aurora instance's zone): the state holds the element itself.
    const element = /^\$\{element\((\[[^\]$]*\]), (\d+)\)\}$/.exec(value);
    if (element) {
      const list = JSON.parse(element[1]!) as unknown[];
      return list[Number(element[2]) % list.length];
    }
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
async function stateOf(json: TerraformJson, ids: Readonly<Record<string, string>> = {}): Promise<string> {
  const { resources: schema } = await providerSchemas();
  const attributes = new Map<string, Record<string, unknown>>();
  const entries = Object.entries(json.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, config]) => ({ type, name, config })),
  );
  // Made-up identities first, so references between resources resolve to them.
  for (const { type, name } of entries) {
    attributes.set(`${type}.${name}`, {
      id: ids[`${type}.${name}`] ?? `${name}-id`,
      arn: `arn:aws:${type}:us-east-1:123456789012:${name}`,
    });
  }
  for (const { type, name, config } of entries) {
    const own = {
      ...REPORTED_DEFAULTS[type]?.(config, ids[`${type}.${name}`] ?? `${name}-id`),
      ...Object.fromEntries(Object.entries(config).filter(([k]) => !META.has(k))),
    };
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
          attributes: { ...shape(resolved, schema[type]!.block), id: ids[`${type}.${name}`] ?? `${name}-id` },
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

/**
 * A whole stack's data sources read AWS even with `-refresh=false`: offline, each reference to one is
 * replaced by what it would read (the account, partition and region, the zones), and the data blocks
 * go. A reference this table does not know fails the test, naming it.
 */
function withoutDataSources(json: TerraformJson): TerraformJson {
  const provider = (json.provider?.aws as Record<string, unknown>[] | undefined)?.[0] ?? {};
  const region = String(provider.region ?? "us-east-1");
  const account = String((provider.allowed_account_ids as string[] | undefined)?.[0] ?? "123456789012");
  const zones = [`${region}a`, `${region}b`, `${region}c`];
  const values: Record<string, string> = {
    "aws_caller_identity.account_id": account,
    "aws_caller_identity.arn": `arn:aws:iam::${account}:user/ci`,
    "aws_caller_identity.user_id": "AIDAPLACEHOLDER",
    "aws_partition.partition": "aws",
    "aws_partition.dns_suffix": "amazonaws.com",
    "aws_region.name": region,
    "aws_region.id": region,
    "aws_kms_alias.target_key_arn": `arn:aws:kms:${region}:${account}:key/00000000-0000-0000-0000-000000000000`,
    "aws_iam_openid_connect_provider.arn": `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`,
    "aws_route53_zone.zone_id": "Z0123456789ABCDEFGHIJ",
  };
  const standIn = (type: string, attribute: string, ref: string): string => {
    const value = values[`${type}.${attribute}`];
    if (value === undefined)
      throw new Error(`offline plan: no stand-in for ${ref}; add one to withoutDataSources`);
    return value;
  };
  const replace = (text: string): string =>
    text
      .replace(
        /\$\{element\(data\.aws_availability_zones\.[A-Za-z0-9_-]+\.names, (\d+)\)\}/g,
        (_, i) => zones[Number(i) % zones.length]!,
      )
      .replace(/\$\{data\.(aws_[a-z0-9_]+)\.[A-Za-z0-9_-]+\.([a-z_]+)\}/g, (ref, type, attribute) =>
        standIn(type, attribute, ref),
      )
      .replace(/data\.(aws_[a-z0-9_]+)\.[A-Za-z0-9_-]+\.([a-z_]+)/g, (ref, type, attribute) =>
        JSON.stringify(standIn(type, attribute, ref)),
      );
  const walk = (value: unknown): unknown => {
    if (typeof value === "string") return replace(value);
    if (Array.isArray(value))
      return value.filter((v) => !(typeof v === "string" && v.startsWith("data."))).map(walk);
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    }
    return value;
  };
  const { data: _data, ...rest } = json as Record<string, unknown>;
  return walk(rest) as TerraformJson;
}

/** The provider configured to plan offline: placeholder credentials, no AWS call at configure time. */
function offline(json: TerraformJson): TerraformJson {
  const { allowed_account_ids: _accounts, ...aws } = (
    json.provider?.aws as Record<string, unknown>[] | undefined
  )?.[0] ?? {
    region: "us-east-1",
  };
  // A stack's S3 backend would need AWS: the state file is local here.
  const { backend: _backend, ...terraform } = (json.terraform ?? {}) as Record<string, unknown>;
  return {
    ...json,
    terraform,
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
  options: {
    /** Ids of resources in the state (adopted ones: the id their import block names). @default - made up */
    readonly stateIds?: Readonly<Record<string, string>>;
    /** Values of the configuration's variables. @default {} */
    readonly vars?: Readonly<Record<string, string>>;
  } = {},
): Promise<Record<string, PlannedChange>> {
  const stack = await EngineStack.init(`replace-${name}`, offline(withoutDataSources(after)));
  stack.write("terraform.tfstate", await stateOf(withoutDataSources(before), options.stateIds));
  const plan = await stack.run([
    "plan",
    "-refresh=false",
    "-input=false",
    "-lock=false",
    "-out=plan.out",
    ...Object.entries(options.vars ?? {}).map(([k, v]) => `-var=${k}=${v}`),
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
