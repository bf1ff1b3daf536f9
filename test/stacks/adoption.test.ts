/**
 * adopt.imports: running resources taken over through import blocks (stacks/adoption.ts), for every
 * platform: the blocks written, the adopted stateful resources protected, and the errors a bad key
 * or id gets.
 */
import { describe, expect, test } from "vitest";
import { IMPORT_ID_SHAPES } from "../../stacks/adoption";
import { FREESIDE_FILES } from "../../stacks/freeside/platform";
import { SEED_PRODUCTION_IMPORTS } from "../fixtures/freeside-adoption";
import { synthFreeside, synthPlatform } from "../support/platform";
import { resourcesOf } from "../support/synth";

const PRODUCTION = "environments/freeside/production.ts";
const adopting = (imports: Record<string, string>) =>
  FREESIDE_FILES.map((f) =>
    f.source === PRODUCTION ? { source: f.source, input: { ...(f.input as object), adopt: { imports } } } : f,
  );
const build = (imports: Record<string, string>) => synthFreeside(adopting(imports))["freeside-production"]!;

describe("adopt.imports on Freeside production (the seed's running resources)", () => {
  const json = build(SEED_PRODUCTION_IMPORTS) as any;

  test("one import block per key, to the resource's address, with its id", () => {
    const blocks = json.import as { to: string; id: string }[];
    expect(blocks).toHaveLength(Object.keys(SEED_PRODUCTION_IMPORTS).length);
    expect(blocks).toContainEqual({
      to: "aws_db_instance.database_instance_D7FC2283",
      id: "arrakis-production-postgres",
    });
    expect(blocks).toContainEqual({ to: "aws_ecr_repository.image_repository_36043D91", id: "arrakis-api" });
    for (const block of blocks) {
      const [type, name] = block.to.split(".");
      expect(resourcesOf(json, type!)[name!], block.to).toBeDefined();
    }
  });

  test("adopted resources refuse to be destroyed or replaced; what is not adopted does not", () => {
    const protectedOf = (type: string) =>
      Object.values(resourcesOf(json, type)).map((r: any) => r.lifecycle?.prevent_destroy === true);
    expect(protectedOf("aws_db_instance")).toEqual([true]);
    expect(protectedOf("aws_elasticache_replication_group")).toEqual([true]);
    expect(protectedOf("aws_ecr_repository")).toEqual([true]);
    expect(protectedOf("aws_vpc")).toEqual([true]);
    expect(protectedOf("aws_secretsmanager_secret")).toEqual([true, true, true, true]);
    expect(protectedOf("aws_ecs_service")).toEqual([true, true]);
    expect(protectedOf("aws_eip")).toEqual([true]);
    // The key is created by this repository, not adopted.
    expect(protectedOf("aws_kms_key")).toEqual([false]);
  });

  test("without adopt, no import block", () => {
    const shipped = synthFreeside(FREESIDE_FILES)["freeside-production"] as any;
    expect(shipped.import).toBeUndefined();
  });

  test.each([
    [
      "a key that names no resource, with the likely ones",
      { "network/vpcs": "vpc-00000000000000001" },
      /environments\/freeside\/production\.ts: `adopt\.imports\.network\/vpcs` names no resource of the stack freeside-production .*got "network\/vpcs"\. Did you mean network\/.*adoption-keys -- freeside-production/,
    ],
    [
      "an id of the wrong shape",
      { "database/instance": "arn:aws:rds:us-east-1:891376933289:db:arrakis-production-postgres" },
      /`adopt\.imports\.database\/instance` must be the import id of a aws_db_instance .*for example arrakis-production-postgres/,
    ],
    [
      "a subnet id for the VPC",
      { "network/vpc": "subnet-00000000000000001" },
      /`adopt\.imports\.network\/vpc` must be the import id of a aws_vpc/,
    ],
    [
      "an ARN of another account",
      {
        "secrets/app-config":
          "arn:aws:secretsmanager:us-east-1:123456789012:secret:arrakis-production/app-config-AbCdEf",
      },
      /`adopt\.imports\.secrets\/app-config` must be a resource of the environment's account 891376933289/,
    ],
    [
      "a resource type this repository does not adopt",
      { "db-credentials/first-credentials": "anything" },
      /`adopt\.imports\.db-credentials\/first-credentials` is a aws_lambda_invocation, which this repository does not adopt/,
    ],
    [
      "one running resource for two keys",
      { "api/logs": "/ecs/arrakis-production/api", "worker/logs": "/ecs/arrakis-production/api" },
      /`adopt\.imports\.worker\/logs` must not adopt the aws_cloudwatch_log_group that adopt\.imports\.api\/logs adopts already/,
    ],
    ["an empty id", { "network/vpc": "" }, /adopt\.imports\.network\/vpc.*must not be empty/],
  ])("refuses %s", (_label, imports, message) => {
    expect(() => build(imports)).toThrow(message);
  });

  test("every id shape's example is one of its own shape", () => {
    for (const [type, shape] of Object.entries(IMPORT_ID_SHAPES)) {
      expect(shape.pattern.test(shape.example), type).toBe(true);
    }
  });
});

