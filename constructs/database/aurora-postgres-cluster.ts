import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster";
import { RdsClusterInstance } from "@cdktf/provider-aws/lib/rds-cluster-instance";
import { RdsClusterParameterGroup } from "@cdktf/provider-aws/lib/rds-cluster-parameter-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { type Connectable, Connections } from "../core/connections";
import { DEFAULT_LOG_RETENTION_DAYS } from "../core/defaults";
import { type PolicyStatement, serviceTrustPolicy } from "../core/iam";
import { limitedName, NAME_LIMITS, type ResourceNaming } from "../core/naming";
import { invalid, isUnresolved, requireIntegerInRange, requireLogRetention } from "../core/validation";
import type { KeyReference, NetworkReference } from "../internal/references";
import { instanceMemoryGiB, validateDatabaseSettings } from "./postgres-instance";

/**
 * Aurora PostgreSQL majors that can be created on standard support (13 left it on 28 Feb 2026; with
 * `engine_lifecycle_support` set to avoid extended-support charges, a cluster on it cannot be created).
 */
export const AURORA_POSTGRES_MAJOR_VERSIONS = [14, 15, 16, 17] as const;

/**
 * The provisioned instance classes Aurora PostgreSQL runs on (families and their sizes), besides
 * `db.serverless`. Burstable classes start at medium: Aurora has no `db.t3.micro` or `db.t3.small`.
 */
export const AURORA_POSTGRES_INSTANCE_SIZES: Readonly<Record<string, readonly string[]>> = {
  t3: ["medium", "large"],
  t4g: ["medium", "large"],
  r5: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"],
  r6g: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
  r6i: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge"],
  r7g: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
  r7i: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"],
  r8g: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"],
};

/** Serverless v2 capacity (Aurora capacity units; one ACU is about 2 GiB of memory). */
export interface ServerlessCapacity {
  /**
   * Least capacity, 0 to 256 in steps of 0.5; 0 lets the cluster pause when idle (no compute billed).
   * @default 0.5
   */
  readonly minAcu?: number;
  /**
   * Most capacity, 1 to 256 in steps of 0.5, at least `minAcu`.
   * @default 4
   */
  readonly maxAcu?: number;
  /**
   * With `minAcu: 0`, idle seconds before the cluster pauses (300 to 86400); the first connection
   * after a pause waits about 15 seconds.
   * @default 300
   */
  readonly secondsUntilAutoPause?: number;
}

/** Minor versions from which a Serverless v2 cluster may pause at 0 ACU, by major. */
const AUTO_PAUSE_MINIMUM_MINOR: Readonly<Record<number, number>> = { 14: 12, 15: 7, 16: 3, 17: 0 };

/** Enhanced Monitoring intervals RDS accepts, in seconds (0 turns it off). */
const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60] as const;

