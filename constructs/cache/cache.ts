import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ElasticacheSubnetGroup } from "@cdktf/provider-aws/lib/elasticache-subnet-group";
import { ElasticacheUser } from "@cdktf/provider-aws/lib/elasticache-user";
import { ElasticacheUserGroup } from "@cdktf/provider-aws/lib/elasticache-user-group";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Construct } from "constructs";
import { type Connectable, Connections } from "../core/connections";
import { DEFAULT_LOG_RETENTION_DAYS } from "../core/defaults";
import { policyDocument } from "../core/iam";
import { limitedName, type ResourceNaming } from "../core/naming";
import { invalid, isUnresolved, requireIntegerInRange, requireLogRetention } from "../core/validation";
import type { KeyReference, NetworkReference, RoleReference } from "../internal/references";

/** The engines a cache can run, and the versions of each that support IAM authentication. */
export const CACHE_ENGINE_VERSIONS = { redis: ["7.0", "7.1"], valkey: ["7.2", "8.0", "8.1"] } as const;

/** Node families ElastiCache offers, and the sizes each has. */
const NODE_SIZES: Readonly<Record<string, readonly string[]>> = {
  t3: ["micro", "small", "medium"],
  t4g: ["micro", "small", "medium"],
  m5: ["large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge"],
  m6g: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
  m7g: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
  r5: ["large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge"],
  r6g: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
  r7g: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
};

/** Properties of {@link Cache}. */
export interface CacheProps {
  /** Project and environment the names derive from. */
  readonly naming: ResourceNaming;
  /**
   * Name suffix: the replication group is `<project>-<environment>-<name>` (at most 40 characters;
   * changing it replaces the cache).
   * @default "cache"
   */
  readonly name?: string;
  /** The cache sits in the network's private subnets. */
  readonly network: NetworkReference;
  /** Key for the data at rest and the log groups (changing it replaces the cache). */
  readonly encryptionKey: KeyReference;
  /**
   * Engine: Redis OSS or Valkey (its open-source successor, cheaper on ElastiCache).
   * @default "redis"
   */
  readonly engine?: keyof typeof CACHE_ENGINE_VERSIONS;
  /**
   * Engine version, one that supports IAM authentication (Redis OSS 7.0 and later, Valkey 7.2 and later).
   * @default "7.1" for Redis OSS, "8.0" for Valkey
   */
  readonly engineVersion?: string;
  /**
   * Node type. Changing it is an in-place (online) change.
   * @default "cache.t4g.micro"
   */
  readonly nodeType?: string;
  /**
   * Nodes: one primary and `nodes - 1` replicas (1 to 6).
   * @default 1
   */
  readonly nodes?: number;
  /**
   * Automatic failover to a replica in another zone; needs two nodes or more.
   * @default - on with two nodes or more, off with one
   */
  readonly multiAz?: boolean;
  /**
   * Days of daily snapshots kept (0 to 35; 0 takes none).
   * @default 1
   */
  readonly snapshotRetentionDays?: number;
  /**
   * What the application's user may do (a Redis ACL access string).
   * @default "on ~* +@all -@dangerous" (every key and command but the dangerous ones: FLUSHALL, CONFIG, KEYS, ...)
   */
  readonly accessString?: string;
  /**
   * Days the slow and engine logs are kept.
   * @default 30
   */
  readonly logRetentionDays?: number;
}

/**
 * An ElastiCache replication group (Redis OSS 7 or Valkey) in private subnets, encrypted at rest with the
 * key and in transit (TLS required), with slow and engine logs to log groups created first (retention, key),
 * automatic failover and Multi-AZ only with two nodes or more, and authentication through IAM only.
 *
 * No AUTH token and no user password exist (the provider would keep either in state): the group's user
 * group holds a disabled `default` user and one application user with IAM authentication, whose name is
 * {@link Cache.userName}. A role connects after {@link Cache.grantConnect}: it signs an IAM auth token for
 * that user with its own credentials and sends it as the password over TLS.
 *
 * Nothing reaches it until allowed: `workload.connections.allowTo(cache, cache.port)`.
 */