describe("adopt.imports on meeting-notes (every platform)", () => {
  test("the prod stack imports its VPC and keeps it", () => {
    const stacks = synthPlatform({
      prod: {
        accountId: "123456789012",
        adopt: { imports: { "network/vpc": "vpc-0a1b2c3d4e5f67890" } },
      } as any,
    });
    const prod = stacks.prod as any;
    expect(prod.import).toEqual([{ to: expect.stringMatching(/^aws_vpc\./), id: "vpc-0a1b2c3d4e5f67890" }]);
    expect(Object.values(resourcesOf(prod, "aws_vpc"))[0].lifecycle.prevent_destroy).toBe(true);
    expect((stacks.staging as any).import).toBeUndefined();
  });
});

describe("adopt.imports across environments", () => {
  test("an environment cannot take over another's resource (staging and production share an account)", () => {
    const files = FREESIDE_FILES.map((f) => ({
      source: f.source,
      input: {
        ...(f.input as object),
        adopt: { imports: { "database/instance": "arrakis-production-postgres" } },
      },
    }));
    expect(() => synthFreeside(files)).toThrow(
      /`adopt\.imports\.database\/instance` must not adopt the aws_db_instance that environments\/freeside\/(staging|production)\.ts adopts already/,
    );
  });

  test("adopting needs the environment's accountId", () => {
    const files = FREESIDE_FILES.map((f) =>
      f.source === PRODUCTION
        ? {
            source: f.source,
            input: {
              ...(f.input as object),
              accountId: undefined,
              adopt: { imports: { "network/vpc": "vpc-00000000000000001" } },
            },
          }
        : f,
    );
    expect(() => synthFreeside(files)).toThrow(/`accountId` is required with adopt\.imports/);
  });
});

