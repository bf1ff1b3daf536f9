import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { Connections } from "../../constructs/core/connections";
import { AuroraPostgresCluster, type AuroraPostgresClusterProps } from "../../constructs/database";
import { naming, network, RecordingKey } from "../support/fixtures";
import { addresses, onlyResource, resourcesOf, synthScope } from "../support/synth";

const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];
const build = (props: Partial<AuroraPostgresClusterProps> = {}) =>
  synthScope((s) => {
    new AuroraPostgresCluster(s, "database", {
      naming,
      network,
      encryptionKey: new RecordingKey(),
      availabilityZones: ZONES,
      ...props,
    });
  });
const cluster = (json: ReturnType<typeof build>) => onlyResource(json, "aws_rds_cluster");
const instances = (json: ReturnType<typeof build>) =>
  Object.values(resourcesOf(json, "aws_rds_cluster_instance"));
const keyArn = new RecordingKey().keyArn;

describe("AuroraPostgresCluster defaults", () => {
  const json = build();
  const c = cluster(json);

  test("aurora-postgresql 16 on Serverless v2, one writer, minor upgrades by Aurora, no extended support", () => {
    expect(c).toMatchObject({
      cluster_identifier: "meeting-notes-staging-aurora",
      engine: "aurora-postgresql",
      engine_mode: "provisioned",
      engine_version: "16",
      engine_lifecycle_support: "open-source-rds-extended-support-disabled",
      allow_major_version_upgrade: false,
      serverlessv2_scaling_configuration: { min_capacity: 0.5, max_capacity: 4 },
    });
    expect(c.serverlessv2_scaling_configuration.seconds_until_auto_pause).toBeUndefined();
    expect(instances(json)).toHaveLength(1);
    expect(instances(json)[0]).toMatchObject({
      identifier: "meeting-notes-staging-aurora-1",
      instance_class: "db.serverless",
      engine: "aurora-postgresql",
      auto_minor_version_upgrade: true,
      publicly_accessible: false,
      promotion_tier: 0,
      ca_cert_identifier: "rds-ca-rsa2048-g1",
    });
    expect(instances(json)[0].cluster_identifier).toMatch(
      /\$\{aws_rds_cluster\.database_cluster_[A-F0-9]+\.id\}/,
    );
  });

  test("lists exactly the three zones, so no plan replaces it", () => {
    expect(c.availability_zones).toEqual(ZONES);
  });

  test("encrypted with the key everywhere; the master password is RDS's, in Secrets Manager", () => {
    expect(c).toMatchObject({
      storage_encrypted: true,
      kms_key_id: keyArn,
      manage_master_user_password: true,
      master_user_secret_kms_key_id: keyArn,
      performance_insights_kms_key_id: keyArn,
      master_username: "dbadmin",
      database_name: "app",
    });
    expect(c.master_password).toBeUndefined();
    expect(c.master_password_wo).toBeUndefined();
    expect(instances(json)[0].performance_insights_kms_key_id).toBe(keyArn);
  });

  test("TLS required by its own cluster parameter group (Aurora's default is rds.force_ssl=0)", () => {
    const group = onlyResource(json, "aws_rds_cluster_parameter_group");
    expect(group).toMatchObject({
      name: "meeting-notes-staging-aurora-apg16",
      family: "aurora-postgresql16",
      parameter: [{ name: "rds.force_ssl", value: "1" }],
      lifecycle: { create_before_destroy: true },
    });
    expect(group.lifecycle.ignore_changes).toBeUndefined();
    expect(c.db_cluster_parameter_group_name).toMatch(/aws_rds_cluster_parameter_group\./);
  });

  test("7-day backups, deletion protection, a final snapshot with a fixed name, tags copied to snapshots", () => {
    expect(c).toMatchObject({
      backup_retention_period: 7,
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: "meeting-notes-staging-aurora-final",
      copy_tags_to_snapshot: true,
      apply_immediately: false,
    });
  });

  test("Database Insights standard; Enhanced Monitoring every 60 s through a role only RDS monitoring assumes", () => {
    expect(c).toMatchObject({
      database_insights_mode: "standard",
      performance_insights_enabled: true,
      performance_insights_retention_period: 7,
    });
    const role = onlyResource(json, "aws_iam_role");
    expect(JSON.parse(role.assume_role_policy).Statement[0].Principal).toEqual({
      Service: "monitoring.rds.amazonaws.com",
    });
    expect(onlyResource(json, "aws_iam_role_policy_attachment").policy_arn).toBe(
      "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
    );
    expect(instances(json)[0]).toMatchObject({ monitoring_interval: 60, performance_insights_enabled: true });
    expect(instances(json)[0].monitoring_role_arn).toMatch(/aws_iam_role\..*\.arn/);
  });

  test("the postgresql log exported to a log group created first, with retention and the key", () => {
    expect(c.enabled_cloudwatch_logs_exports).toEqual(["postgresql"]);
    const [[address, group]] = Object.entries(resourcesOf(json, "aws_cloudwatch_log_group"));
    expect(group).toMatchObject({
      name: "/aws/rds/cluster/meeting-notes-staging-aurora/postgresql",
      retention_in_days: 30,
      kms_key_id: keyArn,
    });
    expect(c.depends_on).toContain(`aws_cloudwatch_log_group.${address}`);
  });

  test("asks its key to let CloudWatch Logs encrypt the log group", () => {
    const key = new RecordingKey();
    synthScope(
      (s) =>
        new AuroraPostgresCluster(s, "database", {
          naming,
          network,
          encryptionKey: key,
          availabilityZones: ZONES,
        }),
    );
    expect(key.logGroups).toEqual(["/aws/rds/cluster/meeting-notes-staging-aurora/postgresql"]);
  });

  test("in the private subnets of a network without isolated ones; admits nothing until allowed", () => {
    expect(onlyResource(json, "aws_db_subnet_group").subnet_ids).toEqual(network.privateSubnetIds);
    expect(resourcesOf(json, "aws_vpc_security_group_ingress_rule")).toEqual({});
    expect(onlyResource(json, "aws_security_group").name).toBe("meeting-notes-staging-aurora-db");
  });

  test("pins the addresses of the cluster, its instance and groups", () => {
    expect(addresses(json).sort()).toEqual([
      "aws_cloudwatch_log_group.database_postgresql-logs_86F4EEE6",
      "aws_db_subnet_group.database_subnet-group_706EB4D1",
      "aws_iam_role.database_monitoring-role_DD73B2F2",
      "aws_iam_role_policy_attachment.database_monitoring-policy_A83EEE0F",
      "aws_rds_cluster.database_cluster_FAF2FB92",
      "aws_rds_cluster_instance.database_instance-1_95FDBD23",
      "aws_rds_cluster_parameter_group.database_parameters_58B6739C",
      "aws_security_group.database_security-group_BF0DE645",
    ]);
  });
});

