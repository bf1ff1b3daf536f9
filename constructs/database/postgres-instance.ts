import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Construct } from "constructs";
import { type Connectable, Connections } from "../core/connections";
import { DEFAULT_LOG_RETENTION_DAYS } from "../core/defaults";
import { limitedName, type ResourceNaming } from "../core/naming";
import { invalid, isUnresolved, requireIntegerInRange, requireLogRetention } from "../core/validation";
import type { KeyReference, NetworkReference } from "../internal/references";

/** PostgreSQL major versions RDS offers (13 to 17). */
export const POSTGRES_MAJOR_VERSIONS = [13, 14, 15, 16, 17] as const;

/** Instance families RDS runs PostgreSQL on, and the sizes each has. */
const INSTANCE_SIZES: Readonly<Record<string, readonly string[]>> = {
  t3: ["micro", "small", "medium", "large", "xlarge", "2xlarge"],
  t4g: ["micro", "small", "medium", "large", "xlarge", "2xlarge"],
  m5: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"],
  m6g: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
  m6i: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge"],
  m7g: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
  r5: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"],
  r6g: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
  r6i: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge"],
  r7g: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
};

/** Memory of a size, in GiB, for the burstable (t), general-purpose (m) and memory-optimised (r) families. */
const T_SIZES_GIB: Readonly<Record<string, number>> = {
  micro: 1,
  small: 2,
  medium: 4,
  large: 8,
  xlarge: 16,
  "2xlarge": 32,
};

/** An instance class's memory in GiB, or `undefined` for a class this table does not know. */
export function instanceMemoryGiB(instanceClass: string): number | undefined {
  const match = /^db\.([a-z])[0-9a-z]*\.([a-z0-9]+)$/.exec(instanceClass);
  if (!match) return undefined;
  const [, family, size] = match as unknown as [string, string, string];
  if (family === "t") return T_SIZES_GIB[size];
  const multiple =
    size === "large"
      ? 1
      : size === "xlarge"
        ? 2
        : /^(\d+)xlarge$/.test(size)
          ? 2 * Number.parseInt(size, 10)
          : undefined;
  if (multiple === undefined) return undefined;
  if (family === "m") return 8 * multiple;
  if (family === "r") return 16 * multiple;
  return undefined;
}

/**
 * About what RDS for PostgreSQL allows by default: `max_connections` is
 * LEAST(DBInstanceClassMemory / 9531392, 5000), DBInstanceClassMemory being the class's memory less
 * what RDS keeps for itself (taken here as a quarter, so the estimate errs low).
 */
export function defaultMaxConnections(instanceClass: string): number | undefined {
  const gib = instanceMemoryGiB(instanceClass);
  return gib === undefined ? undefined : Math.min(Math.floor((gib * 2 ** 30 * 0.75) / 9_531_392), 5000);
}

/** The log types PostgreSQL on RDS exports to CloudWatch Logs. */
const LOG_EXPORTS = ["postgresql", "upgrade"] as const;

/** Properties of {@link PostgresInstance}. */
export interface PostgresInstanceProps {
  /** Project and environment the names derive from. */
  readonly naming: ResourceNaming;
  /**
   * Identifier suffix: the instance is `<project>-<environment>-<name>` (changing it replaces the instance).
   * @default "postgres"
   */
  readonly name?: string;
  /** The instance sits in the network's private subnets, unreachable from outside the VPC. */
  readonly network: NetworkReference;
  /** Key for the storage, the managed master secret, Database Insights and the log groups. */
  readonly encryptionKey: KeyReference;
  /**
   * Instance class.
   * @default "db.t4g.micro"
   */
  readonly instanceClass?: string;
  /**
   * Engine version: a major (`"15"`) lets RDS apply minor upgrades; a full version (`"15.10"`) pins one
   * and needs `autoMinorVersionUpgrade: false` (else, once AWS upgrades the instance, Terraform would
   * plan a downgrade back to the pinned minor).
   * @default "15"
   */
  readonly engineVersion?: string;
  /**
   * Whether RDS applies minor engine upgrades in the maintenance window.
   * @default true
   */
  readonly autoMinorVersionUpgrade?: boolean;
  /**
   * Storage in GiB, gp3 (20 to 65536). Raising it is an in-place change; lowering it is impossible.
   * @default 20
   */
  readonly allocatedStorageGiB?: number;
  /**
   * Upper limit of storage autoscaling in GiB (at least `allocatedStorageGiB`), or 0 for none.
   * @default 100
   */
  readonly maxAllocatedStorageGiB?: number;
  /**
   * Days automated backups are kept (0 to 35; 0 turns them off, which deletion protection forbids).
   * @default 7
   */
  readonly backupRetentionDays?: number;
  /**
   * Refuse to delete the instance.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * A standby in a second zone.
   * @default false
   */
  readonly multiAz?: boolean;
  /**
   * Name of the database created with the instance (changing it replaces the instance).
   * @default "app"
   */
  readonly databaseName?: string;
  /**
   * Master user name (changing it replaces the instance); its password is managed by RDS in Secrets Manager.
   * @default "dbadmin"
   */
  readonly masterUsername?: string;
  /**
   * CloudWatch Database Insights mode: `"standard"` (free, 7 days of performance data) or
   * `"advanced"` (15 months, billed).
   * @default "standard"
   */
  readonly databaseInsights?: "standard" | "advanced";
  /**
   * Further parameters of the instance's parameter group (`rds.force_ssl` is always `1`).
   * @default {}
   */
  readonly parameters?: Readonly<Record<string, string>>;
  /**
   * Days the exported logs are kept.
   * @default 30
   */
  readonly logRetentionDays?: number;
}

