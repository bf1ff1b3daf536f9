/**
 * The rotation's surroundings for the tests: a real PostgreSQL (postgres-server.ts) with a master
 * user like the one RDS creates (CREATEROLE and CREATEDB, owner of the application's database, not a
 * superuser), the credentials secret and RDS's master secret as in-memory Secrets Manager secrets,
 * and an ECS that records the deployments it was asked for.
 */
import { randomBytes } from "node:crypto";
import { UpdateServiceCommand, type UpdateServiceCommandInput } from "@aws-sdk/client-ecs";
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { createLogger } from "../../shared/logger";
import { connect } from "../../shared/postgres";
import { FakeSecretsManager } from "../../shared/test/fake-secrets-manager";
import type { PostgresServer } from "../../shared/test/postgres-server";
import type { RotationConfig } from "../config";
import { type DatabaseCredentials, parseCredentials } from "../credentials";
import {
  createRotationHandler,
  ROTATION_STEPS,
  type RotationDependencies,
  type RotationHandler,
  type StepResult,
} from "../rotation";

export const SECRET_ARN =
  "arn:aws:secretsmanager:us-east-1:891376933289:secret:arrakis-staging/db-credentials-AbCdEf";
export const MASTER_ARN =
  "arn:aws:secretsmanager:us-east-1:891376933289:secret:rds!db-0b7e4c1a-2f3d-4e5f-8a9b-0c1d2e3f4a5b-XyZ123";

/** An ECS that records redeploys; `failWith` makes calls for a service fail with that error name. */
export class FakeEcs {
  readonly deployments: string[] = [];
  readonly failWith = new Map<string, string>();
  async send(command: unknown): Promise<unknown> {
    if (!(command instanceof UpdateServiceCommand)) throw new Error("unexpected ECS call");
    const input = command.input as UpdateServiceCommandInput;
    const failure = this.failWith.get(String(input.service));
    if (failure) {
      const error = new Error(`${failure} for ${input.service}`);
      error.name = failure;
      throw error;
    }
    if (input.forceNewDeployment !== true) throw new Error("expected forceNewDeployment");
    this.deployments.push(`${input.cluster}/${input.service}`);
    return {};
  }
}

export class World {
  readonly secret = new FakeSecretsManager(SECRET_ARN);
  readonly master = new FakeSecretsManager(MASTER_ARN);
  readonly ecs = new FakeEcs();
  readonly lines: string[] = [];
  readonly masterUser: string;
  masterPassword = randomBytes(18).toString("base64url");
  readonly handler: RotationHandler;
  readonly config: RotationConfig;
  readonly smMock = mockClient(SecretsManagerClient);

  constructor(
    readonly pg: PostgresServer,
    readonly database: string,
    overrides: Partial<RotationConfig> = {},
  ) {
    this.masterUser = `${database}_admin`;
    this.config = {
      secretArn: SECRET_ARN,
      masterSecretArn: MASTER_ARN,
      host: pg.host,
      port: pg.port,
      database,
      appRole: `${database}_app`,
      redeployServices: [
        { cluster: "arrakis-staging-cluster", service: "arrakis-staging-api" },
        { cluster: "arrakis-staging-cluster", service: "arrakis-staging-worker" },
      ],
      ...overrides,
    };
    const of = (id: unknown) => {
      if (id === MASTER_ARN) return this.master;
      return this.secret; // the fake refuses any ARN but its own
    };
    this.smMock.on(DescribeSecretCommand).callsFake((i) => of(i.SecretId).describe());
    this.smMock.on(GetSecretValueCommand).callsFake((i) => of(i.SecretId).getSecretValue(i));
    this.smMock.on(PutSecretValueCommand).callsFake((i) => of(i.SecretId).putSecretValue(i));
    this.smMock
      .on(UpdateSecretVersionStageCommand)
      .callsFake((i) => of(i.SecretId).updateSecretVersionStage(i));
    this.smMock.on(RotateSecretCommand).callsFake((i) => of(i.SecretId).rotateSecret(i.SecretId));
    this.master.seed(JSON.stringify({ username: this.masterUser, password: this.masterPassword }));
    this.handler = this.makeHandler();
  }

  /** A handler on this world, with `extra` dependencies changed. */
  makeHandler(extra: Partial<RotationDependencies> = {}): RotationHandler {
    return createRotationHandler({
      config: this.config,
      secretsManager: new SecretsManagerClient({ region: "us-east-1" }),
      ecs: this.ecs,
      tls: { ca: this.pg.ca },
      logger: createLogger({ service: "db-credentials-rotation", write: (line) => this.lines.push(line) }),
      ...extra,
    });
  }

  /** Creates the master user and the database the way RDS does. */
  async createDatabase(): Promise<void> {
    await this.pg.sql(
      "postgres",
      `CREATE ROLE ${this.masterUser} LOGIN CREATEROLE CREATEDB PASSWORD '${this.masterPassword}'`,
    );
    await this.pg.sql("postgres", `CREATE DATABASE ${this.database} OWNER ${this.masterUser}`);
  }

  /** What RDS does when it rotates the master password: a new current value, the old one previous. */
  async rotateMasterPassword(): Promise<void> {
    this.masterPassword = randomBytes(18).toString("base64url");
    await this.pg.sql("postgres", `ALTER ROLE ${this.masterUser} PASSWORD '${this.masterPassword}'`);
    this.master.seed(JSON.stringify({ username: this.masterUser, password: this.masterPassword }));
  }

  /**
   * Plays Secrets Manager's part: starts a rotation, runs the four steps in order and, once they all
   * succeeded, takes AWSPENDING off the version as the service does.
   */
  async rotate(): Promise<{ versionId: string; results: StepResult[] }> {
    const { VersionId } = this.secret.rotateSecret(SECRET_ARN);
    const results: StepResult[] = [];
    for (const Step of ROTATION_STEPS) results.push(await this.step(Step, VersionId));
    this.secret.updateSecretVersionStage({
      SecretId: SECRET_ARN,
      VersionStage: "AWSPENDING",
      RemoveFromVersionId: VersionId,
    });
    return { versionId: VersionId, results };
  }

  async step(Step: (typeof ROTATION_STEPS)[number], versionId: string): Promise<StepResult> {
    return (await this.handler({ Step, SecretId: SECRET_ARN, ClientRequestToken: versionId })) as StepResult;
  }

  current(): DatabaseCredentials {
    const value = parseCredentials(this.secret.currentValue());
    if (!value) throw new Error("no current credentials");
    return value;
  }

  valueOf(versionId: string): DatabaseCredentials | undefined {
    return parseCredentials(this.secret.versions.get(versionId)?.value);
  }

  /** Logs in with credentials over TLS and runs SQL; the error of a refused login propagates. */
  async as<R extends Record<string, unknown>>(
    c: { username: string; password: string },
    text: string,
  ): Promise<R[]> {
    const client = await connect(
      { host: this.pg.host, port: this.pg.port, database: this.database, tls: { ca: this.pg.ca } },
      "db-credentials-rotation-test",
      c.username,
      c.password,
    );
    try {
      return (await client.query<R>(text)).rows;
    } finally {
      await client.end();
    }
  }

  restore(): void {
    this.smMock.restore();
  }
}
