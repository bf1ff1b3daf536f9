import { EfsAccessPoint } from "@cdktf/provider-aws/lib/efs-access-point";
import { EfsBackupPolicy } from "@cdktf/provider-aws/lib/efs-backup-policy";
import { EfsFileSystem } from "@cdktf/provider-aws/lib/efs-file-system";
import { EfsFileSystemPolicy } from "@cdktf/provider-aws/lib/efs-file-system-policy";
import { EfsMountTarget } from "@cdktf/provider-aws/lib/efs-mount-target";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Construct } from "constructs";
import { type Connectable, Connections } from "../core/connections";
import { type PolicyStatement, policyDocument } from "../core/iam";
import { limitedName, NAME_LIMITS, type ResourceNaming } from "../core/naming";
import { invalid, requireIntegerInRange } from "../core/validation";
import type { KeyReference, NetworkReference } from "../internal/references";

/** NFS over TLS: the port every mount target listens on. */
export const EFS_PORT = 2049;

/** One access point: a directory of the file system, entered as one POSIX user. */
export interface EfsAccessPointOptions {
  /** Key of the access point (1-40 lowercase letters, digits, hyphens), what mounts name it by. */
  readonly name: string;
  /** Its root directory (`/lancedb`), created with the user as owner on first use. */
  readonly path: string;
  /** The POSIX user and group every request through the access point runs as. */
  readonly posixUser: { readonly uid: number; readonly gid: number };
  /** Permissions of the root directory when EFS creates it. @default "750" */
  readonly permissions?: string;
}

/** Properties of {@link ElasticFileSystem}. */
export interface ElasticFileSystemProps {
  readonly naming: ResourceNaming;
  /** Name suffix: the file system is tagged `Name = <project>-<environment>-<name>`. */
  readonly name: string;
  /** Mount targets go into the network's private subnets, one per zone. */
  readonly network: NetworkReference;
  /** Key the data is encrypted with at rest (changing it replaces the file system). */
  readonly encryptionKey: KeyReference;
  /** The access points, by name; every mount goes through one of them. */
  readonly accessPoints: readonly EfsAccessPointOptions[];
  /** Daily AWS Backup of the file system (the default backup plan). @default true */
  readonly backups?: boolean;
  /** Days without access after which files move to Infrequent Access. @default 30 */
  readonly infrequentAccessAfterDays?: 1 | 7 | 14 | 30 | 60 | 90 | 180 | 270 | 365;
}

/** What a task needs to mount an access point (the statements for its task role). */
export interface EfsMount {
  readonly fileSystemId: string;
  readonly accessPointId: string;
  readonly statements: readonly PolicyStatement[];
}

/**
 * An encrypted EFS file system (elastic throughput, the key, daily backups, Infrequent Access after 30
 * days) with a mount target per private subnet behind its own security group, access points that each
 * pin a directory and a POSIX user, and a file system policy that refuses connections without TLS and
 * mounts not made through an access point. Clients authorize with IAM: {@link mount} gives a role
 * exactly `ClientMount` (and `ClientWrite` unless read-only) through one access point.
 */
export class ElasticFileSystem extends Construct implements Connectable {
  public readonly fileSystemId: string;
  public readonly fileSystemArn: string;
  public readonly connections: Connections;
  private readonly accessPoints = new Map<string, EfsAccessPoint>();

