import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { Cache, type CacheProps } from "../../constructs/cache";
import { Connections } from "../../constructs/core/connections";
import { naming, network, RecordingKey } from "../support/fixtures";
import { onlyResource, parsed, resourcesOf, synthScope } from "../support/synth";

const build = (props: Partial<CacheProps> = {}) =>
  synthScope((s) => {
    new Cache(s, "cache", { naming, network, encryptionKey: new RecordingKey(), ...props });
  });
const group = (json: ReturnType<typeof build>) => onlyResource(json, "aws_elasticache_replication_group");
const KEY = new RecordingKey().keyArn;

describe("Cache defaults", () => {
  const json = build();
  const rg = group(json);

  test("Redis OSS 7.1 on one cache.t4g.micro node, no failover, in the private subnets", () => {
    expect(rg).toMatchObject({
      replication_group_id: "meeting-notes-staging-cache",
      engine: "redis",
      engine_version: "7.1",
      node_type: "cache.t4g.micro",
      num_cache_clusters: 1,
      port: 6379,
      automatic_failover_enabled: false,
      multi_az_enabled: false,
    });
    expect(onlyResource(json, "aws_elasticache_subnet_group").subnet_ids).toEqual(network.privateSubnetIds);
  });

  test("encrypted at rest with the key and in transit, TLS required", () => {
    expect(rg).toMatchObject({
      at_rest_encryption_enabled: "true",
      kms_key_id: KEY,
      transit_encryption_enabled: true,
      transit_encryption_mode: "required",
    });
  });

  test("no AUTH token and no password anywhere: IAM authentication, the default user disabled", () => {
    expect(rg.auth_token).toBeUndefined();
    const users = Object.values(resourcesOf(json, "aws_elasticache_user"));
    expect(users.every((u) => u.passwords === undefined)).toBe(true);
    const byName = Object.fromEntries(users.map((u) => [u.user_name, u]));
    expect(byName.default).toMatchObject({
      user_id: "meeting-notes-staging-cache-default",
      access_string: "off -@all",
      no_password_required: true,
    });
    // AWS reports no-password-required back as no-password: a block would read as a change on every plan.
    expect(byName.default.authentication_mode).toBeUndefined();
    expect(byName["meeting-notes-staging-cache-app"]).toMatchObject({
      user_id: "meeting-notes-staging-cache-app",
      access_string: "on ~* +@all -@dangerous",
      authentication_mode: { type: "iam" },
      engine: "redis",
    });
    expect(onlyResource(json, "aws_elasticache_user_group").user_ids).toHaveLength(2);
    expect(rg.user_group_ids).toEqual([expect.stringMatching(/aws_elasticache_user_group\./)]);
  });

  test("slow and engine logs to JSON log groups created first, with retention and the key", () => {
    expect(
      rg.log_delivery_configuration.map((c: any) => [c.log_type, c.destination_type, c.log_format]),
    ).toEqual([
      ["slow-log", "cloudwatch-logs", "json"],
      ["engine-log", "cloudwatch-logs", "json"],
    ]);
    const groups = Object.entries(resourcesOf(json, "aws_cloudwatch_log_group"));
    expect(groups.map(([, g]) => g.name).sort()).toEqual([
      "/aws/vendedlogs/elasticache/meeting-notes-staging-cache/engine-log",
      "/aws/vendedlogs/elasticache/meeting-notes-staging-cache/slow-log",
    ]);
    for (const [address, g] of groups) {
      expect(g).toMatchObject({ retention_in_days: 30, kms_key_id: KEY });
      expect(rg.depends_on).toContain(`aws_cloudwatch_log_group.${address}`);
    }
  });

  test("asks its key to let CloudWatch Logs encrypt the two log groups", () => {
    const key = new RecordingKey();
    synthScope((s) => new Cache(s, "cache", { naming, network, encryptionKey: key }));
    expect(key.logGroups).toHaveLength(2);
  });

  test("a daily snapshot kept 1 day; its security group admits nothing until allowed", () => {
    expect(rg.snapshot_retention_limit).toBe(1);
    expect(resourcesOf(json, "aws_vpc_security_group_ingress_rule")).toEqual({});
  });
});