/** Properties of {@link AuroraPostgresCluster}. */
export interface AuroraPostgresClusterProps {
  /** Project and environment the names derive from. */
  readonly naming: ResourceNaming;
  /**
   * Identifier suffix: the cluster is `<project>-<environment>-<name>`, its instances
   * `<cluster>-1`, `<cluster>-2`, ... (changing it replaces them).
   * @default "aurora"
   */
  readonly name?: string;
  /** The cluster sits in the network's isolated (data) subnets when it has them, else its private ones. */
  readonly network: NetworkReference;
  /** Key for the storage, the managed master secret, Database Insights and the log group. */
  readonly encryptionKey: KeyReference;
  /**
   * The three availability zones the cluster's storage spans, listed because Aurora always uses three:
   * a configuration that lists fewer (or none, then a different three) plans a replacement.
   * @default - the first three of the network's zones
   */
  readonly availabilityZones?: readonly string[];
  /**
   * Instance class of every instance: `db.serverless` (Serverless v2) or a provisioned class
   * ({@link AURORA_POSTGRES_INSTANCE_SIZES}).
   * @default "db.serverless"
   */
  readonly instanceClass?: string;
  /** Serverless v2 capacity; only with `instanceClass: "db.serverless"`. */
  readonly serverlessCapacity?: ServerlessCapacity;
  /**
   * Reader instances besides the writer (0 to 15).
   * @default 0
   */
  readonly readers?: number;
  /**
   * Instances spread over the availability zones, so a reader in another zone takes over from the
   * writer; needs at least one reader.
   * @default false
   */
  readonly multiAz?: boolean;
  /**
   * Engine version: a major (`"16"`) lets Aurora apply minor upgrades; a full version (`"16.4"`) pins
   * one and needs `autoMinorVersionUpgrade: false`.
   * @default "16"
   */
  readonly engineVersion?: string;
  /**
   * Whether Aurora applies minor engine upgrades in the maintenance window.
   * @default true
   */
  readonly autoMinorVersionUpgrade?: boolean;
  /**
   * Days automated backups are kept (1 to 35: Aurora always keeps at least one).
   * @default 7
   */
  readonly backupRetentionDays?: number;
  /**
   * Refuse to delete the cluster.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Name of the database created with the cluster (changing it replaces the cluster).
   * @default "app"
   */
  readonly databaseName?: string;
  /**
   * Master user name (changing it replaces the cluster); its password is managed by RDS in Secrets Manager.
   * @default "dbadmin"
   */
  readonly masterUsername?: string;
  /**
   * CloudWatch Database Insights mode: `"standard"` (7 days of performance data) or `"advanced"`
   * (15 months, billed).
   * @default "standard"
   */
  readonly databaseInsights?: "standard" | "advanced";
  /**
   * Enhanced Monitoring interval in seconds (0, 1, 5, 10, 15, 30, 60; 0 turns it off).
   * @default 60
   */
  readonly monitoringIntervalSeconds?: number;
  /**
   * Further parameters of the cluster parameter group (`rds.force_ssl` is always `1`).
   * @default {}
   */
  readonly parameters?: Readonly<Record<string, string>>;
  /**
   * Days the exported PostgreSQL log is kept.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * IAM database authentication: roles granted `rds_iam` sign in with a token (`rds-db:connect`), no password.
   * @default false
   */
  readonly iamAuthentication?: boolean;
}

/**
 * An Aurora PostgreSQL cluster: a writer and `readers` reader instances (spread over the zones with
 * `multiAz`), provisioned or Serverless v2 (which may pause at 0 ACU); in the network's isolated
 * subnets (private ones when it has none), no public address; storage encrypted with the key; TLS
 * required (`rds.force_ssl=1` in its own cluster parameter group: Aurora's default is 0); a master
 * password RDS generates and rotates in Secrets Manager (never in Terraform state); Database Insights
 * with the key and Enhanced Monitoring; the `postgresql` log exported to a log group created first (with
 * retention and the key); automated backups, deletion protection and a deterministic final snapshot
 * `<identifier>-final`; `engine_lifecycle_support` set so that a major past standard support fails to
 * create instead of billing extended support; the three availability zones listed.
 *
 * Nothing reaches it until allowed: `workload.connections.allowTo(cluster, cluster.port)`.
 */