describe("adopt.live: what the running resources have where a difference would replace them", () => {
  const PRODUCTION_FILE = "environments/freeside/production.ts";
  const withAdopt = (adopt: object, extra: object = {}) =>
    synthFreeside(
      FREESIDE_FILES.map((f) =>
        f.source === PRODUCTION_FILE
          ? { source: f.source, input: { ...(f.input as object), ...extra, adopt } }
          : f,
      ),
    )["freeside-production"]! as any;
  const KEY_ID = "0f0e1d2c-aaaa-bbbb-cccc-1234567890ab";
  const KEY_ARN = `arn:aws:kms:us-east-1:891376933289:key/${KEY_ID}`;

  test("the seed's repository name comes from ecrRepositoryName, checked against the live one", () => {
    const adopt = {
      imports: { "image/repository": "arrakis-api" },
      live: { "image/repository": { name: "arrakis-api" } },
    };
    expect(() => withAdopt(adopt)).toThrow(
      /`adopt\.live\.image\/repository\.name` is "arrakis-api" in the running resource, but this configuration gives "arrakis-production-api": the first apply would replace it, got "arrakis-api"\. Set ecrRepositoryName to "arrakis-api"/,
    );
    const json = withAdopt(adopt, { ecrRepositoryName: "arrakis-api" });
    expect(Object.values(resourcesOf(json, "aws_ecr_repository"))[0].name).toBe("arrakis-api");
  });

  test("a database encrypted with another key: adopt the key too, and the live ARN must be the adopted key's", () => {
    const live = {
      "database/instance": {
        kms_key_id: KEY_ARN,
        storage_encrypted: true,
        username: "dbadmin",
        db_name: "arrakis",
      },
    };
    const imports = { "database/instance": "arrakis-production-postgres" };
    expect(() => withAdopt({ imports, live })).toThrow(
      /`adopt\.live\.database\/instance\.kms_key_id` is ".*" in the running resource, but this configuration gives it the new app-key\/key, which would replace the adopted one.*adopt\.imports\.app-key\/key set to the running resource's id/,
    );
    expect(() =>
      withAdopt({ imports: { ...imports, "app-key/key": "11111111-2222-3333-4444-555555555555" }, live }),
    ).toThrow(/configuration gives it app-key\/key, adopted as "11111111-2222-3333-4444-555555555555"/);
    const json = withAdopt({ imports: { ...imports, "app-key/key": KEY_ID }, live });
    expect(json.import).toHaveLength(2);
  });

  test("a setting that disagrees names the setting; a value the repository fixes says so", () => {
    const imports = {
      "database/instance": "arrakis-production-postgres",
      "cache/replication-group": "arrakis-production-cache",
    };
    expect(() => withAdopt({ imports, live: { "database/instance": { db_name: "freeside" } } })).toThrow(
      /`adopt\.live\.database\/instance\.db_name` is "freeside" .* gives "arrakis".*Set database\.databaseName to "freeside"/,
    );
    expect(() => withAdopt({ imports, live: { "database/instance": { username: "postgres" } } })).toThrow(
      /`adopt\.live\.database\/instance\.username` is "postgres" .*This repository fixes that value/,
    );
    expect(() => withAdopt({ imports, live: { "cache/replication-group": { port: 6380 } } })).toThrow(
      /`adopt\.live\.cache\/replication-group\.port` is 6380 .* gives 6379/,
    );
    expect(() =>
      withAdopt({
        imports,
        live: { "cache/replication-group": { port: 6379, at_rest_encryption_enabled: true } },
      }),
    ).not.toThrow();
  });

  test("a reference must name exactly the adopted resource the running one uses", () => {
    const imports = {
      "cache/replication-group": "arrakis-production-cache",
      "cache/subnet-group": "arrakis-production-cache",
    };
    expect(() =>
      withAdopt({
        imports,
        live: { "cache/replication-group": { subnet_group_name: "arrakis-production-cache-old" } },
      }),
    ).toThrow(
      /subnet_group_name` is "arrakis-production-cache-old" .* gives it cache\/subnet-group, adopted as "arrakis-production-cache"/,
    );
    expect(() =>
      withAdopt({
        imports,
        live: { "cache/replication-group": { subnet_group_name: "arrakis-production-cache" } },
      }),
    ).not.toThrow();
  });

  test("refuses a live value for a resource not adopted, and for an attribute that does not force a replacement", () => {
    expect(() => withAdopt({ imports: {}, live: { "database/instance": { db_name: "arrakis" } } })).toThrow(
      /`adopt\.live\.database\/instance` describes a resource that adopt\.imports does not adopt/,
    );
    expect(() =>
      withAdopt({
        imports: { "database/instance": "arrakis-production-postgres" },
        live: { "database/instance": { instance_class: "db.t3.small" } },
      }),
    ).toThrow(
      /`adopt\.live\.database\/instance\.instance_class` is not an attribute that forces a replacement of a aws_db_instance \(those are identifier, engine, kms_key_id/,
    );
  });
});