/**
 * An RDS PostgreSQL instance: private (its subnet group holds the network's private subnets, no public
 * address), encrypted with the key, TLS required (`rds.force_ssl=1` in its own parameter group, whose
 * parameters Terraform keeps: no `ignore_changes`), automated backups, deletion protection, a master
 * password RDS generates and rotates in Secrets Manager (it never enters Terraform state), Database
 * Insights with the key, the `postgresql` and `upgrade` logs exported to log groups created first (with
 * retention and the key), a deterministic final snapshot `<identifier>-final`, tags copied to snapshots,
 * and a storage autoscaling limit.
 *
 * Nothing reaches it until allowed: `workload.connections.allowTo(database, database.port)`.
 */
export class PostgresInstance extends Construct implements Connectable {
  /** The instance identifier, `<project>-<environment>-<name>`. */
  public readonly identifier: string;
  /** Host name to connect to. */
  public readonly address: string;
  /** Port it listens on (5432). */
  public readonly port: number;
  /** Name of the database created with the instance. */
  public readonly databaseName: string;
  /** Master user name. */
  public readonly masterUsername: string;
  /** ARN of the Secrets Manager secret RDS keeps the master password in (`{ username, password }`). */
  public readonly masterUserSecretArn: string;
  /** ARN of the instance. */
  public readonly instanceArn: string;
  /** Resource id of the instance (`db-...`), for IAM database authentication policies. */
  public readonly resourceId: string;
  /** Security group of the instance. */
  public readonly securityGroupId: string;
  /** Who may reach the instance (`workload.connections.allowTo(database, database.port)`). */
  public readonly connections: Connections;
  /**
   * Where the connections alarm should fire: 80 % of the class's estimated default
   * `max_connections` ({@link defaultMaxConnections}); `undefined` when the class is a token.
   */
  public readonly connectionsAlarmThreshold?: number;
  /** The instance resource. */
  public readonly instance: DbInstance;