export class Cache extends Construct implements Connectable {
  /** The replication group id, `<project>-<environment>-<name>`. */
  public readonly replicationGroupId: string;
  /** Host name of the primary. */
  public readonly primaryEndpoint: string;
  /** Port (6379). */
  public readonly port: number;
  /** Name (and id) of the application's IAM-authenticated user. */
  public readonly userName: string;
  /** `rediss://<user>@<primary>:<port>`: no password in it (the client signs an IAM token). */
  public readonly url: string;
  /** ARN of the replication group. */
  public readonly replicationGroupArn: string;
  /** Ids of the nodes, in order (`<id>-001`, ...): the `CacheClusterId` of their CloudWatch metrics. */
  public readonly nodeIds: string[];
  /** Security group of the cache. */
  public readonly securityGroupId: string;
  /** Who may reach the cache (`workload.connections.allowTo(cache, cache.port)`). */
  public readonly connections: Connections;
  /** The replication group resource. */
  public readonly replicationGroup: ElasticacheReplicationGroup;
  private readonly user: ElasticacheUser;
  private readonly grants = new Set<string>();

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    const name = props.name ?? "cache";
    const engine = props.engine ?? "redis";
    const engineVersion = props.engineVersion ?? (engine === "valkey" ? "8.0" : "7.1");
    const nodeType = props.nodeType ?? "cache.t4g.micro";
    const nodes = props.nodes ?? 1;
    const multiAz = props.multiAz ?? nodes >= 2;
    const snapshotRetentionDays = props.snapshotRetentionDays ?? 1;
    const accessString = props.accessString ?? "on ~* +@all -@dangerous";
    const logRetentionDays = props.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
    validate({
      name,
      engine,
      engineVersion,
      nodeType,
      nodes,
      multiAz,
      snapshotRetentionDays,
      accessString,
      logRetentionDays,
    });

    this.replicationGroupId = limitedName(40, props.naming, name);
    const port = 6379;

    const logGroups = (["slow-log", "engine-log"] as const).map((type) => {
      // Vended logs: a name under /aws/vendedlogs/ keeps the account's log resource policy small.
      const logGroupName = `/aws/vendedlogs/elasticache/${this.replicationGroupId}/${type}`;
      props.encryptionKey.grantLogGroup(logGroupName);
      const group = new CloudwatchLogGroup(this, `${type}s`, {
        name: logGroupName,
        retentionInDays: logRetentionDays,
        kmsKeyId: props.encryptionKey.keyArn,
      });
      return { type, group };
    });

    // IAM authentication: the user's id and name must be equal. User ids are unique per account and region.
    // User ids are at most 40 characters, like the group's.
    this.userName = limitedName(40, props.naming, name, "app");
    const userEngine = engine;
    const disabledDefault = new ElasticacheUser(this, "default-user", {
      userId: limitedName(40, props.naming, name, "default"),
      userName: "default",
      engine: userEngine,
      accessString: "off -@all",
      // Not an authentication_mode block: AWS reports no-password-required back as no-password, which
      // would read as a change on every plan.
      noPasswordRequired: true,
    });
    this.user = new ElasticacheUser(this, "app-user", {
      userId: this.userName,
      userName: this.userName,
      engine: userEngine,
      accessString,
      authenticationMode: { type: "iam" },
    });
    const userGroup = new ElasticacheUserGroup(this, "user-group", {
      userGroupId: this.replicationGroupId,
      engine: userEngine,
      userIds: [disabledDefault.userId, this.user.userId],
    });

    const subnetGroup = new ElasticacheSubnetGroup(this, "subnet-group", {
      name: this.replicationGroupId,
      description: `Private subnets of ${this.replicationGroupId}`,
      subnetIds: props.network.privateSubnetIds,
    });
    const securityGroup = new SecurityGroup(this, "security-group", {
      name: `${this.replicationGroupId}-cache`,
      description: `Cache ${this.replicationGroupId}: only from the workloads allowed to reach it`,
      vpcId: props.network.vpcId,
      lifecycle: { createBeforeDestroy: true },
    });

    this.replicationGroup = new ElasticacheReplicationGroup(this, "replication-group", {
      replicationGroupId: this.replicationGroupId,
      description: `${this.replicationGroupId} (${engine} ${engineVersion})`,
      engine,
      engineVersion,
      nodeType,
      numCacheClusters: nodes,
      port,
      automaticFailoverEnabled: multiAz,
      multiAzEnabled: multiAz,
      subnetGroupName: subnetGroup.name,
      securityGroupIds: [securityGroup.id],
      atRestEncryptionEnabled: "true",
      kmsKeyId: props.encryptionKey.keyArn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      userGroupIds: [userGroup.userGroupId],
      snapshotRetentionLimit: snapshotRetentionDays,
      autoMinorVersionUpgrade: "true",
      applyImmediately: false,
      logDeliveryConfiguration: logGroups.map(({ type, group }) => ({
        destination: group.name,
        destinationType: "cloudwatch-logs",
        logFormat: "json",
        logType: type,
      })),
      dependsOn: logGroups.map(({ group }) => group),
    });