describe("AuroraPostgresCluster options", () => {
  test("the seed's prod: db.r5.large, Multi-AZ with a reader in another zone, 14-day backups, advanced insights", () => {
    const json = build({
      instanceClass: "db.r5.large",
      readers: 1,
      multiAz: true,
      backupRetentionDays: 14,
      databaseInsights: "advanced",
      masterUsername: "clos_admin",
      databaseName: "clos",
      parameters: { log_min_duration_statement: "500" },
    });
    expect(cluster(json)).toMatchObject({
      backup_retention_period: 14,
      database_insights_mode: "advanced",
      performance_insights_retention_period: 465,
      master_username: "clos_admin",
      database_name: "clos",
    });
    expect(cluster(json).serverlessv2_scaling_configuration).toBeUndefined();
    const [writer, reader] = instances(json);
    expect(writer).toMatchObject({
      identifier: "meeting-notes-staging-aurora-1",
      instance_class: "db.r5.large",
      promotion_tier: 0,
      availability_zone: '${element(["us-east-1a", "us-east-1b", "us-east-1c"], 0)}',
    });
    expect(reader).toMatchObject({
      identifier: "meeting-notes-staging-aurora-2",
      instance_class: "db.r5.large",
      promotion_tier: 1,
      availability_zone: '${element(["us-east-1a", "us-east-1b", "us-east-1c"], 1)}',
      performance_insights_retention_period: 465,
    });
    expect(onlyResource(json, "aws_rds_cluster_parameter_group").parameter).toEqual([
      { name: "log_min_duration_statement", value: "500" },
      { name: "rds.force_ssl", value: "1" },
    ]);
  });

  test("Serverless v2 that pauses at 0 ACU after the idle time", () => {
    const c = cluster(build({ serverlessCapacity: { minAcu: 0, maxAcu: 2, secondsUntilAutoPause: 900 } }));
    expect(c.serverlessv2_scaling_configuration).toEqual({
      min_capacity: 0,
      max_capacity: 2,
      seconds_until_auto_pause: 900,
    });
    expect(
      cluster(build({ serverlessCapacity: { minAcu: 0 } })).serverlessv2_scaling_configuration
        .seconds_until_auto_pause,
    ).toBe(300);
  });

  test("the isolated subnets when the network has them; the network's first three zones by default", () => {
    const json = synthScope((s) => {
      const zones = new DataAwsAvailabilityZones(s, "zones", { state: "available" });
      new AuroraPostgresCluster(s, "database", {
        naming,
        network: {
          ...network,
          isolatedSubnetIds: ["subnet-data-a", "subnet-data-b"],
          zoneNames: zones.names,
        },
        encryptionKey: new RecordingKey(),
      });
    });
    expect(onlyResource(json, "aws_db_subnet_group").subnet_ids).toEqual(["subnet-data-a", "subnet-data-b"]);
    expect(cluster(json).availability_zones).toBe("${slice(data.aws_availability_zones.zones.names, 0, 3)}");
  });

  test("Enhanced Monitoring off: no role, interval 0", () => {
    const json = build({ monitoringIntervalSeconds: 0 });
    expect(resourcesOf(json, "aws_iam_role")).toEqual({});
    expect(instances(json)[0].monitoring_interval).toBe(0);
    expect(instances(json)[0].monitoring_role_arn).toBeUndefined();
  });

  test("a pinned minor with automatic upgrades off; another major's family", () => {
    const json = build({ engineVersion: "15.7", autoMinorVersionUpgrade: false });
    expect(cluster(json).engine_version).toBe("15.7");
    expect(instances(json)[0].auto_minor_version_upgrade).toBe(false);
    expect(onlyResource(json, "aws_rds_cluster_parameter_group").family).toBe("aurora-postgresql15");
  });

  test("a workload allowed to it gets 5432 from its group only; outputs reach the managed secret", () => {
    const json = synthScope((s) => {
      const db = new AuroraPostgresCluster(s, "database", {
        naming,
        network,
        encryptionKey: new RecordingKey(),
        availabilityZones: ZONES,
      });
      const app = new Connections(new Construct(s, "app"), "api", "the API tasks", "sg-api");
      app.allowTo(db, db.port);
      new TerraformOutput(s, "secret", { value: db.masterUserSecretArn });
      new TerraformOutput(s, "reader", { value: db.readerEndpoint });
    });
    expect(onlyResource(json, "aws_vpc_security_group_ingress_rule")).toMatchObject({
      from_port: 5432,
      to_port: 5432,
      referenced_security_group_id: "sg-api",
    });
    expect(json.output?.secret.value).toMatch(/aws_rds_cluster\..*\.master_user_secret\[0\]\.secret_arn/);
    expect(json.output?.reader.value).toMatch(/\.reader_endpoint\}/);
  });

  test("IAM authentication: off by default; on, a connect statement scoped to the cluster and the user", () => {
    expect(cluster(build()).iam_database_authentication_enabled).toBe(false);
    let statement: unknown;
    const json = synthScope((s) => {
      const db = new AuroraPostgresCluster(s, "database", {
        naming,
        network,
        encryptionKey: new RecordingKey(),
        availabilityZones: ZONES,
        iamAuthentication: true,
      });
      statement = db.connectStatement("candlefish_unblock");
      new TerraformOutput(s, "dbuser", { value: db.connectStatement("candlefish_unblock").resources![0] });
    });
    expect(cluster(json).iam_database_authentication_enabled).toBe(true);
    expect(statement).toMatchObject({ sid: "ConnectWithIamToken", actions: ["rds-db:connect"] });
    expect([json.output?.dbuser.value]).toEqual([
      expect.stringMatching(
        /^arn:\$\{data\.aws_partition\..*\}:rds-db:\$\{data\.aws_region\..*\}:\$\{data\.aws_caller_identity\..*\}:dbuser:\$\{aws_rds_cluster\..*\.cluster_resource_id\}\/candlefish_unblock$/,
      ),
    ]);
    expect(() =>
      synthScope((s) =>
        new AuroraPostgresCluster(s, "database", {
          naming,
          network,
          encryptionKey: new RecordingKey(),
          availabilityZones: ZONES,
        }).connectStatement("x"),
      ),
    ).toThrow("`iamAuthentication` must be on for a role to sign in as x with an IAM token, got false.");
  });

  test("a connections alarm threshold from the class's memory, or the serverless maximum", () => {
    const threshold = (props: Partial<AuroraPostgresClusterProps>) => {
      let value: number | undefined;
      synthScope((s) => {
        value = new AuroraPostgresCluster(s, "database", {
          naming,
          network,
          encryptionKey: new RecordingKey(),
          availabilityZones: ZONES,
          ...props,
        }).connectionsAlarmThreshold;
      });
      return value;
    };
    // db.r5.large: 16 GiB; three quarters of it / 9531392 bytes per connection = 1351; 80 % = 1080.
    expect(threshold({ instanceClass: "db.r5.large" })).toBe(1080);
    // 4 ACU = 8 GiB: 675 connections, 80 % = 540.
    expect(threshold({})).toBe(540);
  });
});

