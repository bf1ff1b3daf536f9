/**
 * ElasticFileSystem and a service mounting it: encryption with the key, the TLS-only policy, access
 * points with their POSIX users, mount targets, the task role's exact mount actions, the volume's
 * transit encryption and IAM authorization, and the errors; the real engine validates the result.
 */
import type { Construct } from "constructs";
import { beforeAll, describe, expect, test } from "vitest";
import { RuntimeSecrets } from "../../constructs/secrets";
import { EcsCluster, FargateService, type ServiceEfsMount } from "../../constructs/service";
import { DataBucket, ElasticFileSystem, type ElasticFileSystemProps } from "../../constructs/storage";
import { EngineStack, requireTerraform } from "../support/engine";
import { key, naming, network, secretAccess } from "../support/fixtures";
import { onlyResource, parsed, resourcesOf, synthScope } from "../support/synth";

const ACCESS_POINTS: ElasticFileSystemProps["accessPoints"] = [
  { name: "python-agent", path: "/lancedb", posixUser: { uid: 1000, gid: 1000 } },
  { name: "reader", path: "/exports", posixUser: { uid: 1001, gid: 1001 }, permissions: "700" },
];
const build = (
  mounts: (fs: ElasticFileSystem) => ServiceEfsMount[] = () => [],
  props: Partial<ElasticFileSystemProps> = {},
) =>
  synthScope((s: Construct) => {
    const fs = new ElasticFileSystem(s, "efs", {
      naming,
      name: "data",
      network,
      encryptionKey: key,
      accessPoints: ACCESS_POINTS,
      ...props,
    });
    const secrets = new RuntimeSecrets(s, "secrets", { naming, encryptionKey: key, ...secretAccess });
    new FargateService(s, "agent", {
      naming,
      name: "agent",
      cluster: new EcsCluster(s, "cluster", { naming, name: "c" }),
      network,
      encryptionKey: key,
      secrets,
      imageTag: "abc",
      efsMounts: mounts(fs),
    });
    new DataBucket(s, "data", { naming, name: "data", encryptionKey: key });
  });
const values = (json: ReturnType<typeof build>, type: string) => Object.values(resourcesOf(json, type));
const json = build((fs) => [{ fileSystem: fs, accessPoint: "python-agent", containerPath: "/data/lancedb" }]);

describe("ElasticFileSystem", () => {
  test("encrypted with the key, elastic throughput, Infrequent Access after 30 days, backed up, a mount target per private subnet", () => {
    expect(onlyResource(json, "aws_efs_file_system")).toMatchObject({
      encrypted: true,
      kms_key_id: key.keyArn,
      throughput_mode: "elastic",
      lifecycle_policy: [{ transition_to_ia: "AFTER_30_DAYS" }],
      tags: { Name: "meeting-notes-staging-data" },
    });
    expect(onlyResource(json, "aws_efs_backup_policy").backup_policy).toEqual({ status: "ENABLED" });
    expect(values(json, "aws_efs_mount_target").map((t) => t.subnet_id)).toEqual(network.privateSubnetIds);
  });

  test("access points pin a directory and a POSIX user", () => {
    expect(values(json, "aws_efs_access_point").map((a) => [a.posix_user, a.root_directory])).toEqual([
      [
        { uid: 1000, gid: 1000 },
        { path: "/lancedb", creation_info: { owner_uid: 1000, owner_gid: 1000, permissions: "750" } },
      ],
      [
        { uid: 1001, gid: 1001 },
        { path: "/exports", creation_info: { owner_uid: 1001, owner_gid: 1001, permissions: "700" } },
      ],
    ]);
  });

  test("its policy refuses connections without TLS and mounts not through an access point", () => {
    const statements = parsed(onlyResource(json, "aws_efs_file_system_policy").policy).Statement;
    expect(statements.map((s: any) => [s.Sid, s.Effect, s.Condition])).toEqual([
      ["DenyInsecureTransport", "Deny", { Bool: { "aws:SecureTransport": "false" } }],
      ["DenyMountsNotThroughAnAccessPoint", "Deny", { Null: { "elasticfilesystem:AccessPointArn": "true" } }],
    ]);
  });
});

describe("DataBucket", () => {
  test("SSE-KMS with the key and a bucket key, versioned, public access blocked, ACLs off, TLS only, old versions expiring", () => {
    expect(onlyResource(json, "aws_s3_bucket")).toMatchObject({
      bucket: expect.stringMatching(/^meeting-notes-staging-data-\$\{data\.aws_caller_identity\./),
      force_destroy: false,
    });
    expect(onlyResource(json, "aws_s3_bucket_server_side_encryption_configuration").rule[0]).toMatchObject({
      apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: key.keyArn },
      bucket_key_enabled: true,
    });
    expect(onlyResource(json, "aws_s3_bucket_versioning").versioning_configuration).toEqual({
      status: "Enabled",
    });
    expect(onlyResource(json, "aws_s3_bucket_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(parsed(onlyResource(json, "aws_s3_bucket_policy").policy).Statement[0]).toMatchObject({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    expect(onlyResource(json, "aws_s3_bucket_lifecycle_configuration").rule.map((r: any) => r.id)).toEqual([
      "expire-old-versions",
      "abort-incomplete-multipart-uploads",
    ]);
  });

  test("access: the objects under a prefix, listing that prefix, the key through S3", () => {
    let statements: unknown;
    synthScope((s) => {
      statements = new DataBucket(s, "b", { naming, name: "data", encryptionKey: key }).accessStatements(
        "readWrite",
        "Uploads",
        "uploads/",
      );
      expect(() => new DataBucket(s, "c", { naming, name: "Data", encryptionKey: key })).toThrow(
        "`name` must be 1-20 lowercase letters",
      );
    });
    expect(statements).toEqual([
      {
        sid: "Uploads",
        actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        resources: [expect.stringMatching(/\/uploads\/\*$/)],
      },
      {
        sid: "UploadsList",
        actions: ["s3:ListBucket"],
        resources: [expect.any(String)],
        conditions: { StringLike: { "s3:prefix": ["uploads/*"] } },
      },
      {
        sid: "UploadsKey",
        actions: ["kms:Decrypt", "kms:GenerateDataKey"],
        resources: [key.keyArn],
        conditions: { StringLike: { "kms:ViaService": "s3.*.amazonaws.com" } },
      },
    ]);
  });
});

