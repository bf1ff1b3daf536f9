import { TerraformOutput } from "cdktf";
import { describe, expect, test } from "vitest";
import {
  AuroraPostgresCluster,
  DatabaseMigrations,
  type DatabaseMigrationsProps,
} from "../../constructs/database";
import { CANDLEFISH_MIGRATIONS } from "../../functions/db-init/candlefish/migrations";
import { migrationsDigest } from "../../functions/db-init/migrations";
import { functionCodeFixture, naming, network, RecordingKey } from "../support/fixtures";
import { onlyResource, parsed, resourcesOf, synthScope } from "../support/synth";

const DIGEST = migrationsDigest(CANDLEFISH_MIGRATIONS);
const build = (props: Partial<DatabaseMigrationsProps> = {}) =>
  synthScope((s) => {
    const key = new RecordingKey();
    const cluster = new AuroraPostgresCluster(s, "database", {
      naming,
      network,
      encryptionKey: key,
      availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
    });
    const migrations = new DatabaseMigrations(s, "migrations", {
      naming,
      database: cluster,
      host: cluster.endpoint,
      databaseResourceId: cluster.clusterResourceId,
      network,
      encryptionKey: key,
      code: functionCodeFixture(),
      migrationsDigest: DIGEST,
      dependsOn: cluster.instances,
      ...props,
    });
    new TerraformOutput(s, "schema_version", { value: migrations.schemaVersion });
  });

describe("DatabaseMigrations", () => {
  const json = build();

  test("Terraform invokes the runner on create, update and delete, again when the migrations or the database change", () => {
    const invocation = onlyResource(json, "aws_lambda_invocation");
    expect(invocation).toMatchObject({
      lifecycle_scope: "CRUD",
      terraform_key: "tf",
      triggers: {
        migrations: DIGEST,
        database: expect.stringMatching(/aws_rds_cluster\..*\.cluster_resource_id/),
      },
    });
    expect(parsed(invocation.input)).toEqual({ migrationsDigest: DIGEST });
    expect(invocation.depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^aws_rds_cluster_instance\.database_instance-1_/)]),
    );
    expect(json.output?.schema_version.value).toMatch(
      /^\$\{jsondecode\(aws_lambda_invocation\.migrations_invocation_\w+\.result\)\.version\}$/,
    );
  });

  test("the runner: in the VPC, reads the master secret only, trusts the RDS CAs, and may reach the database", () => {
    const fn = onlyResource(json, "aws_lambda_function");
    expect(fn).toMatchObject({ function_name: "meeting-notes-staging-db-init", timeout: 300 });
    expect(fn.environment.variables).toMatchObject({
      MASTER_SECRET_ARN: expect.stringMatching(/master_user_secret\[0\]\.secret_arn/),
      DB_HOST: expect.stringMatching(/aws_rds_cluster\..*\.endpoint/),
      DB_PORT: "5432",
      DB_NAME: "app",
      NODE_EXTRA_CA_CERTS: "/var/runtime/ca-cert.pem",
    });
    expect(fn.vpc_config.subnet_ids).toEqual(network.privateSubnetIds);
    const policy = Object.values(resourcesOf(json, "aws_iam_role_policy")).find(
      (p) => p.name === "migrate-database",
    );
    const statements = parsed(policy.policy).Statement;
    expect(statements.find((s: any) => s.Sid === "ReadTheMasterSecret")).toMatchObject({
      Action: "secretsmanager:GetSecretValue",
      Resource: expect.stringMatching(/master_user_secret\[0\]\.secret_arn/),
    });
    expect(statements.find((s: any) => s.Sid === "UseTheKeyThroughSecretsManager")).toMatchObject({
      Action: "kms:Decrypt",
      Condition: { StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com" } },
    });
    const ingress = Object.values(resourcesOf(json, "aws_vpc_security_group_ingress_rule"));
    expect(ingress).toEqual([
      expect.objectContaining({
        from_port: 5432,
        to_port: 5432,
        referenced_security_group_id: expect.stringMatching(/migrations_function/),
      }),
    ]);
  });

  test("refuses a digest that is not one", () => {
    expect(() => build({ migrationsDigest: "v2" })).toThrow(
      '`migrationsDigest` must be the SHA-256 hex digest of the migrations (migrationsDigest in functions/db-init/migrations.ts), got "v2".',
    );
  });
});
