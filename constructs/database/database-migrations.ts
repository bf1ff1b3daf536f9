import { LambdaInvocation } from "@cdktf/provider-aws/lib/lambda-invocation";
import { Fn, type ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";
import type { Connectable } from "../core/connections";
import type { ResourceNaming } from "../core/naming";
import { invalid } from "../core/validation";
import type { KeyReference, NetworkReference } from "../internal/references";
import { type FunctionCode, LambdaFunction } from "../lambda";
import { LAMBDA_AMAZON_CA_BUNDLE } from "./postgres-credentials";

/** Seconds the runner may take: its statements time out after 240 s. */
export const DB_INIT_TIMEOUT_SECONDS = 300;

/** A PostgreSQL database migrations run in (a `PostgresInstance` or an `AuroraPostgresCluster`). */
export interface MigratableDatabase extends Connectable {
  readonly identifier: string;
  readonly port: number;
  readonly databaseName: string;
  readonly masterUserSecretArn: string;
}

/** Properties of {@link DatabaseMigrations}. */
export interface DatabaseMigrationsProps {
  /** Project and environment the names derive from. */
  readonly naming: ResourceNaming;
  /** The database, and the host to connect to (an instance's address, a cluster's writer endpoint). */
  readonly database: MigratableDatabase;
  readonly host: string;
  /**
   * What replaces the database when it is replaced (its resource id): a new database is migrated again.
   */
  readonly databaseResourceId: string;
  /** The network the database is in: the runner runs in its private subnets. */
  readonly network: NetworkReference;
  /** Key of the master secret, the function's environment and its logs. */
  readonly encryptionKey: KeyReference;
  /** The runner's bundled code (`functions/db-init/<platform>/handler.ts`). */
  readonly code: FunctionCode;
  /** Digest of the migrations the code carries (`migrationsDigest`): a change invokes the runner again. */
  readonly migrationsDigest: string;
  /** What must exist before the first run (a cluster's instances: the writer must be up). */
  readonly dependsOn?: readonly ITerraformDependable[];
  /**
   * Days the runner's log group keeps its logs.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Whether the runner may open HTTPS to any address; off, it reaches only the database and the
   * network's interface endpoints (which must include `secretsmanager`).
   * @default true
   */
  readonly internetEgress?: boolean;
}

/**
 * Applies a platform's versioned SQL migrations on every apply that changes them: the `db-init`
 * function (in the VPC, reading the master secret RDS manages, over verified TLS) invoked by Terraform
 * itself (`aws_lambda_invocation`, lifecycle scope CRUD, so an update runs it and a destroy is told and
 * leaves the data). The invocation's result holds the database's schema version.
 */
export class DatabaseMigrations extends Construct {
  /** The runner. */
  public readonly function: LambdaFunction;
  /** The invocation Terraform makes. */
  public readonly invocation: LambdaInvocation;
  /** The schema version after the apply (from the invocation's result). */
  public readonly schemaVersion: number;

  constructor(scope: Construct, id: string, props: DatabaseMigrationsProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.migrationsDigest) && !/^[0-9a-f]{64}$/.test(props.migrationsDigest)) {
      throw invalid(
        "migrationsDigest",
        "must be the SHA-256 hex digest of the migrations (migrationsDigest in functions/db-init/migrations.ts)",
        props.migrationsDigest,
        "Pass migrationsDigest(<the platform's migrations>).",
      );
    }
    this.function = new LambdaFunction(this, "function", {
      naming: props.naming,
      name: "db-init",
      description: `Applies the schema migrations of ${props.database.identifier} (Terraform invokes it on apply)`,
      code: props.code,
      encryptionKey: props.encryptionKey,
      policyName: "migrate-database",
      internetEgress: props.internetEgress,
      statements: [
        {
          sid: "ReadTheMasterSecret",
          actions: ["secretsmanager:GetSecretValue"],
          resources: [props.database.masterUserSecretArn],
        },
        {
          sid: "UseTheKeyThroughSecretsManager",
          actions: ["kms:Decrypt"],
          resources: [props.encryptionKey.keyArn],
          conditions: { StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } },
        },
      ],
      timeoutSeconds: DB_INIT_TIMEOUT_SECONDS,
      logRetentionDays: props.logRetentionDays,
      vpc: props.network,
      environment: {
        MASTER_SECRET_ARN: props.database.masterUserSecretArn,
        DB_HOST: props.host,
        DB_PORT: String(props.database.port),
        DB_NAME: props.database.databaseName,
        NODE_EXTRA_CA_CERTS: LAMBDA_AMAZON_CA_BUNDLE,
      },
    });
    this.function.connections!.allowTo(props.database, props.database.port);
    this.invocation = new LambdaInvocation(this, "invocation", {
      functionName: this.function.resource.functionName,
      input: JSON.stringify({ migrationsDigest: props.migrationsDigest }),
      lifecycleScope: "CRUD",
      terraformKey: "tf",
      triggers: { migrations: props.migrationsDigest, database: props.databaseResourceId },
      dependsOn: [this.function.resource, this.function.rolePolicy, ...(props.dependsOn ?? [])],
    });
    this.schemaVersion = Token.asNumber(Fn.lookup(Fn.jsondecode(this.invocation.result), "version"));
  }
}