export class AuroraPostgresCluster extends Construct implements Connectable {
  /** The cluster identifier, `<project>-<environment>-<name>`. */
  public readonly identifier: string;
  /** The writer's endpoint. */
  public readonly endpoint: string;
  /** The readers' load-balanced endpoint (the writer's while there is no reader). */
  public readonly readerEndpoint: string;
  /** Port it listens on (5432). */
  public readonly port: number;
  /** Name of the database created with the cluster. */
  public readonly databaseName: string;
  /** Master user name. */
  public readonly masterUsername: string;
  /** ARN of the Secrets Manager secret RDS keeps the master password in (`{ username, password }`). */
  public readonly masterUserSecretArn: string;
  /** ARN of the cluster. */
  public readonly clusterArn: string;
  /** Resource id of the cluster (`cluster-...`), for IAM database authentication policies. */
  public readonly clusterResourceId: string;
  /**
   * The statement that lets a role sign in as `databaseUser` with an IAM token (needs `iamAuthentication`).
   */
  connectStatement(databaseUser: string, sid = "ConnectWithIamToken"): PolicyStatement {
    if (!this.iamAuthentication) {
      throw invalid(
        "iamAuthentication",
        `must be on for a role to sign in as ${databaseUser} with an IAM token`,
        false,
        "Set iamAuthentication: true on the cluster.",
      );
    }
    return {
      sid,
      actions: ["rds-db:connect"],
      resources: [`${this.dbUserArnPrefix}:dbuser:${this.clusterResourceId}/${databaseUser}`],
    };
  }
  private readonly iamAuthentication: boolean;
  private readonly dbUserArnPrefix: string;
  /** Identifiers of the instances, the writer first. */
  public readonly instanceIdentifiers: readonly string[];
  /** Security group of the cluster. */
  public readonly securityGroupId: string;
  /** Who may reach the cluster (`workload.connections.allowTo(cluster, cluster.port)`). */
  public readonly connections: Connections;
  /**
   * Where a connections alarm should fire: 80 % of the estimated default `max_connections` of an
   * instance (for Serverless v2, at `maxAcu`); `undefined` when the class is a token.
   */
  public readonly connectionsAlarmThreshold?: number;
  /** The cluster resource. */
  public readonly cluster: RdsCluster;
  /** The instance resources, the writer first. */
  public readonly instances: readonly RdsClusterInstance[];

  constructor(scope: Construct, id: string, props: AuroraPostgresClusterProps) {
    super(scope, id);
    const name = props.name ?? "aurora";
    const instanceClass = props.instanceClass ?? "db.serverless";
    const serverless = instanceClass === "db.serverless";
    const capacity = {
      minAcu: props.serverlessCapacity?.minAcu ?? 0.5,
      maxAcu: props.serverlessCapacity?.maxAcu ?? 4,
      secondsUntilAutoPause: props.serverlessCapacity?.secondsUntilAutoPause,
    };
    const resolved: Resolved = {
      name,
      instanceClass,
      serverlessCapacity: props.serverlessCapacity,
      capacity,
      readers: props.readers ?? 0,
      multiAz: props.multiAz ?? false,
      engineVersion: props.engineVersion ?? "16",
      autoMinorVersionUpgrade: props.autoMinorVersionUpgrade ?? true,
      backupRetentionDays: props.backupRetentionDays ?? 7,
      databaseName: props.databaseName ?? "app",
      masterUsername: props.masterUsername ?? "dbadmin",
      databaseInsights: props.databaseInsights ?? "standard",
      monitoringIntervalSeconds: props.monitoringIntervalSeconds ?? 60,
      logRetentionDays: props.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
      parameters: props.parameters ?? {},
      availabilityZones: props.availabilityZones,
    };
    const major = validate(resolved);
    const zones = props.availabilityZones
      ? [...props.availabilityZones]
      : props.network.zoneNames
        ? Token.asList(Fn.slice(props.network.zoneNames, 0, 3))
        : undefined;
    if (zones === undefined) {
      throw invalid(
        "availabilityZones",
        "must list the three availability zones of the cluster's storage when the network does not name its zones",
        undefined,
        'List three zones of the region, such as ["us-east-1a", "us-east-1b", "us-east-1c"].',
      );
    }

    this.identifier = limitedName(63, props.naming, name);
    const port = 5432;
    const advanced = resolved.databaseInsights === "advanced";
    const insights = {
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: props.encryptionKey.keyArn,
      performanceInsightsRetentionPeriod: advanced ? 465 : 7,
    };

    const logGroupName = `/aws/rds/cluster/${this.identifier}/postgresql`;
    props.encryptionKey.grantLogGroup(logGroupName);
    const logGroup = new CloudwatchLogGroup(this, "postgresql-logs", {
      name: logGroupName,
      retentionInDays: resolved.logRetentionDays,
      kmsKeyId: props.encryptionKey.keyArn,
    });

    const subnetIds =
      props.network.isolatedSubnetIds && props.network.isolatedSubnetIds.length > 0
        ? props.network.isolatedSubnetIds
        : props.network.privateSubnetIds;
    const subnetGroup = new DbSubnetGroup(this, "subnet-group", {
      name: this.identifier,
      description: `Subnets of ${this.identifier}, unreachable from outside the VPC`,
      subnetIds,
    });
    const parameterGroup = new RdsClusterParameterGroup(this, "parameters", {
      name: `${this.identifier}-apg${major}`,
      family: `aurora-postgresql${major}`,
      description: `Cluster parameters of ${this.identifier}: TLS required`,
      parameter: Object.entries({ ...resolved.parameters, "rds.force_ssl": "1" })
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([parameterName, value]) => ({ name: parameterName, value })),
      // A new family (a major upgrade) needs a new group before the old one can go.
      lifecycle: { createBeforeDestroy: true },
    });
    const securityGroup = new SecurityGroup(this, "security-group", {
      name: `${this.identifier}-db`,
      description: `Aurora PostgreSQL ${this.identifier}: only from the workloads allowed to reach it`,
      vpcId: props.network.vpcId,
      lifecycle: { createBeforeDestroy: true },
    });

