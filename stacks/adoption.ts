import { Annotations, TerraformResource, type TerraformStack } from "cdktf";
import { type AdoptSettings, failSetting } from "../environments/fields";

/**
 * Adopting what already runs: `adopt.imports` in an environment file maps resources of the
 * environment's stack, by construct path (`network/vpc`, `database/instance`; `npm run
 * adoption-keys -- <stack>` lists them), to the ids of the running resources. Each becomes a
 * Terraform `import` block, all written through one override of the stack (not `importFrom()`, which
 * runs `terraform version` per import at synth time), and every adopted resource gets
 * `prevent_destroy`, so a plan that would destroy or replace it fails instead.
 */

const ARN = (service: string, resource: string) =>
  new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]+:(\\d{12}):${resource}$`);
const HEX_ID = (prefix: string) => new RegExp(`^${prefix}-[0-9a-f]{8,17}$`);
const NAME = /^[A-Za-z0-9_.\-/+=,@]{1,512}$/;

/** What an import id of a resource type looks like (the provider's import format), with an example. */
interface IdShape {
  readonly pattern: RegExp;
  readonly example: string;
}

/**
 * The import id of each resource type this repository adopts (hashicorp/aws 5.x import formats).
 * An ARN's account is checked against the environment's `accountId`.
 */
export const IMPORT_ID_SHAPES: Readonly<Record<string, IdShape>> = {
  aws_vpc: { pattern: HEX_ID("vpc"), example: "vpc-0a1b2c3d4e5f67890" },
  aws_subnet: { pattern: HEX_ID("subnet"), example: "subnet-0a1b2c3d4e5f67890" },
  aws_route_table: { pattern: HEX_ID("rtb"), example: "rtb-0a1b2c3d4e5f67890" },
  aws_route: {
    pattern: /^rtb-[0-9a-f]{8,17}_(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/,
    example: "rtb-0a1b2c3d4e5f67890_0.0.0.0/0",
  },
  aws_route_table_association: {
    pattern: /^subnet-[0-9a-f]{8,17}\/rtb-[0-9a-f]{8,17}$/,
    example: "subnet-0a1b2c3d4e5f67890/rtb-0a1b2c3d4e5f67890",
  },
  aws_internet_gateway: { pattern: HEX_ID("igw"), example: "igw-0a1b2c3d4e5f67890" },
  aws_nat_gateway: { pattern: HEX_ID("nat"), example: "nat-0a1b2c3d4e5f67890" },
  aws_eip: { pattern: HEX_ID("eipalloc"), example: "eipalloc-0a1b2c3d4e5f67890" },
  aws_security_group: { pattern: HEX_ID("sg"), example: "sg-0a1b2c3d4e5f67890" },
  aws_vpc_security_group_ingress_rule: { pattern: HEX_ID("sgr"), example: "sgr-0a1b2c3d4e5f67890" },
  aws_vpc_security_group_egress_rule: { pattern: HEX_ID("sgr"), example: "sgr-0a1b2c3d4e5f67890" },
  aws_vpc_endpoint: { pattern: HEX_ID("vpce"), example: "vpce-0a1b2c3d4e5f67890" },
  aws_flow_log: { pattern: HEX_ID("fl"), example: "fl-0a1b2c3d4e5f67890" },
  aws_ecs_cluster: { pattern: /^[A-Za-z0-9_-]{1,255}$/, example: "arrakis-production-cluster" },
  aws_ecs_cluster_capacity_providers: {
    pattern: /^[A-Za-z0-9_-]{1,255}$/,
    example: "arrakis-production-cluster",
  },
  aws_ecs_service: {
    pattern: /^[A-Za-z0-9_-]{1,255}\/[A-Za-z0-9_-]{1,255}$/,
    example: "arrakis-production-cluster/arrakis-production-api",
  },
  aws_ecs_task_definition: {
    pattern: ARN("ecs", "task-definition/[A-Za-z0-9_-]+:\\d+"),
    example: "arn:aws:ecs:us-east-1:891376933289:task-definition/arrakis-production-api:42",
  },
  aws_iam_role: { pattern: /^[\w+=,.@-]{1,64}$/, example: "arrakis-production-api-task" },
  aws_iam_role_policy: {
    pattern: /^[\w+=,.@-]{1,64}:[\w+=,.@-]{1,128}$/,
    example: "arrakis-production-api-task:app-policy",
  },
  aws_ecr_repository: { pattern: /^[a-z0-9][a-z0-9._/-]{1,255}$/, example: "arrakis-api" },
  aws_ecr_lifecycle_policy: { pattern: /^[a-z0-9][a-z0-9._/-]{1,255}$/, example: "arrakis-api" },
  aws_db_instance: { pattern: /^[a-z][a-z0-9-]{0,62}$/, example: "arrakis-production-postgres" },
  aws_db_parameter_group: { pattern: /^[a-z][a-z0-9-]{0,254}$/, example: "arrakis-production-pg15" },
  aws_db_subnet_group: { pattern: /^[a-z0-9][a-z0-9 ._-]{0,254}$/, example: "arrakis-production-db" },
  aws_elasticache_replication_group: {
    pattern: /^[a-z][a-z0-9-]{0,39}$/,
    example: "arrakis-production-redis",
  },
  aws_elasticache_subnet_group: {
    pattern: /^[a-z0-9][a-z0-9-]{0,254}$/,
    example: "arrakis-production-cache",
  },
  aws_secretsmanager_secret: {
    pattern: ARN("secretsmanager", "secret:[\\w/+=.@-]+-[A-Za-z0-9]{6}"),
    example: "arn:aws:secretsmanager:us-east-1:891376933289:secret:arrakis-production/app-config-AbCdEf",
  },
  aws_cloudwatch_log_group: { pattern: /^[\w./#-]{1,512}$/, example: "/ecs/arrakis-production/api" },
  aws_cloudwatch_metric_alarm: { pattern: NAME, example: "arrakis-production-cpu-high-api" },
  aws_sns_topic: {
    pattern: ARN("sns", "[\\w-]{1,256}"),
    example: "arn:aws:sns:us-east-1:891376933289:arrakis-production-alerts",
  },
  aws_lb: {
    pattern: ARN("elasticloadbalancing", "loadbalancer/app/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}"),
    example:
      "arn:aws:elasticloadbalancing:us-east-1:891376933289:loadbalancer/app/arrakis-production-alb/0123456789abcdef",
  },
  aws_lb_target_group: {
    pattern: ARN("elasticloadbalancing", "targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}"),
    example:
      "arn:aws:elasticloadbalancing:us-east-1:891376933289:targetgroup/arrakis-production-api/0123456789abcdef",
  },
  aws_lb_listener: {
    pattern: ARN("elasticloadbalancing", "listener/app/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}/[0-9a-f]{16}"),
    example:
      "arn:aws:elasticloadbalancing:us-east-1:891376933289:listener/app/arrakis-production-alb/0123456789abcdef/fedcba9876543210",
  },
  aws_acm_certificate: {
    pattern: ARN("acm", "certificate/[0-9a-f-]{36}"),
    example: "arn:aws:acm:us-east-1:891376933289:certificate/0f0e1d2c-aaaa-bbbb-cccc-1234567890ab",
  },
  aws_route53_record: {
    pattern: /^Z[A-Z0-9]{1,32}_[a-z0-9.*-]+_(A|AAAA|CNAME|TXT|MX|NS|SRV|CAA)$/,
    example: "Z0123456789ABCDEFGHIJ_api.freeside.example.com_A",
  },
  aws_kms_key: {
    pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    example: "0f0e1d2c-aaaa-bbbb-cccc-1234567890ab",
  },
  aws_kms_alias: { pattern: /^alias\/[\w/-]{1,250}$/, example: "alias/arrakis-production" },
};

/**
 * The attributes of each type that force a replacement (hashicorp/aws 5.x; DESIGN.md lists the ones
 * that bite): what `adopt.live` may declare, and what synth compares with the configuration.
 */
export const REPLACEMENT_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  aws_db_instance: [
    "identifier",
    "engine",
    "kms_key_id",
    "storage_encrypted",
    "username",
    "db_name",
    "db_subnet_group_name",
  ],
  aws_db_parameter_group: ["name", "family"],
  aws_db_subnet_group: ["name"],
  aws_elasticache_replication_group: [
    "replication_group_id",
    "at_rest_encryption_enabled",
    "kms_key_id",
    "port",
    "subnet_group_name",
  ],
  aws_elasticache_subnet_group: ["name"],
  aws_lb_target_group: ["name", "port", "protocol", "target_type", "vpc_id"],
  aws_lb: ["name", "internal", "load_balancer_type"],
  aws_ecr_repository: ["name"],
  aws_ecs_cluster: ["name"],
  aws_ecs_service: ["name", "cluster", "launch_type"],
  aws_secretsmanager_secret: ["name"],
  aws_cloudwatch_log_group: ["name"],
  aws_iam_role: ["name"],
  aws_vpc: ["cidr_block"],
  aws_subnet: ["cidr_block", "availability_zone", "vpc_id"],
  aws_security_group: ["name", "description", "vpc_id"],
  aws_route_table: ["vpc_id"],
  aws_nat_gateway: ["subnet_id", "allocation_id", "connectivity_type"],
  aws_acm_certificate: ["domain_name"],
  aws_kms_key: ["customer_master_key_spec", "key_usage", "multi_region"],
};

/** Adopted (type, id) pairs of one app, by the environment file and key that adopt them. */
const CLAIMS = new WeakMap<object, Map<string, { readonly source: string; readonly key: string }>>();
const claimsOf = (stack: TerraformStack) => {
  const root = stack.node.root;
  let claims = CLAIMS.get(root);
  if (!claims) {
    claims = new Map();
    CLAIMS.set(root, claims);
  }
  return claims;
};

/** One import block. */
export interface ImportBlock {
  readonly to: string;
  readonly id: string;
}

/** The stack's resources by construct path below the stack (`network/vpc`), in path order. */
export function adoptableResources(stack: TerraformStack): Map<string, TerraformResource> {
  const prefix = `${stack.node.path}/`;
  const found = new Map<string, TerraformResource>();
  for (const node of stack.node.findAll()) {
    if (node instanceof TerraformResource && node.node.path.startsWith(prefix)) {
      found.set(node.node.path.slice(prefix.length), node);
    }
  }
  return new Map([...found].sort(([a], [b]) => a.localeCompare(b)));
}

/** Paths most like `key`: the same resource name under another parent, or the same parent. */
function closest(key: string, paths: readonly string[]): string[] {
  const leaf = key.split("/").pop() ?? key;
  const parent = key.split("/")[0] ?? key;
  const byLeaf = paths.filter((p) => p.endsWith(`/${leaf}`) || p === leaf);
  const byParent = paths.filter((p) => p.startsWith(`${parent}/`));
  return [...new Set([...byLeaf, ...byParent])].slice(0, 6);
}

/**
 * Turns `adopt.imports` into the stack's import blocks and protects the adopted stateful resources.
 * Refuses (naming the file and the key) a key that names no resource of the stack, a resource type
 * this repository has no id shape for, an id of the wrong shape, an ARN of another account, and an
 * id given to two keys.
 */
export function adoptExisting(
  stack: TerraformStack,
  env: { readonly source: string; readonly accountId?: string | undefined; readonly adopt?: AdoptSettings },
  /** The setting that gives an attribute, by `<key>.<attribute>`, for the fix of a live-value mismatch. */
  settingOf: Readonly<Record<string, string>> = {},
): ImportBlock[] {
  const entries = Object.entries(env.adopt?.imports ?? {});
  if (entries.length > 0 && !env.accountId) {
    failSetting(
      env.source,
      "accountId",
      "is required with adopt.imports (the ids are checked against the environment's account, and its stacks refuse any other)",
      undefined,
      "Set the 12-digit id of the account the running resources are in.",
    );
  }
  if (entries.length === 0) {
    const [liveKey] = Object.keys(env.adopt?.live ?? {});
    if (liveKey !== undefined) {
      failSetting(
        env.source,
        `adopt.live.${liveKey}`,
        "describes a resource that adopt.imports does not adopt",
        liveKey,
        `Add ${liveKey} to adopt.imports, or remove it here.`,
      );
    }
    return [];
  }
  const resources = adoptableResources(stack);
  const paths = [...resources.keys()];
  const blocks: ImportBlock[] = [];
  const seen = new Map<string, string>();
  for (const [key, id] of entries) {
    const field = `adopt.imports.${key}`;
    const resource = resources.get(key);
    if (resource === undefined) {
      const near = closest(key, paths);
      failSetting(
        env.source,
        field,
        `names no resource of the stack ${stack.node.id} (keys are construct paths such as network/vpc)`,
        key,
        `${near.length > 0 ? `Did you mean ${near.join(", ")}? ` : ""}List them: npm run --silent adoption-keys -- ${stack.node.id}.`,
      );
    }
    const type = resource.terraformResourceType;
    const shape = IMPORT_ID_SHAPES[type];
    if (shape === undefined) {
      failSetting(
        env.source,
        field,
        `is a ${type}, which this repository does not adopt (no import id shape is known for it)`,
        id,
        "Leave it out: Terraform creates it, or add its shape to IMPORT_ID_SHAPES in stacks/adoption.ts.",
      );
    }
    const match = shape.pattern.exec(id);
    if (!match) {
      failSetting(
        env.source,
        field,
        `must be the import id of a ${type} (${shape.pattern.source})`,
        id,
        `Give the running resource's id, for example ${shape.example}.`,
      );
    }
    const account = match[1];
    if (account !== undefined && /^\d{12}$/.test(account) && env.accountId && account !== env.accountId) {
      failSetting(
        env.source,
        field,
        `must be a resource of the environment's account ${env.accountId}`,
        id,
        "Give the ARN of the resource in that account.",
      );
    }
    const earlier = seen.get(`${type} ${id}`);
    if (earlier !== undefined) {
      failSetting(
        env.source,
        field,
        `must not adopt the ${type} that adopt.imports.${earlier} adopts already`,
        id,
        "Give each resource its own running one.",
      );
    }
    seen.set(`${type} ${id}`, key);
    // Two environments (staging and production share an account) must never take over one resource:
    // the second's settings would apply to the first's.
    const claimed = claimsOf(stack).get(`${type} ${id}`);
    if (claimed !== undefined && claimed.source !== env.source) {
      failSetting(
        env.source,
        field,
        `must not adopt the ${type} that ${claimed.source} adopts already (adopt.imports.${claimed.key})`,
        id,
        "Give each environment its own running resources.",
      );
    }
    claimsOf(stack).set(`${type} ${id}`, { source: env.source, key });
    blocks.push({ to: `${type}.${resource.friendlyUniqueId}`, id });
    // The first apply must not destroy or replace anything that runs: a plan that would fails instead.
    resource.addOverride("lifecycle.prevent_destroy", true);
  }
  // One override for every import block (importFrom() would run `terraform version` per import).
  stack.addOverride("import", blocks);
  checkLiveValues(stack, env, resources, blocks, settingOf);
  return blocks;
}