  constructor(scope: Construct, id: string, props: ElasticFileSystemProps) {
    super(scope, id);
    validate(props);
    const fullName = limitedName(NAME_LIMITS.ecs, props.naming, props.name);
    const fileSystem = new EfsFileSystem(this, "file-system", {
      encrypted: true,
      kmsKeyId: props.encryptionKey.keyArn,
      throughputMode: "elastic",
      lifecyclePolicy: [{ transitionToIa: `AFTER_${props.infrequentAccessAfterDays ?? 30}_DAYS` }],
      tags: { Name: fullName },
    });
    new EfsBackupPolicy(this, "backup-policy", {
      fileSystemId: fileSystem.id,
      backupPolicy: { status: (props.backups ?? true) ? "ENABLED" : "DISABLED" },
    });
    const group = new SecurityGroup(this, "security-group", {
      name: limitedName(NAME_LIMITS.securityGroup, props.naming, props.name, "efs"),
      description: `NFS to ${fullName} from the tasks that mount it`,
      vpcId: props.network.vpcId,
      lifecycle: { createBeforeDestroy: true },
    });
    props.network.privateSubnetIds.forEach((subnetId, i) => {
      new EfsMountTarget(this, `mount-target-${i}`, {
        fileSystemId: fileSystem.id,
        subnetId,
        securityGroups: [group.id],
      });
    });
    for (const ap of props.accessPoints) {
      this.accessPoints.set(
        ap.name,
        new EfsAccessPoint(this, `access-point-${ap.name}`, {
          fileSystemId: fileSystem.id,
          posixUser: { uid: ap.posixUser.uid, gid: ap.posixUser.gid },
          rootDirectory: {
            path: ap.path,
            creationInfo: {
              ownerUid: ap.posixUser.uid,
              ownerGid: ap.posixUser.gid,
              permissions: ap.permissions ?? "750",
            },
          },
          tags: { Name: `${fullName}-${ap.name}` },
        }),
      );
    }
    new EfsFileSystemPolicy(this, "policy", {
      fileSystemId: fileSystem.id,
      policy: policyDocument([
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          principals: { AWS: "*" },
          actions: ["*"],
          resources: [fileSystem.arn],
          conditions: { Bool: { "aws:SecureTransport": "false" } },
        },
        {
          sid: "DenyMountsNotThroughAnAccessPoint",
          effect: "Deny",
          principals: { AWS: "*" },
          actions: [
            "elasticfilesystem:ClientMount",
            "elasticfilesystem:ClientWrite",
            "elasticfilesystem:ClientRootAccess",
          ],
          resources: [fileSystem.arn],
          conditions: { Null: { "elasticfilesystem:AccessPointArn": "true" } },
        },
      ]),
    });
    this.fileSystemId = fileSystem.id;
    this.fileSystemArn = fileSystem.arn;
    this.connections = new Connections(this, props.name, `the ${fullName} file system`, group.id);
  }

  /** Names of the access points, in order. */
  get accessPointNames(): string[] {
    return [...this.accessPoints.keys()];
  }

  /**
   * What mounting one access point takes: its ids and the statements that let a role mount it (and
   * write, unless `readOnly`), through that access point only. An unknown access point is an error.
   */
  mount(
    accessPoint: string,
    options: { readonly readOnly?: boolean; readonly field?: string } = {},
  ): EfsMount {
    const ap = this.accessPoints.get(accessPoint);
    if (!ap) {
      throw invalid(
        options.field ?? "accessPoint",
        `must name an access point of the file system (${this.accessPointNames.join(", ")})`,
        accessPoint,
        "Name one of those, or add the access point to the file system.",
      );
    }
    return {
      fileSystemId: this.fileSystemId,
      accessPointId: ap.id,
      statements: [
        {
          sid: `Mount${accessPoint.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}`,
          actions: options.readOnly
            ? ["elasticfilesystem:ClientMount"]
            : ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
          resources: [this.fileSystemArn],
          conditions: { StringEquals: { "elasticfilesystem:AccessPointArn": ap.arn } },
        },
      ],
    };
  }
}

function validate(p: ElasticFileSystemProps): void {
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(p.name)) {
    throw invalid(
      "name",
      "must be 1-40 lowercase letters, digits and hyphens",
      p.name,
      'Use a short name such as "data".',
    );
  }
  if (p.accessPoints.length === 0) {
    throw invalid(
      "accessPoints",
      "must hold at least one access point (every mount goes through one)",
      [],
      "Add one per consuming service.",
    );
  }
  const names = new Set<string>();
  for (const [i, ap] of p.accessPoints.entries()) {
    const at = `accessPoints[${i}]`;
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(ap.name) || names.has(ap.name)) {
      throw invalid(
        `${at}.name`,
        "must be unique, 1-40 lowercase letters, digits and hyphens",
        ap.name,
        "Name it after its service.",
      );
    }
    names.add(ap.name);
    if (!/^\/[A-Za-z0-9._/-]{0,99}$/.test(ap.path) || ap.path === "/" || ap.path.includes("//")) {
      throw invalid(
        `${at}.path`,
        "must be an absolute directory below / (EFS creates it on first use)",
        ap.path,
        "Use for example /lancedb.",
      );
    }
    requireIntegerInRange(`${at}.posixUser.uid`, ap.posixUser.uid, 1, 4_294_967_295, "0 would be root");
    requireIntegerInRange(`${at}.posixUser.gid`, ap.posixUser.gid, 1, 4_294_967_295, "0 would be root");
    if (ap.permissions !== undefined && !/^[0-7]{3,4}$/.test(ap.permissions)) {
      throw invalid(
        `${at}.permissions`,
        "must be octal permissions such as 750",
        ap.permissions,
        "Use 750 or 700.",
      );
    }
  }
}