describe("Cache overrides", () => {
  test("Valkey 8.0 on two cache.m7g.large nodes: failover and Multi-AZ on, node ids for the alarms", () => {
    let cache: Cache | undefined;
    const json = synthScope((s) => {
      cache = new Cache(s, "cache", {
        naming,
        network,
        encryptionKey: new RecordingKey(),
        name: "sessions",
        engine: "valkey",
        nodeType: "cache.m7g.large",
        nodes: 2,
        snapshotRetentionDays: 7,
        accessString: "on ~app:* +@read +@write",
        logRetentionDays: 90,
      });
    });
    expect(group(json)).toMatchObject({
      replication_group_id: "meeting-notes-staging-sessions",
      engine: "valkey",
      engine_version: "8.0",
      node_type: "cache.m7g.large",
      num_cache_clusters: 2,
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      snapshot_retention_limit: 7,
    });
    expect(Object.values(resourcesOf(json, "aws_elasticache_user")).every((u) => u.engine === "valkey")).toBe(
      true,
    );
    expect(cache!.nodeIds).toEqual([
      "meeting-notes-staging-sessions-001",
      "meeting-notes-staging-sessions-002",
    ]);
  });

  test("two nodes without Multi-AZ when asked", () => {
    expect(group(build({ nodes: 2, multiAz: false }))).toMatchObject({
      num_cache_clusters: 2,
      automatic_failover_enabled: false,
      multi_az_enabled: false,
    });
  });

  test("grantConnect: elasticache:Connect on the group and the user, nothing else; a workload allowed on 6379", () => {
    const json = synthScope((s) => {
      const cache = new Cache(s, "cache", { naming, network, encryptionKey: new RecordingKey() });
      cache.grantConnect({ roleArn: "arn:aws:iam::123456789012:role/api-task", roleName: "api-task" }, "api");
      new Connections(new Construct(s, "app"), "api", "the API tasks", "sg-api").allowTo(cache, cache.port);
      new TerraformOutput(s, "url", { value: cache.url });
    });
    const policy = onlyResource(json, "aws_iam_role_policy");
    expect(policy.role).toBe("api-task");
    expect(policy.name).toBe("cache-connect-api");
    expect(parsed(policy.policy).Statement).toEqual([
      {
        Sid: "ConnectAsTheApplicationUser",
        Effect: "Allow",
        Action: "elasticache:Connect",
        Resource: [
          expect.stringMatching(/aws_elasticache_replication_group\..+\.arn/),
          expect.stringMatching(/aws_elasticache_user\.cache_app-user_.+\.arn/),
        ],
      },
    ]);
    expect(onlyResource(json, "aws_vpc_security_group_ingress_rule")).toMatchObject({
      from_port: 6379,
      referenced_security_group_id: "sg-api",
    });
    expect(json.output?.url.value).toMatch(
      /^rediss:\/\/meeting-notes-staging-cache-app@\$\{aws_elasticache_replication_group\..+\.primary_endpoint_address\}:6379$/,
    );
  });
});

describe("Cache names within ElastiCache's 40 characters", () => {
  test("a long project and environment: the group and user ids are shortened with a stable suffix", () => {
    const json = synthScope((s) => {
      new Cache(s, "cache", {
        naming: { projectName: "a-very-long-project-name", environment: "production-eu" },
        network,
        encryptionKey: new RecordingKey(),
      });
    });
    const ids = [
      group(json).replication_group_id,
      ...Object.values(resourcesOf(json, "aws_elasticache_user")).map((u) => u.user_id),
    ];
    expect(ids.every((id: string) => id.length <= 40)).toBe(true);
    expect(new Set(ids).size).toBe(3);
    const app = Object.values(resourcesOf(json, "aws_elasticache_user")).find(
      (u) => u.user_name !== "default",
    );
    expect(app.user_name).toBe(app.user_id);
  });
});

describe("Cache rejects bad input", () => {
  test.each<[string, Partial<CacheProps>, string]>([
    [
      "Multi-AZ with one node",
      { multiAz: true },
      "`multiAz` needs two nodes or more (automatic failover promotes a replica in another zone, and one node has none), got 1. Set `nodes` to 2 or more, or turn multiAz off.",
    ],
    [
      "a node type that does not exist",
      { nodeType: "cache.t3.large" },
      '`nodeType` must be an ElastiCache node type (cache.<family>.<size>, families t3, t4g, m5, m6g, m7g, r5, r6g, r7g, with the sizes each has), got "cache.t3.large". Use for example cache.t4g.micro or cache.m7g.large.',
    ],
    [
      "a Redis version without IAM authentication",
      { engineVersion: "6.2" },
      '`engineVersion` must be a redis version with IAM authentication (7.0, 7.1), got "6.2". Pick one of those.',
    ],
    [
      "an engine ElastiCache does not run",
      { engine: "memcached" as never },
      '`engine` must be "redis" (Redis OSS) or "valkey", got "memcached". Pick one of the two.',
    ],
    [
      "seven nodes",
      { nodes: 7 },
      "`nodes` must be a whole number from 1 to 6 (a primary and up to five replicas), got 7. Set it to a whole number from 1 to 6.",
    ],
    [
      "an access string that is not one",
      { accessString: "+@all" },
      '`accessString` must be a Redis ACL access string starting with "on" or "off", got "+@all". Use for example "on ~* +@all -@dangerous".',
    ],
  ])("%s", (_label, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test("a second grant with one key is refused", () => {
    expect(() =>
      synthScope((s) => {
        const cache = new Cache(s, "cache", { naming, network, encryptionKey: new RecordingKey() });
        const role = { roleArn: "arn:aws:iam::123456789012:role/r", roleName: "r" };
        cache.grantConnect(role, "api");
        cache.grantConnect(role, "api");
      }),
    ).toThrow(
      '`grantConnect` needs a key of lowercase letters, digits and hyphens, unique per cache, got "api". Name the workload, for example api.',
    );
  });
});

describe("the engine on a cache", () => {
  test("validates and applies (mocked)", async () => {
    const { EngineStack, requireTerraform } = await import("../support/engine");
    const { tftest } = await import("../support/mocks");
    await requireTerraform();
    const json = build({ nodes: 2 });
    const stack = await EngineStack.init("cache", json, {
      "apply.tftest.hcl": tftest('run "apply" {\n  command = apply\n}'),
    });
    expect((await stack.validate()).output).toContain("The configuration is valid");
    expect((await stack.test()).output).toMatch(/1 passed, 0 failed/);
  }, 120_000);
});