const describe = (value: unknown) => JSON.stringify(value);

/**
 * Compares each declared live value with what the configuration gives the attribute: equal literals
 * pass; a reference passes when it points at an adopted resource the live value names (the ARN of the
 * adopted key, say); anything else would replace the adopted resource on the first apply, and fails.
 */
function checkLiveValues(
  stack: TerraformStack,
  env: { readonly source: string; readonly adopt?: AdoptSettings },
  resources: ReadonlyMap<string, TerraformResource>,
  blocks: readonly ImportBlock[],
  settingOf: Readonly<Record<string, string>>,
): void {
  const live = Object.entries(env.adopt?.live ?? {});
  if (live.length === 0) return;
  const adopted = new Map(blocks.map((b) => [b.to, b.id]));
  const keyOf = new Map<string, string>(
    [...resources].map(([path, r]) => [`${r.terraformResourceType}.${r.friendlyUniqueId}`, path]),
  );
  const json = stack.toTerraform() as { resource?: Record<string, Record<string, Record<string, unknown>>> };
  for (const [key, attributes] of live) {
    const resource = resources.get(key);
    const address = resource ? `${resource.terraformResourceType}.${resource.friendlyUniqueId}` : undefined;
    if (resource === undefined || address === undefined || !adopted.has(address)) {
      failSetting(
        env.source,
        `adopt.live.${key}`,
        "describes a resource that adopt.imports does not adopt",
        key,
        `Add ${key} to adopt.imports with the running resource's id, or remove it here.`,
      );
    }
    const type = resource.terraformResourceType;
    const config = json.resource?.[type]?.[resource.friendlyUniqueId] ?? {};
    const allowed = REPLACEMENT_ATTRIBUTES[type] ?? [];
    for (const [attribute, value] of Object.entries(attributes)) {
      const field = `adopt.live.${key}.${attribute}`;
      if (!allowed.includes(attribute)) {
        failSetting(
          env.source,
          field,
          `is not an attribute that forces a replacement of a ${type}${allowed.length > 0 ? ` (those are ${allowed.join(", ")})` : ""}`,
          value,
          "Declare only those: the others are updated in place by the first apply.",
        );
      }
      const given = config[attribute];
      const setting = settingOf[`${key}.${attribute}`];
      const fix = setting
        ? `Set ${setting} to ${describe(value)} in the environment file.`
        : "This repository fixes that value: the running resource cannot be adopted as it is; leave it out of adopt.imports (Terraform creates a new one beside it) or migrate it deliberately.";
      if (given === undefined) {
        failSetting(
          env.source,
          field,
          "is declared, but this configuration leaves the attribute unset (AWS or the provider would choose it), so the first apply cannot be shown to keep it",
          value,
          setting
            ? `Set ${setting} to ${describe(value)} in the environment file.`
            : "Remove the declaration, and read this attribute in the first plan.",
        );
      }
      const reference =
        typeof given === "string" ? /^\$\{(aws_[a-z0-9_]+\.[A-Za-z0-9_-]+)\.([a-z_]+)\}$/.exec(given) : null;
      if (reference) {
        const target = reference[1]!;
        const targetKey = keyOf.get(target) ?? target;
        const id = adopted.get(target);
        if (id === undefined) {
          failSetting(
            env.source,
            field,
            `is ${describe(value)} in the running resource, but this configuration gives it the new ${targetKey}, which would replace the adopted one`,
            value,
            `Adopt that one too: adopt.imports.${targetKey} set to the running resource's id.`,
          );
        }
        // The adopted resource the configuration names must be the one the running resource uses: its
        // id, or an ARN that ends in it.
        const names =
          typeof value === "string" && (value === id || value.endsWith(`/${id}`) || value.endsWith(`:${id}`));
        if (!names) {
          failSetting(
            env.source,
            field,
            `is ${describe(value)} in the running resource, but this configuration gives it ${targetKey}, adopted as ${describe(id)}`,
            value,
            `Adopt the resource the running one uses: adopt.imports.${targetKey} set to its id.`,
          );
        }
        continue;
      }
      if (typeof given === "string" && given.includes("${")) {
        // An expression Terraform evaluates at plan time (a zone from a data source): not comparable here.
        Annotations.of(stack).addWarning(
          `${env.source}: adopt.live.${key}.${attribute} (${describe(value)}) is computed by Terraform at plan time (${given}), so synth cannot compare it: check it in the first plan.`,
        );
        continue;
      }
      if (String(given) !== String(value)) {
        failSetting(
          env.source,
          field,
          `is ${describe(value)} in the running resource, but this configuration gives ${describe(given)}: the first apply would replace it`,
          value,
          fix,
        );
      }
    }
  }
}
