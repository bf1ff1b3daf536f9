import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { Connections } from "../../constructs/core/connections";
import {
  defaultMaxConnections,
  PostgresInstance,
  type PostgresInstanceProps,
} from "../../constructs/database";
import { naming, network, RecordingKey } from "../support/fixtures";
import { addresses, onlyResource, resourcesOf, synthScope } from "../support/synth";

const build = (props: Partial<PostgresInstanceProps> = {}) =>
  synthScope((s) => {
    new PostgresInstance(s, "database", { naming, network, encryptionKey: new RecordingKey(), ...props });
  });
const instance = (json: ReturnType<typeof build>) => onlyResource(json, "aws_db_instance");

describe("PostgresInstance defaults", () => {
  const json = build();
  const db = instance(json);

  test("postgres 15 with minor upgrades by RDS, db.t4g.micro, 20 GiB gp3 autoscaling to 100", () => {
    expect(db).toMatchObject({
      identifier: "meeting-notes-staging-postgres",
      engine: "postgres",
      engine_version: "15",
      auto_minor_version_upgrade: true,
      instance_class: "db.t4g.micro",
      allocated_storage: 20,
      max_allocated_storage: 100,
      storage_type: "gp3",
    });
  });

  test("private and encrypted: its own subnet group of private subnets, no public address, the key everywhere", () => {
    expect(db).toMatchObject({
      publicly_accessible: false,
      storage_encrypted: true,
      kms_key_id: new RecordingKey().keyArn,
      performance_insights_kms_key_id: new RecordingKey().keyArn,
      master_user_secret_kms_key_id: new RecordingKey().keyArn,
    });
    expect(onlyResource(json, "aws_db_subnet_group")).toMatchObject({
      name: "meeting-notes-staging-postgres",
      subnet_ids: network.privateSubnetIds,
    });
    expect(db.db_subnet_group_name).toMatch(/aws_db_subnet_group\./);
  });

  test("TLS required by its own parameter group, whose parameters Terraform keeps", () => {
    const group = onlyResource(json, "aws_db_parameter_group");
    expect(group).toMatchObject({
      name: "meeting-notes-staging-postgres-pg15",
      family: "postgres15",
      parameter: [{ name: "rds.force_ssl", value: "1" }],
      lifecycle: { create_before_destroy: true },
    });
    expect(group.lifecycle.ignore_changes).toBeUndefined();
    expect(db.lifecycle?.ignore_changes).toBeUndefined();
  });

  test("7-day backups, deletion protection, a final snapshot with a fixed name, tags copied to snapshots", () => {
    expect(db).toMatchObject({
      backup_retention_period: 7,
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: "meeting-notes-staging-postgres-final",
      copy_tags_to_snapshot: true,
      multi_az: false,
      apply_immediately: false,
    });
  });

  test("the master password is RDS's, in Secrets Manager: no password in the configuration or the state", () => {
    expect(db.manage_master_user_password).toBe(true);
    expect(db.password).toBeUndefined();
    expect(db.password_wo).toBeUndefined();
    expect(db.username).toBe("dbadmin");
    expect(db.db_name).toBe("app");
  });

  test("Database Insights standard with Performance Insights kept 7 days", () => {
    expect(db).toMatchObject({
      database_insights_mode: "standard",
      performance_insights_enabled: true,
      performance_insights_retention_period: 7,
    });
  });

  test("postgresql and upgrade logs exported to log groups created first, with retention and the key", () => {
    expect(db.enabled_cloudwatch_logs_exports).toEqual(["postgresql", "upgrade"]);
    const groups = Object.entries(resourcesOf(json, "aws_cloudwatch_log_group"));
    expect(groups.map(([, g]) => g.name).sort()).toEqual([
      "/aws/rds/instance/meeting-notes-staging-postgres/postgresql",
      "/aws/rds/instance/meeting-notes-staging-postgres/upgrade",
    ]);
    for (const [address, group] of groups) {
      expect(group).toMatchObject({ retention_in_days: 30, kms_key_id: new RecordingKey().keyArn });
      expect(db.depends_on).toContain(`aws_cloudwatch_log_group.${address}`);
    }
  });

  test("asks its key to let CloudWatch Logs encrypt the two log groups", () => {
    const key = new RecordingKey();
    synthScope((s) => new PostgresInstance(s, "database", { naming, network, encryptionKey: key }));
    expect(key.logGroups.sort()).toEqual([
      "/aws/rds/instance/meeting-notes-staging-postgres/postgresql",
      "/aws/rds/instance/meeting-notes-staging-postgres/upgrade",
    ]);
  });

  test("its security group admits nothing until a workload is allowed", () => {
    expect(resourcesOf(json, "aws_vpc_security_group_ingress_rule")).toEqual({});
    expect(onlyResource(json, "aws_security_group").name).toBe("meeting-notes-staging-postgres-db");
  });

  test("pins the addresses of the instance and its groups", () => {
    expect(addresses(json).sort()).toEqual([
      "aws_cloudwatch_log_group.database_postgresql-logs_86F4EEE6",
      "aws_cloudwatch_log_group.database_upgrade-logs_27C6F22F",
      "aws_db_instance.database_instance_D7FC2283",
      "aws_db_parameter_group.database_parameters_58B6739C",
      "aws_db_subnet_group.database_subnet-group_706EB4D1",
      "aws_security_group.database_security-group_BF0DE645",
    ]);
  });
});