    const monitoringRole =
      resolved.monitoringIntervalSeconds > 0
        ? new IamRole(this, "monitoring-role", {
            name: limitedName(NAME_LIMITS.iamRole, props.naming, name, "monitoring"),
            description: `Lets RDS Enhanced Monitoring publish ${this.identifier}'s OS metrics`,
            assumeRolePolicy: serviceTrustPolicy("monitoring.rds.amazonaws.com"),
          })
        : undefined;
    if (monitoringRole) {
      new IamRolePolicyAttachment(this, "monitoring-policy", {
        role: monitoringRole.name,
        policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
      });
    }

    this.cluster = new RdsCluster(this, "cluster", {
      clusterIdentifier: this.identifier,
      engine: "aurora-postgresql",
      engineMode: "provisioned",
      engineVersion: resolved.engineVersion,
      engineLifecycleSupport: "open-source-rds-extended-support-disabled",
      allowMajorVersionUpgrade: false,
      availabilityZones: zones,
      databaseName: resolved.databaseName,
      masterUsername: resolved.masterUsername,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: props.encryptionKey.keyArn,
      port,
      dbSubnetGroupName: subnetGroup.name,
      dbClusterParameterGroupName: parameterGroup.name,
      vpcSecurityGroupIds: [securityGroup.id],
      storageEncrypted: true,
      kmsKeyId: props.encryptionKey.keyArn,
      iamDatabaseAuthenticationEnabled: props.iamAuthentication ?? false,
      backupRetentionPeriod: resolved.backupRetentionDays,
      deletionProtection: props.deletionProtection ?? true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${this.identifier}-final`,
      copyTagsToSnapshot: true,
      enabledCloudwatchLogsExports: ["postgresql"],
      databaseInsightsMode: resolved.databaseInsights,
      ...insights,
      ...(serverless
        ? {
            serverlessv2ScalingConfiguration: {
              minCapacity: capacity.minAcu,
              maxCapacity: capacity.maxAcu,
              ...(capacity.minAcu === 0
                ? { secondsUntilAutoPause: capacity.secondsUntilAutoPause ?? 300 }
                : {}),
            },
          }
        : {}),
      applyImmediately: false,
      // The log group exists (with retention and the key) before RDS would create it without either.
      dependsOn: [logGroup],
    });

    const instances: RdsClusterInstance[] = [];
    for (let i = 0; i <= resolved.readers; i++) {
      instances.push(
        new RdsClusterInstance(this, `instance-${i + 1}`, {
          identifier: `${this.identifier}-${i + 1}`,
          clusterIdentifier: this.cluster.id,
          engine: "aurora-postgresql",
          instanceClass,
          autoMinorVersionUpgrade: resolved.autoMinorVersionUpgrade,
          dbSubnetGroupName: subnetGroup.name,
          publiclyAccessible: false,
          ...(resolved.multiAz ? { availabilityZone: Fn.element(zones, i % 3) } : {}),
          promotionTier: i === 0 ? 0 : 1,
          ...insights,
          ...(monitoringRole
            ? {
                monitoringInterval: resolved.monitoringIntervalSeconds,
                monitoringRoleArn: monitoringRole.arn,
              }
            : { monitoringInterval: 0 }),
          caCertIdentifier: "rds-ca-rsa2048-g1",
          copyTagsToSnapshot: true,
          applyImmediately: false,
        }),
      );
    }
    this.instances = instances;

    this.endpoint = this.cluster.endpoint;
    this.readerEndpoint = this.cluster.readerEndpoint;
    this.port = port;
    this.databaseName = resolved.databaseName;
    this.masterUsername = resolved.masterUsername;
    this.masterUserSecretArn = this.cluster.masterUserSecret.get(0).secretArn;
    this.clusterArn = this.cluster.arn;
    this.clusterResourceId = this.cluster.clusterResourceId;
    this.iamAuthentication = props.iamAuthentication ?? false;
    const account = new DataAwsCallerIdentity(this, "account");
    const region = new DataAwsRegion(this, "region");
    const partition = new DataAwsPartition(this, "partition");
    this.dbUserArnPrefix = `arn:${partition.partition}:rds-db:${region.name}:${account.accountId}`;
    this.instanceIdentifiers = instances.map((_, i) => `${this.identifier}-${i + 1}`);
    this.securityGroupId = securityGroup.id;
    this.connections = new Connections(this, name, `the ${this.identifier} database`, securityGroup.id);
    const memoryGiB = isUnresolved(instanceClass)
      ? undefined
      : serverless
        ? capacity.maxAcu * 2
        : instanceMemoryGiB(instanceClass);
    this.connectionsAlarmThreshold =
      memoryGiB === undefined
        ? undefined
        : Math.floor(Math.min(Math.floor((memoryGiB * 2 ** 30 * 0.75) / 9_531_392), 5000) * 0.8);
  }
}

interface Resolved {
  readonly name: string;
  readonly instanceClass: string;
  readonly serverlessCapacity?: ServerlessCapacity;
  readonly capacity: { minAcu: number; maxAcu: number; secondsUntilAutoPause?: number };
  readonly readers: number;
  readonly multiAz: boolean;
  readonly engineVersion: string;
  readonly autoMinorVersionUpgrade: boolean;
  readonly backupRetentionDays: number;
  readonly databaseName: string;
  readonly masterUsername: string;
  readonly databaseInsights: string;
  readonly monitoringIntervalSeconds: number;
  readonly logRetentionDays: number;
  readonly parameters: Readonly<Record<string, string>>;
  readonly availabilityZones?: readonly string[];
}

const halfSteps = (value: number) => Number.isInteger(value * 2);

/** Checks the props; returns the engine's major version. */
function validate(p: Resolved): number {
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(p.name) || p.name.endsWith("-")) {
    throw invalid(
      "name",
      "must be 1-20 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen",
      p.name,
      'Use a short name such as "aurora".',
    );
  }
  const version = /^(\d+)(?:\.(\d+))?$/.exec(p.engineVersion);
  const major = version ? Number(version[1]) : Number.NaN;
  if (!version || !(AURORA_POSTGRES_MAJOR_VERSIONS as readonly number[]).includes(major)) {
    throw invalid(
      "engineVersion",
      `must be an Aurora PostgreSQL major version on standard support (${AURORA_POSTGRES_MAJOR_VERSIONS.join(", ")}), optionally with a minor ("16.4")`,
      p.engineVersion,
      'Use a major such as "16" and let Aurora apply minor upgrades.',
    );
  }
  const minor = version[2] === undefined ? undefined : Number(version[2]);
  if (minor !== undefined && p.autoMinorVersionUpgrade) {
    throw invalid(
      "engineVersion",
      "must be a major version alone while autoMinorVersionUpgrade is on (once AWS upgrades the cluster's minor, Terraform would plan a downgrade back to the pinned one)",
      p.engineVersion,
      `Use "${major}", or set autoMinorVersionUpgrade to false to pin ${p.engineVersion}.`,
    );
  }
  const serverless = p.instanceClass === "db.serverless";
  const instance = /^db\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(p.instanceClass);
  if (
    !isUnresolved(p.instanceClass) &&
    !serverless &&
    !(instance && AURORA_POSTGRES_INSTANCE_SIZES[instance[1]!]?.includes(instance[2]!))
  ) {
    const choices = Object.entries(AURORA_POSTGRES_INSTANCE_SIZES)
      .map(([family, sizes]) => `db.${family}.{${sizes.join(",")}}`)
      .join(", ");
    throw invalid(
      "instanceClass",
      `must be an instance class Aurora PostgreSQL offers: db.serverless, ${choices}`,
      p.instanceClass,
      "Use db.serverless (Serverless v2, which can pause at 0 ACU) or the smallest class, db.t4g.medium.",
    );
  }
  if (p.serverlessCapacity !== undefined && !serverless) {
    throw invalid(
      "serverlessCapacity",
      "applies only to Serverless v2 instances (instanceClass db.serverless)",
      p.serverlessCapacity,
      `Remove it, or set instanceClass to db.serverless (now ${p.instanceClass}).`,
    );
  }
  if (serverless) {
    const { minAcu, maxAcu, secondsUntilAutoPause } = p.capacity;
    if (!(minAcu >= 0 && minAcu <= 256 && halfSteps(minAcu))) {
      throw invalid(
        "serverlessCapacity.minAcu",
        "must be 0 to 256 ACU in steps of 0.5",
        minAcu,
        "Use 0 (pause when idle) or 0.5 and up.",
      );
    }
    if (!(maxAcu >= 1 && maxAcu <= 256 && halfSteps(maxAcu) && maxAcu >= minAcu)) {
      throw invalid(
        "serverlessCapacity.maxAcu",
        `must be 1 to 256 ACU in steps of 0.5 and at least minAcu (${minAcu})`,
        maxAcu,
        "Raise it.",
      );
    }
    if (secondsUntilAutoPause !== undefined) {
      if (minAcu !== 0) {
        throw invalid(
          "serverlessCapacity.secondsUntilAutoPause",
          "applies only with minAcu 0 (a cluster pauses only when it may scale to zero)",
          secondsUntilAutoPause,
          "Remove it, or set minAcu to 0.",
        );
      }
      requireIntegerInRange("serverlessCapacity.secondsUntilAutoPause", secondsUntilAutoPause, 300, 86400);
    }
    const pauseFrom = AUTO_PAUSE_MINIMUM_MINOR[major];
    if (minAcu === 0 && minor !== undefined && pauseFrom !== undefined && minor < pauseFrom) {
      throw invalid(
        "serverlessCapacity.minAcu",
        `can be 0 only from Aurora PostgreSQL ${major}.${pauseFrom} (the pinned engineVersion is older)`,
        minAcu,
        `Use engineVersion "${major}" or ${major}.${pauseFrom} and up, or set minAcu to 0.5.`,
      );
    }
  }
  requireIntegerInRange("readers", p.readers, 0, 15, "Aurora has at most 15 readers");
  if (p.multiAz && p.readers < 1) {
    throw invalid(
      "readers",
      "must be at least 1 with multiAz (Multi-AZ is a reader in another zone to fail over to)",
      p.readers,
      "Set readers to 1, or multiAz to false for a single-instance cluster.",
    );
  }
  requireIntegerInRange(
    "backupRetentionDays",
    p.backupRetentionDays,
    1,
    35,
    "Aurora keeps automated backups 1 to 35 days",
  );
  validateDatabaseSettings(p);
  if (!(MONITORING_INTERVALS as readonly number[]).includes(p.monitoringIntervalSeconds)) {
    throw invalid(
      "monitoringIntervalSeconds",
      `must be one of ${MONITORING_INTERVALS.join(", ")} (0 turns Enhanced Monitoring off)`,
      p.monitoringIntervalSeconds,
      "Use 60.",
    );
  }
  requireLogRetention("logRetentionDays", p.logRetentionDays);
  if (p.availabilityZones !== undefined) {
    const literal = p.availabilityZones.filter((z) => !isUnresolved(z));
    if (p.availabilityZones.length !== 3 || new Set(literal).size !== literal.length) {
      throw invalid(
        "availabilityZones",
        "must list exactly three distinct zones (Aurora keeps its storage in three; listing fewer plans a replacement on every run)",
        p.availabilityZones,
        "List three zones of the region.",
      );
    }
  }
  return major;
}