describe("the policy suite", () => {
  test("finds nothing to report on the file system and the mounting service (EFS-001 and EFS-002 among its rules)", async () => {
    const { evaluate } = await import("../../policy/engine");
    // Suppressions do not survive Testing.synth: the fixture service's runtime secrets (SM-002, the platforms
    // say why they are not rotated) and the bucket's access logs (S3-010, the construct says why) show here.
    const violations = evaluate([{ name: "efs", json }]).violations.filter(
      (v) => v.ruleId !== "SM-002" && v.ruleId !== "S3-010",
    );
    expect(violations).toEqual([]);
  });
});

describe("a service mounting an access point", () => {
  test("a volume with TLS and IAM authorization through the access point, mounted where asked", () => {
    const task = onlyResource(json, "aws_ecs_task_definition");
    expect(task.volume).toEqual([
      { name: "tmp" },
      {
        name: "efs-python-agent",
        efs_volume_configuration: {
          file_system_id: expect.stringContaining("aws_efs_file_system.efs_file-system"),
          transit_encryption: "ENABLED",
          authorization_config: {
            access_point_id: expect.stringContaining("aws_efs_access_point.efs_access-point-python-agent"),
            iam: "ENABLED",
          },
        },
      },
    ]);
    expect(parsed(task.container_definitions)[0].mountPoints).toContainEqual({
      sourceVolume: "efs-python-agent",
      containerPath: "/data/lancedb",
      readOnly: false,
    });
  });

  test("the task role may mount and write through that access point only; a read-only mount may not write", () => {
    const statement = (j: ReturnType<typeof build>) =>
      parsed(values(j, "aws_iam_role_policy").find((p) => p.name === "application").policy).Statement[0];
    expect(statement(json)).toMatchObject({
      Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
      Condition: {
        StringEquals: {
          "elasticfilesystem:AccessPointArn": expect.stringContaining("access-point-python-agent"),
        },
      },
    });
    const readOnly = build((fs) => [
      { fileSystem: fs, accessPoint: "reader", containerPath: "/exports", readOnly: true },
    ]);
    expect(statement(readOnly).Action).toBe("elasticfilesystem:ClientMount");
  });

  test("the tasks reach the file system on 2049, and only they", () => {
    const ingress = values(json, "aws_vpc_security_group_ingress_rule").filter((r) =>
      String(r.security_group_id).includes("efs_security-group"),
    );
    expect(ingress.map((r) => [r.from_port, r.referenced_security_group_id])).toEqual([
      [2049, expect.stringContaining("agent_security-group")],
    ]);
  });

  test.each([
    [
      "an access point the file system lacks",
      (fs: ElasticFileSystem) => [{ fileSystem: fs, accessPoint: "hasura", containerPath: "/x" }],
      '`efsMounts[0].accessPoint` must name an access point of the file system (python-agent, reader), got "hasura"',
    ],
    [
      "the same access point twice",
      (fs: ElasticFileSystem) =>
        [0, 1].map((i) => ({ fileSystem: fs, accessPoint: "reader", containerPath: `/x${i}` })),
      "`efsMounts[1].accessPoint` must be mounted once per service",
    ],
  ])("refuses %s", (_, mounts, message) => {
    expect(() => build(mounts)).toThrow(message);
  });

  test.each([
    ["no access point", { accessPoints: [] }, "`accessPoints` must hold at least one access point"],
    [
      "root as the user",
      { accessPoints: [{ name: "x", path: "/x", posixUser: { uid: 0, gid: 0 } }] },
      "`accessPoints[0].posixUser.uid`",
    ],
    [
      "the root directory",
      { accessPoints: [{ name: "x", path: "/", posixUser: { uid: 1, gid: 1 } }] },
      "`accessPoints[0].path` must be an absolute directory below /",
    ],
  ])("a file system with %s is refused", (_, props, message) => {
    expect(() => build(() => [], props as Partial<ElasticFileSystemProps>)).toThrow(message);
  });
});

describe("in the engine", () => {
  beforeAll(async () => {
    await requireTerraform();
  });

  test("terraform validate accepts the file system, the mounting service and the data bucket", async () => {
    const stack = await EngineStack.init("validate-efs", json);
    const result = await stack.validate();
    expect(result.output).toContain("The configuration is valid");
  });
});
