/**
 * The settings users change update their resources in place; the ones that cannot are named. Each
 * case plans a changed configuration against a state holding the shipped one, with the real
 * hashicorp/aws provider offline (test/support/replacements.ts).
 */
import { beforeAll, describe, expect, test } from "vitest";
import { Cache, type CacheProps } from "../constructs/cache";
import { PostgresInstance, type PostgresInstanceProps } from "../constructs/database";
import { requireTerraform } from "./support/engine";
import { naming, network, RecordingKey } from "./support/fixtures";
import { planChange } from "./support/replacements";
import { resourcesOf, synthScope } from "./support/synth";

const database = (props: Partial<PostgresInstanceProps> = {}) =>
  synthScope((s) => {
    new PostgresInstance(s, "database", { naming, network, encryptionKey: new RecordingKey(), ...props });
  });
const cache = (props: Partial<CacheProps> = {}) =>
  synthScope((s) => {
    new Cache(s, "cache", { naming, network, encryptionKey: new RecordingKey(), ...props });
  });
const address = (json: ReturnType<typeof database>, type: string) =>
  `${type}.${Object.keys(resourcesOf(json, type))[0]}`;

beforeAll(async () => {
  await requireTerraform();
});

const SHIPPED_DATABASE: Partial<PostgresInstanceProps> = {
  instanceClass: "db.t3.small",
  allocatedStorageGiB: 20,
};
const SHIPPED_CACHE: Partial<CacheProps> = { nodeType: "cache.t3.micro", nodes: 1 };

describe.concurrent("a settings change on an existing database", () => {
  // One plan for all of them: replace_paths names every attribute that would force a replacement, so an
  // update with none proves each change is in place (and costs one provider run, not six).
  const IN_PLACE: Partial<PostgresInstanceProps> = {
    instanceClass: "db.t3.medium",
    allocatedStorageGiB: 50,
    maxAllocatedStorageGiB: 200,
    engineVersion: "15",
    autoMinorVersionUpgrade: false,
    backupRetentionDays: 14,
    multiAz: true,
  };

  test(`instance class, storage, autoscaling limit, automatic minor upgrades off, backup retention and Multi-AZ (${Object.keys(IN_PLACE).join(", ")}): updated in place`, async () => {
    const before = database(SHIPPED_DATABASE);
    const after = database({ ...SHIPPED_DATABASE, ...IN_PLACE });
    const target = address(before, "aws_db_instance");
    const planned = await planChange("db-in-place", before, after, [target]);
    expect(planned[target]).toEqual({ actions: ["update"], replacePaths: [] });
  }, 120_000);

  test("the database name replaces it (README names it)", async () => {
    const before = database(SHIPPED_DATABASE);
    const after = database({ ...SHIPPED_DATABASE, databaseName: "other" });
    const target = address(before, "aws_db_instance");
    const planned = await planChange("db-name", before, after, [target]);
    expect(planned[target]!.actions).toEqual(["delete", "create"]);
    expect(planned[target]!.replacePaths).toEqual([["db_name"]]);
  }, 120_000);
});

describe.concurrent("a settings change on an existing cache", () => {
  test("node type, snapshots and a second node at once: updated in place", async () => {
    const before = cache(SHIPPED_CACHE);
    const after = cache({ ...SHIPPED_CACHE, nodeType: "cache.t3.small", snapshotRetentionDays: 7, nodes: 2 });
    const target = address(before, "aws_elasticache_replication_group");
    const planned = await planChange("cache-in-place", before, after, [target]);
    expect(planned[target]).toEqual({ actions: ["update"], replacePaths: [] });
  }, 120_000);
});

test("a cache engine upgrade (7.0 to 7.1) is in place; a downgrade replaces it (README names it)", async () => {
  const [older, newer] = [
    cache({ ...SHIPPED_CACHE, engineVersion: "7.0" }),
    cache({ ...SHIPPED_CACHE, engineVersion: "7.1" }),
  ];
  const target = address(older, "aws_elasticache_replication_group");
  const [up, down] = await Promise.all([
    planChange("cache-upgrade", older, newer, [target]),
    planChange("cache-downgrade", newer, older, [target]),
  ]);
  expect(up[target]).toEqual({ actions: ["update"], replacePaths: [] });
  expect(down[target]!.actions).toEqual(["delete", "create"]);
  expect(down[target]!.replacePaths).toEqual([["engine_version"]]);
}, 120_000);

describe.concurrent("what cannot change in place is named in the README", () => {
  const otherKey = {
    ...new RecordingKey(),
    keyArn: "arn:aws:kms:us-east-1:123456789012:key/99999999-8888-7777-6666-555555555555",
    grantLogGroup: () => {},
    grantTopicPublishers: () => {},
    grantQueueSenders: () => {},
    grantEventBus: () => {},
  };

  test("another key replaces the database and the cache", async () => {
    const db = [
      database(SHIPPED_DATABASE),
      database({ ...SHIPPED_DATABASE, encryptionKey: otherKey }),
    ] as const;
    const dbTarget = address(db[0], "aws_db_instance");
    const c = [cache(SHIPPED_CACHE), cache({ ...SHIPPED_CACHE, encryptionKey: otherKey })] as const;
    const cacheTarget = address(c[0], "aws_elasticache_replication_group");
    const [dbPlan, cachePlan] = await Promise.all([
      planChange("db-key", db[0], db[1], [dbTarget]),
      planChange("cache-key", c[0], c[1], [cacheTarget]),
    ]);
    expect(dbPlan[dbTarget]!.actions).toEqual(["delete", "create"]);
    expect(dbPlan[dbTarget]!.replacePaths).toContainEqual(["kms_key_id"]);
    expect(cachePlan[cacheTarget]!.actions).toEqual(["delete", "create"]);
    expect(cachePlan[cacheTarget]!.replacePaths).toContainEqual(["kms_key_id"]);
  }, 120_000);
});