  constructor(scope: Construct, id: string, props: PostgresInstanceProps) {
    super(scope, id);
    const name = props.name ?? "postgres";
    const instanceClass = props.instanceClass ?? "db.t4g.micro";
    const engineVersion = props.engineVersion ?? "15";
    const autoMinorVersionUpgrade = props.autoMinorVersionUpgrade ?? true;
    const allocatedStorageGiB = props.allocatedStorageGiB ?? 20;
    const maxAllocatedStorageGiB = props.maxAllocatedStorageGiB ?? 100;
    const backupRetentionDays = props.backupRetentionDays ?? 7;
    const deletionProtection = props.deletionProtection ?? true;
    const databaseName = props.databaseName ?? "app";
    const masterUsername = props.masterUsername ?? "dbadmin";
    const databaseInsights = props.databaseInsights ?? "standard";
    const logRetentionDays = props.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
    const major = validate({
      name,
      instanceClass,
      engineVersion,
      autoMinorVersionUpgrade,
      allocatedStorageGiB,
      maxAllocatedStorageGiB,
      backupRetentionDays,
      deletionProtection,
      databaseName,
      masterUsername,
      databaseInsights,
      logRetentionDays,
      parameters: props.parameters ?? {},
    });

    this.identifier = limitedName(63, props.naming, name);
    const port = 5432;

    const logGroups = LOG_EXPORTS.map((type) => {
      const logGroupName = `/aws/rds/instance/${this.identifier}/${type}`;
      props.encryptionKey.grantLogGroup(logGroupName);
      return new CloudwatchLogGroup(this, `${type}-logs`, {
        name: logGroupName,
        retentionInDays: logRetentionDays,
        kmsKeyId: props.encryptionKey.keyArn,
      });
    });

    const subnetGroup = new DbSubnetGroup(this, "subnet-group", {
      name: this.identifier,
      description: `Private subnets of ${this.identifier}`,
      subnetIds: props.network.privateSubnetIds,
    });
    const parameterGroup = new DbParameterGroup(this, "parameters", {
      name: `${this.identifier}-pg${major}`,
      family: `postgres${major}`,
      description: `Parameters of ${this.identifier}: TLS required`,
      parameter: Object.entries({ ...props.parameters, "rds.force_ssl": "1" })
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([parameterName, value]) => ({ name: parameterName, value })),
      // A new family (a major upgrade) needs a new group before the old one can go.
      lifecycle: { createBeforeDestroy: true },
    });
    const securityGroup = new SecurityGroup(this, "security-group", {
      name: `${this.identifier}-db`,
      description: `PostgreSQL ${this.identifier}: only from the workloads allowed to reach it`,
      vpcId: props.network.vpcId,
      lifecycle: { createBeforeDestroy: true },
    });