describe("AuroraPostgresCluster rejects bad input", () => {
  test.each<[string, Partial<AuroraPostgresClusterProps>, string]>([
    [
      "the seed's dev class, which Aurora PostgreSQL does not offer",
      { instanceClass: "db.t3.micro" },
      '`instanceClass` must be an instance class Aurora PostgreSQL offers: db.serverless, db.t3.{medium,large}, db.t4g.{medium,large}, db.r5.{large,xlarge,2xlarge,4xlarge,8xlarge,12xlarge,16xlarge,24xlarge}, db.r6g.{large,xlarge,2xlarge,4xlarge,8xlarge,12xlarge,16xlarge}, db.r6i.{large,xlarge,2xlarge,4xlarge,8xlarge,12xlarge,16xlarge,24xlarge,32xlarge}, db.r7g.{large,xlarge,2xlarge,4xlarge,8xlarge,12xlarge,16xlarge}, db.r7i.{large,xlarge,2xlarge,4xlarge,8xlarge,12xlarge,16xlarge,24xlarge,48xlarge}, db.r8g.{large,xlarge,2xlarge,4xlarge,8xlarge,12xlarge,16xlarge,24xlarge,48xlarge}, got "db.t3.micro". Use db.serverless (Serverless v2, which can pause at 0 ACU) or the smallest class, db.t4g.medium.',
    ],
    [
      "backups kept 0 days",
      { backupRetentionDays: 0 },
      "`backupRetentionDays` must be a whole number from 1 to 35 (Aurora keeps automated backups 1 to 35 days), got 0. Set it to a whole number from 1 to 35.",
    ],
    [
      "backups kept 36 days",
      { backupRetentionDays: 36 },
      "`backupRetentionDays` must be a whole number from 1 to 35 (Aurora keeps automated backups 1 to 35 days), got 36. Set it to a whole number from 1 to 35.",
    ],
    [
      "Multi-AZ without a reader",
      { multiAz: true },
      "`readers` must be at least 1 with multiAz (Multi-AZ is a reader in another zone to fail over to), got 0. Set readers to 1, or multiAz to false for a single-instance cluster.",
    ],
    [
      "a pinned minor with automatic minor upgrades on",
      { engineVersion: "16.4" },
      '`engineVersion` must be a major version alone while autoMinorVersionUpgrade is on (once AWS upgrades the cluster\'s minor, Terraform would plan a downgrade back to the pinned one), got "16.4". Use "16", or set autoMinorVersionUpgrade to false to pin 16.4.',
    ],
    [
      "a major past standard support",
      { engineVersion: "13" },
      '`engineVersion` must be an Aurora PostgreSQL major version on standard support (14, 15, 16, 17), optionally with a minor ("16.4"), got "13". Use a major such as "16" and let Aurora apply minor upgrades.',
    ],
    [
      "serverless capacity on a provisioned class",
      { instanceClass: "db.r6g.large", serverlessCapacity: { maxAcu: 8 } },
      '`serverlessCapacity` applies only to Serverless v2 instances (instanceClass db.serverless), got {"maxAcu":8}. Remove it, or set instanceClass to db.serverless (now db.r6g.large).',
    ],
    [
      "a maximum below the minimum",
      { serverlessCapacity: { minAcu: 4, maxAcu: 2 } },
      "`serverlessCapacity.maxAcu` must be 1 to 256 ACU in steps of 0.5 and at least minAcu (4), got 2. Raise it.",
    ],
    [
      "a capacity off the half steps",
      { serverlessCapacity: { minAcu: 0.3 } },
      "`serverlessCapacity.minAcu` must be 0 to 256 ACU in steps of 0.5, got 0.3. Use 0 (pause when idle) or 0.5 and up.",
    ],
    [
      "an auto-pause delay without scaling to zero",
      { serverlessCapacity: { minAcu: 0.5, secondsUntilAutoPause: 600 } },
      "`serverlessCapacity.secondsUntilAutoPause` applies only with minAcu 0 (a cluster pauses only when it may scale to zero), got 600. Remove it, or set minAcu to 0.",
    ],
    [
      "pausing on a pinned minor too old for it",
      { engineVersion: "15.4", autoMinorVersionUpgrade: false, serverlessCapacity: { minAcu: 0 } },
      '`serverlessCapacity.minAcu` can be 0 only from Aurora PostgreSQL 15.7 (the pinned engineVersion is older), got 0. Use engineVersion "15" or 15.7 and up, or set minAcu to 0.5.',
    ],
    [
      "two zones",
      { availabilityZones: ["us-east-1a", "us-east-1b"] },
      '`availabilityZones` must list exactly three distinct zones (Aurora keeps its storage in three; listing fewer plans a replacement on every run), got ["us-east-1a","us-east-1b"]. List three zones of the region.',
    ],
    [
      "an Enhanced Monitoring interval RDS does not offer",
      { monitoringIntervalSeconds: 45 },
      "`monitoringIntervalSeconds` must be one of 0, 1, 5, 10, 15, 30, 60 (0 turns Enhanced Monitoring off), got 45. Use 60.",
    ],
    [
      "TLS turned off through parameters",
      { parameters: { "rds.force_ssl": "0" } },
      '`parameters.rds.force_ssl` must stay 1 (connections without TLS are refused), got "0". Remove it from parameters: the construct sets it.',
    ],
    [
      "sixteen readers",
      { readers: 16 },
      "`readers` must be a whole number from 0 to 15 (Aurora has at most 15 readers), got 16. Set it to a whole number from 0 to 15.",
    ],
  ])("%s", (_, props, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test("no zones given and none the network names", () => {
    expect(() => build({ availabilityZones: undefined })).toThrow(
      /`availabilityZones` must list the three availability zones of the cluster's storage when the network does not name its zones/,
    );
  });
});