    this.primaryEndpoint = this.replicationGroup.primaryEndpointAddress;
    this.port = port;
    this.url = `rediss://${this.userName}@${this.primaryEndpoint}:${port}`;
    this.replicationGroupArn = this.replicationGroup.arn;
    this.nodeIds = Array.from(
      { length: nodes },
      (_, i) => `${this.replicationGroupId}-${String(i + 1).padStart(3, "0")}`,
    );
    this.securityGroupId = securityGroup.id;
    this.connections = new Connections(this, name, `the ${this.replicationGroupId} cache`, securityGroup.id);
  }

  /**
   * Lets a role connect as the application user: `elasticache:Connect` on the replication group and the
   * user, an inline policy `cache-connect-<key>` on the role (the key names the role's workload).
   */
  public grantConnect(role: RoleReference, key: string): void {
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(key) || this.grants.has(key)) {
      throw invalid(
        "grantConnect",
        "needs a key of lowercase letters, digits and hyphens, unique per cache",
        key,
        "Name the workload, for example api.",
      );
    }
    this.grants.add(key);
    new IamRolePolicy(this, `connect-${key}`, {
      name: `cache-connect-${key}`,
      role: role.roleName,
      policy: policyDocument([
        {
          sid: "ConnectAsTheApplicationUser",
          actions: ["elasticache:Connect"],
          resources: [this.replicationGroup.arn, this.user.arn],
        },
      ]),
    });
  }
}

interface Resolved {
  readonly name: string;
  readonly engine: string;
  readonly engineVersion: string;
  readonly nodeType: string;
  readonly nodes: number;
  readonly multiAz: boolean;
  readonly snapshotRetentionDays: number;
  readonly accessString: string;
  readonly logRetentionDays: number;
}

function validate(p: Resolved): void {
  if (!/^[a-z][a-z0-9-]{0,14}$/.test(p.name) || p.name.endsWith("-")) {
    throw invalid(
      "name",
      "must be 1-15 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen",
      p.name,
      'Use a short name such as "cache".',
    );
  }
  const versions = (CACHE_ENGINE_VERSIONS as Record<string, readonly string[]>)[p.engine];
  if (!versions) {
    throw invalid("engine", 'must be "redis" (Redis OSS) or "valkey"', p.engine, "Pick one of the two.");
  }
  if (!versions.includes(p.engineVersion)) {
    throw invalid(
      "engineVersion",
      `must be a ${p.engine} version with IAM authentication (${versions.join(", ")})`,
      p.engineVersion,
      "Pick one of those.",
    );
  }
  const node = /^cache\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(p.nodeType);
  if (!isUnresolved(p.nodeType) && !(node && NODE_SIZES[node[1]!]?.includes(node[2]!))) {
    throw invalid(
      "nodeType",
      `must be an ElastiCache node type (cache.<family>.<size>, families ${Object.keys(NODE_SIZES).join(", ")}, with the sizes each has)`,
      p.nodeType,
      "Use for example cache.t4g.micro or cache.m7g.large.",
    );
  }
  requireIntegerInRange("nodes", p.nodes, 1, 6, "a primary and up to five replicas");
  if (p.multiAz && p.nodes < 2) {
    throw invalid(
      "multiAz",
      "needs two nodes or more (automatic failover promotes a replica in another zone, and one node has none)",
      p.nodes,
      "Set `nodes` to 2 or more, or turn multiAz off.",
    );
  }
  requireIntegerInRange("snapshotRetentionDays", p.snapshotRetentionDays, 0, 35);
  if (!/^(on|off)( |$)/.test(p.accessString)) {
    throw invalid(
      "accessString",
      'must be a Redis ACL access string starting with "on" or "off"',
      p.accessString,
      'Use for example "on ~* +@all -@dangerous".',
    );
  }
  requireLogRetention("logRetentionDays", p.logRetentionDays);
}