    this.instance = new DbInstance(this, "instance", {
      identifier: this.identifier,
      engine: "postgres",
      engineVersion,
      autoMinorVersionUpgrade,
      instanceClass,
      allocatedStorage: allocatedStorageGiB,
      maxAllocatedStorage: maxAllocatedStorageGiB,
      storageType: "gp3",
      storageEncrypted: true,
      kmsKeyId: props.encryptionKey.keyArn,
      dbName: databaseName,
      username: masterUsername,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: props.encryptionKey.keyArn,
      port,
      dbSubnetGroupName: subnetGroup.name,
      parameterGroupName: parameterGroup.name,
      vpcSecurityGroupIds: [securityGroup.id],
      publiclyAccessible: false,
      multiAz: props.multiAz ?? false,
      backupRetentionPeriod: backupRetentionDays,
      deletionProtection,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${this.identifier}-final`,
      copyTagsToSnapshot: true,
      enabledCloudwatchLogsExports: [...LOG_EXPORTS],
      databaseInsightsMode: databaseInsights,
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: props.encryptionKey.keyArn,
      performanceInsightsRetentionPeriod: databaseInsights === "advanced" ? 465 : 7,
      caCertIdentifier: "rds-ca-rsa2048-g1",
      applyImmediately: false,
      // The log groups exist (with retention and the key) before RDS would create them without either.
      dependsOn: logGroups,
    });

    this.address = this.instance.address;
    this.port = port;
    this.databaseName = databaseName;
    this.masterUsername = masterUsername;
    const maxConnections = isUnresolved(instanceClass) ? undefined : defaultMaxConnections(instanceClass);
    this.connectionsAlarmThreshold =
      maxConnections === undefined ? undefined : Math.floor(maxConnections * 0.8);
    this.masterUserSecretArn = this.instance.masterUserSecret.get(0).secretArn;
    this.instanceArn = this.instance.arn;
    this.resourceId = this.instance.resourceId;
    this.securityGroupId = securityGroup.id;
    this.connections = new Connections(this, name, `the ${this.identifier} database`, securityGroup.id);
  }
}

interface Resolved {
  readonly name: string;
  readonly instanceClass: string;
  readonly engineVersion: string;
  readonly autoMinorVersionUpgrade: boolean;
  readonly allocatedStorageGiB: number;
  readonly maxAllocatedStorageGiB: number;
  readonly backupRetentionDays: number;
  readonly deletionProtection: boolean;
  readonly databaseName: string;
  readonly masterUsername: string;
  readonly databaseInsights: string;
  readonly logRetentionDays: number;
  readonly parameters: Readonly<Record<string, string>>;
}

/** Checks the props; returns the engine's major version. */
function validate(p: Resolved): number {
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(p.name) || p.name.endsWith("-")) {
    throw invalid(
      "name",
      "must be 1-20 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen",
      p.name,
      'Use a short name such as "postgres".',
    );
  }
  const version = /^(\d+)(?:\.(\d+))?$/.exec(p.engineVersion);
  const major = version ? Number(version[1]) : Number.NaN;
  if (!version || !(POSTGRES_MAJOR_VERSIONS as readonly number[]).includes(major)) {
    throw invalid(
      "engineVersion",
      `must be a PostgreSQL major version RDS offers (${POSTGRES_MAJOR_VERSIONS.join(", ")}), optionally with a minor ("15.10")`,
      p.engineVersion,
      'Use a major such as "15" and let RDS apply minor upgrades.',
    );
  }
  if (version[2] !== undefined && p.autoMinorVersionUpgrade) {
    throw invalid(
      "engineVersion",
      "must be a major version alone while autoMinorVersionUpgrade is on (once AWS upgrades the instance's minor, Terraform would plan a downgrade back to the pinned one)",
      p.engineVersion,
      `Use "${major}", or set autoMinorVersionUpgrade to false to pin ${p.engineVersion}.`,
    );
  }
  const instance = /^db\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(p.instanceClass);
  if (!isUnresolved(p.instanceClass) && !(instance && INSTANCE_SIZES[instance[1]!]?.includes(instance[2]!))) {
    throw invalid(
      "instanceClass",
      `must be an RDS for PostgreSQL instance class (db.<family>.<size>, families ${Object.keys(INSTANCE_SIZES).join(", ")}, with the sizes each has)`,
      p.instanceClass,
      "Use for example db.t4g.small or db.m7g.large.",
    );
  }
  requireIntegerInRange("allocatedStorageGiB", p.allocatedStorageGiB, 20, 65536, "gp3 storage on RDS");
  if (p.maxAllocatedStorageGiB !== 0) {
    requireIntegerInRange("maxAllocatedStorageGiB", p.maxAllocatedStorageGiB, 0, 65536);
    if (p.maxAllocatedStorageGiB < p.allocatedStorageGiB) {
      throw invalid(
        "maxAllocatedStorageGiB",
        `must be at least \`allocatedStorageGiB\` (${p.allocatedStorageGiB}), or 0 to turn storage autoscaling off`,
        p.maxAllocatedStorageGiB,
        "Raise it, or set 0.",
      );
    }
  }
  requireIntegerInRange(
    "backupRetentionDays",
    p.backupRetentionDays,
    0,
    35,
    "RDS keeps automated backups 0 to 35 days",
  );
  if (p.backupRetentionDays === 0 && p.deletionProtection) {
    throw invalid(
      "backupRetentionDays",
      "must be at least 1 with `deletionProtection` on (a protected database without backups cannot be restored)",
      0,
      "Keep backups (7 days, say), or turn `deletionProtection` off for a disposable database.",
    );
  }
  validateDatabaseSettings(p);
  requireLogRetention("logRetentionDays", p.logRetentionDays);
  return major;
}

/**
 * The checks an RDS instance and an Aurora cluster share: database and master user names, the Database
 * Insights mode, and `rds.force_ssl` left at 1.
 */
export function validateDatabaseSettings(p: {
  readonly databaseName: string;
  readonly masterUsername: string;
  readonly databaseInsights: string;
  readonly parameters: Readonly<Record<string, string>>;
}): void {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(p.databaseName)) {
    throw invalid(
      "databaseName",
      "must be 1-63 letters, digits and underscores, starting with a letter",
      p.databaseName,
      'Use a name such as "app".',
    );
  }
  if (!/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(p.masterUsername) || p.masterUsername === "rdsadmin") {
    throw invalid(
      "masterUsername",
      "must be 1-63 letters, digits and underscores, starting with a letter, and not rdsadmin (RDS's own)",
      p.masterUsername,
      'Use a name such as "dbadmin".',
    );
  }
  if (p.databaseInsights !== "standard" && p.databaseInsights !== "advanced") {
    throw invalid(
      "databaseInsights",
      'must be "standard" or "advanced"',
      p.databaseInsights,
      "Pick one of the two.",
    );
  }
  if ("rds.force_ssl" in p.parameters && p.parameters["rds.force_ssl"] !== "1") {
    throw invalid(
      "parameters.rds.force_ssl",
      "must stay 1 (connections without TLS are refused)",
      p.parameters["rds.force_ssl"],
      "Remove it from parameters: the construct sets it.",
    );
  }
}
