import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { createLogger } from "../shared/logger";
import { withSession } from "../shared/postgres";
import { type PostgresServer, startPostgres } from "../shared/test/postgres-server";
import { CANDLEFISH_MIGRATIONS, CANDLEFISH_SEEDED_STAGES } from "./candlefish/migrations";
import { readConfig } from "./config";
import { MIGRATIONS_TABLE, migrate } from "./migrate";
import { InvalidMigrationsError, type Migration, migrationsDigest, validateMigrations } from "./migrations";
import { createMigrationHandler } from "./runner";

/** The migration runner against a real PostgreSQL 15, started by the test as an unprivileged user. */

let pg: PostgresServer;
let database = "";
let counter = 0;
const lines: string[] = [];
const logger = createLogger({ service: "db-init-test", write: (line) => lines.push(line) });

beforeAll(async () => {
  pg = await startPostgres();
}, 120_000);
afterAll(() => pg?.stop());
beforeEach(async () => {
  database = `migrate_${++counter}`;
  await pg.sql("postgres", `CREATE DATABASE ${database}`);
  lines.length = 0;
});

const endpoint = () => ({ host: pg.host, port: pg.port, database, tls: { ca: pg.ca } });
const run = (migrations: readonly Migration[]) =>
  withSession(endpoint(), "db-init-test", pg.superuser.user, pg.superuser.password, (c) =>
    migrate(c, migrations, logger),
  );
const recorded = async () =>
  (
    await pg.sql<{ version: number }>(database, `SELECT version FROM ${MIGRATIONS_TABLE} ORDER BY version`)
  ).map((r) => r.version);
const tables = async () =>
  (
    await pg.sql<{ table_name: string }>(
      database,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    )
  ).map((r) => r.table_name);

const ONE: Migration = { version: 1, name: "create_a", sql: "CREATE TABLE a (id int PRIMARY KEY)" };
const TWO: Migration = { version: 2, name: "create_b", sql: "CREATE TABLE b (id int PRIMARY KEY)" };
const THREE: Migration = { version: 3, name: "add_a_note", sql: "ALTER TABLE a ADD COLUMN note text" };

describe("the migration runner on a real PostgreSQL", () => {
  test("applies every migration in order, once; a second run applies nothing", async () => {
    expect(await run([ONE, TWO])).toEqual({ applied: [1, 2], version: 2 });
    expect(await recorded()).toEqual([1, 2]);
    expect(await tables()).toEqual(["a", "b", MIGRATIONS_TABLE]);
    expect(await run([ONE, TWO])).toEqual({ applied: [], version: 2 });
    expect(await recorded()).toEqual([1, 2]);
  });

  test("a new migration is the only one applied", async () => {
    await run([ONE, TWO]);
    expect(await run([ONE, TWO, THREE])).toEqual({ applied: [3], version: 3 });
    const columns = await pg.sql<{ column_name: string }>(
      database,
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'a' ORDER BY column_name",
    );
    expect(columns.map((c) => c.column_name)).toEqual(["id", "note"]);
  });

  test("a failing migration rolls back whole, is not recorded, and keeps the ones before", async () => {
    const broken: Migration = {
      version: 2,
      name: "half_done",
      sql: "CREATE TABLE half (id int); SELECT no_such_function()",
    };
    await expect(run([ONE, broken, THREE])).rejects.toThrow(
      /^Migration 2 \(half_done\) failed and was rolled back: function no_such_function\(\) does not exist$/,
    );
    expect(await recorded()).toEqual([1]);
    expect(await tables()).toEqual(["a", MIGRATIONS_TABLE]);
  });

  test("refuses to run when an applied migration changed, applying nothing", async () => {
    await run([ONE]);
    await expect(run([{ ...ONE, sql: "CREATE TABLE a (id bigint PRIMARY KEY)" }, TWO])).rejects.toThrow(
      "Migration 1 (create_a) changed after it was applied. Applied migrations never change: restore its SQL and add a new migration for the change.",
    );
    expect(await recorded()).toEqual([1]);
  });

  test("refuses to run when the database is ahead of the code", async () => {
    await run([ONE, TWO]);
    await expect(run([ONE])).rejects.toThrow(
      "The database has migration 2 (create_b), which this runner does not know: the database is ahead of this code. Deploy the code that added it.",
    );
  });

  test("two runs at once apply each migration once (the advisory lock)", async () => {
    const slow: Migration = {
      version: 2,
      name: "slow",
      sql: "SELECT pg_sleep(0.5); CREATE TABLE s (id int)",
    };
    const results = await Promise.all([run([ONE, slow]), run([ONE, slow])]);
    expect(results.map((r) => r.applied).sort()).toEqual([[], [1, 2]]);
    expect(await recorded()).toEqual([1, 2]);
  });

  test("Candlefish's migrations create its stages, items and transitions, with the stages seeded", async () => {
    expect(await run(CANDLEFISH_MIGRATIONS)).toEqual({ applied: [1, 2, 3, 4], version: 4 });
    expect(await tables()).toEqual(["items", MIGRATIONS_TABLE, "stage_transitions", "stages"]);
    const stages = await pg.sql<{ key: string; requires_approval: boolean }>(
      database,
      "SELECT key, requires_approval FROM stages ORDER BY position",
    );
    expect(stages.map((s) => s.key)).toEqual(["backlog", "ready", "in-progress", "review", "done"]);
    // The environments' stages setting is checked against this list at synth.
    expect(stages.map((s) => ({ key: s.key, requiresApproval: s.requires_approval }))).toEqual(
      CANDLEFISH_SEEDED_STAGES,
    );
    // The Core API's login may change items and record transitions, and cannot change the stages.
    const grants = await pg.sql<{ table_name: string; privilege_type: string }>(
      database,
      "SELECT table_name, privilege_type FROM information_schema.role_table_grants WHERE grantee = 'candlefish_api' ORDER BY 1, 2",
    );
    expect(grants.map((g) => `${g.table_name}:${g.privilege_type}`)).toEqual([
      "items:INSERT",
      "items:SELECT",
      "items:UPDATE",
      "stage_transitions:INSERT",
      "stage_transitions:SELECT",
      "stages:SELECT",
    ]);
    // A blocked item needs the time it was blocked since; an active one must not have it.
    await expect(
      pg.sql(database, "INSERT INTO items (title, stage, status) VALUES ('x', 'ready', 'blocked')"),
    ).rejects.toThrow(/check constraint/);
    await pg.sql(database, "INSERT INTO items (title, stage) VALUES ('x', 'ready')");
    expect(await run(CANDLEFISH_MIGRATIONS)).toEqual({ applied: [], version: 4 });
  });
});