describe("PostgresInstance overrides", () => {
  test("class, storage, backups, Multi-AZ, names, advanced insights, parameters and retention", () => {
    const json = build({
      name: "main",
      instanceClass: "db.t3.small",
      allocatedStorageGiB: 50,
      maxAllocatedStorageGiB: 0,
      backupRetentionDays: 14,
      multiAz: true,
      databaseName: "arrakis",
      masterUsername: "arrakis_admin",
      databaseInsights: "advanced",
      parameters: { log_min_duration_statement: "500" },
      logRetentionDays: 90,
      deletionProtection: false,
    });
    expect(instance(json)).toMatchObject({
      identifier: "meeting-notes-staging-main",
      instance_class: "db.t3.small",
      allocated_storage: 50,
      max_allocated_storage: 0,
      backup_retention_period: 14,
      multi_az: true,
      db_name: "arrakis",
      username: "arrakis_admin",
      database_insights_mode: "advanced",
      performance_insights_retention_period: 465,
      deletion_protection: false,
      final_snapshot_identifier: "meeting-notes-staging-main-final",
    });
    expect(onlyResource(json, "aws_db_parameter_group").parameter).toEqual([
      { name: "log_min_duration_statement", value: "500" },
      { name: "rds.force_ssl", value: "1" },
    ]);
    expect(Object.values(resourcesOf(json, "aws_cloudwatch_log_group"))[0].retention_in_days).toBe(90);
  });

  test("a pinned minor with automatic upgrades off", () => {
    const json = build({ engineVersion: "15.10", autoMinorVersionUpgrade: false });
    expect(instance(json)).toMatchObject({ engine_version: "15.10", auto_minor_version_upgrade: false });
    expect(onlyResource(json, "aws_db_parameter_group").family).toBe("postgres15");
  });

  test("another major: its parameter family and group name follow", () => {
    const group = onlyResource(build({ engineVersion: "16" }), "aws_db_parameter_group");
    expect(group).toMatchObject({ family: "postgres16", name: "meeting-notes-staging-postgres-pg16" });
  });

  test("a workload allowed to it gets its port from that workload's group only", () => {
    const json = synthScope((s) => {
      const db = new PostgresInstance(s, "database", { naming, network, encryptionKey: new RecordingKey() });
      const app = new Connections(new Construct(s, "app"), "api", "the API tasks", "sg-api");
      app.allowTo(db, db.port);
      new TerraformOutput(s, "secret", { value: db.masterUserSecretArn });
    });
    expect(onlyResource(json, "aws_vpc_security_group_ingress_rule")).toMatchObject({
      from_port: 5432,
      to_port: 5432,
      referenced_security_group_id: "sg-api",
    });
    expect(json.output?.secret.value).toMatch(/master_user_secret\[0\]\.secret_arn/);
  });
});

