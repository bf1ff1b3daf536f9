/**
 * The settings users change update their resources in place; the ones that cannot are named. Each
 * case plans a changed configuration against a state holding the shipped one, with the real
 * hashicorp/aws provider offline (test/support/replacements.ts).
 */
import { beforeAll, describe, expect, test } from "vitest";
import { Cache, type CacheProps } from "../constructs/cache";
import {
  AuroraPostgresCluster,
  type AuroraPostgresClusterProps,
  DynamodbTable,
  type DynamodbTableProps,
  PostgresInstance,
  type PostgresInstanceProps,
} from "../constructs/database";
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
const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];
const aurora = (props: Partial<AuroraPostgresClusterProps> = {}) =>
  synthScope((s) => {
    new AuroraPostgresCluster(s, "database", {
      naming,
      network,
      encryptionKey: new RecordingKey(),
      availabilityZones: ZONES,
      ...props,
    });
  });
const table = (props: Partial<DynamodbTableProps> = {}) =>
  synthScope((s) => {
    new DynamodbTable(s, "metrics", {
      naming,
      name: "metrics",
      attributes: { pk: "S" },
      partitionKey: "pk",
      encryptionKey: new RecordingKey(),
      ...props,
    } as DynamodbTableProps);
  });
const address = (json: ReturnType<typeof database>, type: string, index = 0) =>
  `${type}.${Object.keys(resourcesOf(json, type)).sort()[index]}`;

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

/** Candlefish prod's cluster as shipped: a db.r5.large writer and a reader, Multi-AZ, 14 days of backups. */
const SHIPPED_AURORA: Partial<AuroraPostgresClusterProps> = {
  instanceClass: "db.r5.large",
  readers: 1,
  multiAz: true,
  backupRetentionDays: 14,
  deletionProtection: true,
  databaseName: "clos",
  masterUsername: "clos_admin",
  iamAuthentication: true,
};

describe.concurrent("a settings change on an existing Aurora cluster or DynamoDB table (Candlefish)", () => {
  test("instance class, backup retention, Database Insights and a second reader: the cluster and its instances update in place", async () => {
    const before = aurora(SHIPPED_AURORA);
    const after = aurora({
      ...SHIPPED_AURORA,
      instanceClass: "db.r6g.large",
      backupRetentionDays: 21,
      databaseInsights: "advanced",
      readers: 2,
    });
    const targets = [
      address(before, "aws_rds_cluster"),
      address(before, "aws_rds_cluster_instance", 0),
      address(before, "aws_rds_cluster_instance", 1),
    ];
    const planned = await planChange("aurora-in-place", before, after, targets);
    for (const target of targets)
      expect(planned[target], target).toEqual({ actions: ["update"], replacePaths: [] });
  }, 120_000);

  test("the database name and the master user replace the cluster (README names them)", async () => {
    const before = aurora(SHIPPED_AURORA);
    const after = aurora({ ...SHIPPED_AURORA, databaseName: "other", masterUsername: "other_admin" });
    const target = address(before, "aws_rds_cluster");
    const planned = await planChange("aurora-name", before, after, [target]);
    expect(planned[target]!.actions).toEqual(["delete", "create"]);
    expect(planned[target]!.replacePaths).toEqual(
      expect.arrayContaining([["database_name"], ["master_username"]]),
    );
  }, 120_000);

  test("a table's TTL, recovery window and deletion protection update in place; its partition key replaces it", async () => {
    const before = table({ deletionProtection: true, pointInTimeRecoveryDays: 35 });
    const target = address(before, "aws_dynamodb_table");
    const [inPlace, key] = await Promise.all([
      planChange(
        "table-in-place",
        before,
        table({ deletionProtection: false, pointInTimeRecoveryDays: 7, ttlAttribute: "expiresAt" }),
        [target],
      ),
      planChange(
        "table-key",
        before,
        table({
          deletionProtection: true,
          pointInTimeRecoveryDays: 35,
          attributes: { id: "S" },
          partitionKey: "id",
        }),
        [target],
      ),
    ]);
    expect(inPlace[target]).toEqual({ actions: ["update"], replacePaths: [] });
    expect(key[target]!.actions).toEqual(["delete", "create"]);
    expect(key[target]!.replacePaths).toContainEqual(["hash_key"]);
  }, 120_000);
});