describe("the Lambda handler", () => {
  const MASTER = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-abc-AbCdEf";
  const sm = mockClient(SecretsManagerClient);
  const handler = () =>
    createMigrationHandler({
      config: readConfig({
        MASTER_SECRET_ARN: MASTER,
        DB_HOST: pg.host,
        DB_PORT: String(pg.port),
        DB_NAME: database,
      }),
      secretsManager: new SecretsManagerClient({ region: "us-east-1" }),
      migrations: [ONE, TWO],
      logger,
      tls: { ca: pg.ca },
    });
  beforeEach(() => {
    sm.reset();
    sm.on(GetSecretValueCommand, { SecretId: MASTER }).resolves({
      SecretString: JSON.stringify({ username: pg.superuser.user, password: pg.superuser.password }),
    });
  });

  test("migrates with the master credentials over TLS and returns the result Terraform keeps; never logs the password", async () => {
    expect(
      await handler()({ migrationsDigest: migrationsDigest([ONE, TWO]), tf: { action: "create" } }),
    ).toEqual({
      applied: [1, 2],
      version: 2,
    });
    expect(pg.log()).toMatch(
      /connection authorized: user=postgres database=migrate_\d+ application_name=db-init SSL enabled/,
    );
    expect(lines.join("\n")).not.toContain(pg.superuser.password);
    expect(lines.some((l) => l.includes('"migrations current"'))).toBe(true);
  });

  test("does nothing on a destroy", async () => {
    expect(await handler()({ tf: { action: "delete" } })).toEqual({ skipped: "delete" });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(await tables()).toEqual([]);
  });

  test("a wrong master password fails the run, and the error says so without the password", async () => {
    sm.on(GetSecretValueCommand, { SecretId: MASTER }).resolves({
      SecretString: JSON.stringify({ username: pg.superuser.user, password: "wrong-password-123" }),
    });
    await expect(handler()({})).rejects.toThrow(/password authentication failed/);
    expect(lines.join("\n")).not.toContain("wrong-password-123");
  });
});

describe("the migrations list", () => {
  test.each<[string, Migration[], string]>([
    [
      "versions out of order",
      [TWO, ONE],
      'Migration "create_a" has version 1: versions must be whole numbers that increase through the list (the one before is 2).',
    ],
    ["a repeated version", [ONE, { ...TWO, version: 1 }], "versions must be whole numbers that increase"],
    [
      "a name that is not one",
      [{ ...ONE, name: "Create A" }],
      'Migration 1 has the name "Create A": use lowercase words joined by underscores.',
    ],
    ["empty SQL", [{ ...ONE, sql: "  " }], "Migration 1 (create_a) has no SQL."],
  ])("refuses %s", (_what, list, message) => {
    expect(() => validateMigrations(list)).toThrow(InvalidMigrationsError);
    expect(() => validateMigrations(list)).toThrow(message);
  });

  test("the digest changes with any migration, so Terraform invokes the runner again", () => {
    const base = migrationsDigest([ONE, TWO]);
    expect(migrationsDigest([ONE, TWO])).toBe(base);
    expect(migrationsDigest([ONE, TWO, THREE])).not.toBe(base);
    expect(migrationsDigest([ONE, { ...TWO, sql: `${TWO.sql};` }])).not.toBe(base);
  });
});