describe("PostgresInstance rejects bad input", () => {
  test.each<[string, Partial<PostgresInstanceProps>, string]>([
    [
      "a pinned minor with automatic minor upgrades on",
      { engineVersion: "15.10" },
      '`engineVersion` must be a major version alone while autoMinorVersionUpgrade is on (once AWS upgrades the instance\'s minor, Terraform would plan a downgrade back to the pinned one), got "15.10". Use "15", or set autoMinorVersionUpgrade to false to pin 15.10.',
    ],
    [
      "a major RDS does not offer",
      { engineVersion: "11" },
      '`engineVersion` must be a PostgreSQL major version RDS offers (13, 14, 15, 16, 17), optionally with a minor ("15.10"), got "11". Use a major such as "15" and let RDS apply minor upgrades.',
    ],
    [
      "a version that is not one",
      { engineVersion: "latest" },
      '`engineVersion` must be a PostgreSQL major version RDS offers (13, 14, 15, 16, 17), optionally with a minor ("15.10"), got "latest". Use a major such as "15" and let RDS apply minor upgrades.',
    ],
    [
      "an instance class that does not exist",
      { instanceClass: "db.t3.huge" },
      '`instanceClass` must be an RDS for PostgreSQL instance class (db.<family>.<size>, families t3, t4g, m5, m6g, m6i, m7g, r5, r6g, r6i, r7g, with the sizes each has), got "db.t3.huge". Use for example db.t4g.small or db.m7g.large.',
    ],
    [
      "an EC2 instance type",
      { instanceClass: "t3.small" },
      '`instanceClass` must be an RDS for PostgreSQL instance class (db.<family>.<size>, families t3, t4g, m5, m6g, m6i, m7g, r5, r6g, r6i, r7g, with the sizes each has), got "t3.small". Use for example db.t4g.small or db.m7g.large.',
    ],
    [
      "storage below 20 GiB",
      { allocatedStorageGiB: 10 },
      "`allocatedStorageGiB` must be a whole number from 20 to 65536 (gp3 storage on RDS), got 10. Set it to a whole number from 20 to 65536.",
    ],
    [
      "an autoscaling limit below the storage",
      { allocatedStorageGiB: 50, maxAllocatedStorageGiB: 40 },
      "`maxAllocatedStorageGiB` must be at least `allocatedStorageGiB` (50), or 0 to turn storage autoscaling off, got 40. Raise it, or set 0.",
    ],
    [
      "backups kept 36 days",
      { backupRetentionDays: 36 },
      "`backupRetentionDays` must be a whole number from 0 to 35 (RDS keeps automated backups 0 to 35 days), got 36. Set it to a whole number from 0 to 35.",
    ],
    [
      "no backups with deletion protection",
      { backupRetentionDays: 0 },
      "`backupRetentionDays` must be at least 1 with `deletionProtection` on (a protected database without backups cannot be restored), got 0. Keep backups (7 days, say), or turn `deletionProtection` off for a disposable database.",
    ],
    [
      "TLS turned off through parameters",
      { parameters: { "rds.force_ssl": "0" } },
      '`parameters.rds.force_ssl` must stay 1 (connections without TLS are refused), got "0". Remove it from parameters: the construct sets it.',
    ],
    [
      "the reserved master user",
      { masterUsername: "rdsadmin" },
      '`masterUsername` must be 1-63 letters, digits and underscores, starting with a letter, and not rdsadmin (RDS\'s own), got "rdsadmin". Use a name such as "dbadmin".',
    ],
    [
      "a database name with a hyphen",
      { databaseName: "my-app" },
      '`databaseName` must be 1-63 letters, digits and underscores, starting with a letter, got "my-app". Use a name such as "app".',
    ],
  ])("%s", (_label, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test("no backups is allowed without deletion protection", () => {
    expect(
      instance(build({ backupRetentionDays: 0, deletionProtection: false })).backup_retention_period,
    ).toBe(0);
  });
});

describe("PostgresInstance connections alarm threshold", () => {
  test.each([
    ["db.t4g.micro", 84, 67],
    ["db.t3.small", 168, 134],
    ["db.m7g.large", 675, 540],
    ["db.r6g.4xlarge", 5000, 4000],
  ])("%s: about %i connections by default, the alarm at 80 %% (%i)", (instanceClass, max, threshold) => {
    expect(defaultMaxConnections(instanceClass)).toBe(max);
    let built: PostgresInstance | undefined;
    synthScope((s) => {
      built = new PostgresInstance(s, "database", {
        naming,
        network,
        encryptionKey: new RecordingKey(),
        instanceClass,
      });
    });
    expect(built?.connectionsAlarmThreshold).toBe(threshold);
  });
});
