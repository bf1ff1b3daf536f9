import { Client } from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type PostgresServer, startPostgres } from "../shared/test/postgres-server";
import { loginRoles } from "./config";
import { World } from "./test/world";

let pg: PostgresServer;
let world: World | undefined;
let databases = 0;

beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(() => pg?.stop());
afterEach(() => {
  world?.restore();
  world = undefined;
});

/** A world with its own database, master user and application role. */
async function freshWorld(overrides: ConstructorParameters<typeof World>[2] = {}): Promise<World> {
  databases += 1;
  world = new World(pg, `app${databases}`, overrides);
  await world.createDatabase();
  return world;
}

const passwordsIn = (w: World) =>
  [...w.secret.versions.values()].flatMap((v) => {
    const parsed = v.value ? JSON.parse(v.value) : undefined;
    return parsed ? [parsed.password as string, encodeURIComponent(parsed.password as string)] : [];
  });

describe("db-credentials rotation against PostgreSQL 15", () => {
  it("the first rotation creates the group and its first login role, and the URL logs in over TLS as the group", async () => {
    const w = await freshWorld();
    const { versionId, results } = await w.rotate();
    expect(results.map((r) => [r.step, r.status])).toEqual([
      ["createSecret", "done"],
      ["setSecret", "done"],
      ["testSecret", "done"],
      // Secrets Manager makes a secret's first value AWSCURRENT as it is stored: nothing to move.
      ["finishSecret", "skipped"],
    ]);
    expect(w.secret.stagesOf(versionId)).toContain("AWSCURRENT");
    const current = w.current();
    const [a] = loginRoles(w.config.appRole);
    expect(current).toMatchObject({
      engine: "postgres",
      host: pg.host,
      port: pg.port,
      dbname: w.database,
      username: a,
    });
    expect(current.password).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(current.url).toBe(
      `postgresql://${a}:${current.password}@${pg.host}:${pg.port}/${w.database}?sslmode=require`,
    );
    const [facts] = await w.as<{ session_user: string; current_user: string }>(
      current,
      "SELECT session_user, current_user",
    );
    expect(facts).toEqual({ session_user: a, current_user: w.config.appRole });
    // The server takes TLS connections only, so the logins above were encrypted.
    const plain = new Client({
      host: pg.host,
      port: pg.port,
      database: w.database,
      user: a,
      password: current.password,
      ssl: false,
    });
    await expect(plain.connect()).rejects.toThrow(/pg_hba.conf rejects connection .* no encryption/);
    await plain.end().catch(() => undefined);
    const [group] = await pg.sql<{ rolcanlogin: boolean; rolsuper: boolean; rolcreaterole: boolean }>(
      "postgres",
      "SELECT rolcanlogin, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = $1",
      [w.config.appRole],
    );
    expect(group).toEqual({ rolcanlogin: false, rolsuper: false, rolcreaterole: false });
    expect(w.ecs.deployments).toEqual([
      "arrakis-staging-cluster/arrakis-staging-api",
      "arrakis-staging-cluster/arrakis-staging-worker",
    ]);
  });

  it("alternates the login roles: the previous credentials keep working until the rotation after next", async () => {
    const w = await freshWorld();
    await w.rotate();
    const first = w.current();
    await w.rotate();
    const second = w.current();
    expect(second.username).not.toBe(first.username);
    expect(new Set([first.username, second.username])).toEqual(new Set(loginRoles(w.config.appRole)));
    // Tasks still holding the first credentials keep working.
    await expect(w.as(first, "SELECT 1")).resolves.toHaveLength(1);
    await w.rotate();
    const third = w.current();
    expect(third.username).toBe(first.username);
    expect(third.password).not.toBe(first.password);
    await expect(w.as(first, "SELECT 1")).rejects.toMatchObject({ code: "28P01" });
    await expect(w.as(second, "SELECT 1")).resolves.toHaveLength(1);
    await expect(w.as(third, "SELECT 1")).resolves.toHaveLength(1);
  });

  it("what one login role creates belongs to the group and stays usable through the other", async () => {
    const w = await freshWorld();
    await w.rotate();
    const first = w.current();
    await w.as(first, "CREATE TABLE notes (id serial PRIMARY KEY, body text)");
    await w.as(first, "INSERT INTO notes (body) VALUES ('one')");
    await w.rotate();
    const second = w.current();
    await w.as(second, "INSERT INTO notes (body) VALUES ('two')");
    await w.as(second, "ALTER TABLE notes ADD COLUMN created timestamptz");
    const [owner] = await pg.sql<{ owner: string }>(
      w.database,
      "SELECT tableowner AS owner FROM pg_tables WHERE tablename = 'notes'",
    );
    expect(owner?.owner).toBe(w.config.appRole);
    await expect(w.as(second, "SELECT count(*)::int AS n FROM notes")).resolves.toEqual([{ n: 2 }]);
  });

  it("grants the group the tables the master user owns already, and those it creates later", async () => {
    const w = await freshWorld();
    const master = { username: w.masterUser, password: w.masterPassword };
    await w.as(master, "CREATE TABLE legacy (id bigserial PRIMARY KEY, v text)");
    await w.rotate();
    await w.as(master, "CREATE TABLE later (id bigserial PRIMARY KEY)");
    const app = w.current();
    await w.as(app, "INSERT INTO legacy (v) VALUES ('x')");
    await w.as(app, "INSERT INTO later DEFAULT VALUES");
    await expect(w.as(app, "SELECT count(*)::int AS n FROM legacy")).resolves.toEqual([{ n: 1 }]);
    // A later rotation does not fail on tables the group owns (the master user has no grant option on them).
    await w.as(app, "CREATE TABLE owned_by_group (id int)");
    await w.rotate();
    await expect(w.as(w.current(), "SELECT count(*)::int AS n FROM owned_by_group")).resolves.toEqual([
      { n: 0 },
    ]);
  });

  it("logs in as the master with the previous value while RDS rotates the master secret", async () => {
    const w = await freshWorld();
    await w.rotate();
    // RDS has written a new current value that is not yet the password (its rotation is under way).
    w.master.seed(JSON.stringify({ username: w.masterUser, password: "not-yet-the-password" }));
    await w.rotate();
    await expect(w.as(w.current(), "SELECT 1")).resolves.toHaveLength(1);
    await w.rotateMasterPassword();
    await w.rotate();
    await expect(w.as(w.current(), "SELECT 1")).resolves.toHaveLength(1);
  });

  it("fails setSecret with what to check when no master value logs in, and leaves AWSCURRENT alone", async () => {
    const w = await freshWorld();
    await w.rotate();
    const before = w.current();
    w.master.seed(JSON.stringify({ username: w.masterUser, password: "wrong-1" }));
    w.master.seed(JSON.stringify({ username: w.masterUser, password: "wrong-2" }));
    const { VersionId } = w.secret.rotateSecret(w.config.secretArn);
    await w.step("createSecret", VersionId);
    await expect(w.step("setSecret", VersionId)).rejects.toThrow(
      /Neither the AWSCURRENT nor the AWSPREVIOUS value of the master secret .* logs in .*describe-db-instances/,
    );
    await expect(w.step("testSecret", VersionId)).rejects.toThrow(/do not log in.*AWSCURRENT is unchanged/);
    expect(w.current()).toEqual(before);
  });

  it("every step is idempotent: repeating each one converges to one rotation", async () => {
    const w = await freshWorld();
    await w.rotate();
    const { VersionId } = w.secret.rotateSecret(w.config.secretArn);
    expect((await w.step("createSecret", VersionId)).status).toBe("done");
    const pending = w.valueOf(VersionId);
    expect((await w.step("createSecret", VersionId)).status).toBe("skipped");
    expect(w.valueOf(VersionId)).toEqual(pending);
    expect((await w.step("setSecret", VersionId)).status).toBe("done");
    expect((await w.step("setSecret", VersionId)).status).toBe("skipped");
    await w.step("testSecret", VersionId);
    expect((await w.step("finishSecret", VersionId)).status).toBe("done");
    const again = await w.step("finishSecret", VersionId);
    expect(again.status).toBe("skipped");
    expect(w.secret.stagesOf(VersionId)).toContain("AWSCURRENT");
    expect(w.current()).toEqual(pending);
  });

  it("testSecret refuses pending credentials that do not log in, without promoting them", async () => {
    const w = await freshWorld();
    await w.rotate();
    const before = w.current();
    const { VersionId } = w.secret.rotateSecret(w.config.secretArn);
    await w.step("createSecret", VersionId);
    // setSecret never ran: the other login role does not exist yet.
    await expect(w.step("testSecret", VersionId)).rejects.toThrow(/do not log in/);
    expect(w.current()).toEqual(before);
    expect(w.secret.stagesOf(VersionId)).toEqual(["AWSPENDING"]);
  });

  it("skips services that do not exist yet and fails, after promoting, when a redeploy fails", async () => {
    const w = await freshWorld();
    w.ecs.failWith.set("arrakis-staging-api", "ServiceNotFoundException");
    const first = await w.rotate();
    expect(first.results[3]?.redeployed).toEqual(["arrakis-staging-cluster/arrakis-staging-worker"]);
    w.ecs.failWith.set("arrakis-staging-api", "AccessDeniedException");
    const { VersionId } = w.secret.rotateSecret(w.config.secretArn);
    for (const step of ["createSecret", "setSecret", "testSecret"] as const) await w.step(step, VersionId);
    await expect(w.step("finishSecret", VersionId)).rejects.toThrow(
      /new credentials are current, but these services .*arrakis-staging-api.*--force-new-deployment/,
    );
    expect(w.secret.stagesOf(VersionId)).toContain("AWSCURRENT");
    w.ecs.failWith.clear();
    // Secrets Manager retries finishSecret: the label stays, the redeploy runs again.
    const retried = await w.step("finishSecret", VersionId);
    expect(retried).toMatchObject({
      status: "skipped",
      redeployed: expect.arrayContaining(["arrakis-staging-cluster/arrakis-staging-api"]),
    });
  });

  it("refuses a server whose certificate it does not trust, or that is not the host it was asked for", async () => {
    const w = await freshWorld();
    const { VersionId } = w.secret.rotateSecret(w.config.secretArn);
    await w.step("createSecret", VersionId);
    const event = { Step: "setSecret", SecretId: w.config.secretArn, ClientRequestToken: VersionId };
    // The CAs Node.js ships with only.
    await expect(w.makeHandler({ tls: {} })(event)).rejects.toThrow(/self-signed certificate/);
    // A trusted certificate, for 127.0.0.1, reached under another name.
    await expect(w.makeHandler({ config: { ...w.config, host: "localhost" } })(event)).rejects.toThrow(
      /does not match certificate's altnames/,
    );
  });

  it("refuses to manage a role someone made with more than the group's privileges, and the group never logs in", async () => {
    const w = await freshWorld();
    const [a] = loginRoles(w.config.appRole);
    await pg.sql("postgres", `CREATE ROLE ${w.config.appRole} LOGIN PASSWORD 'known-to-someone'`);
    await pg.sql("postgres", `CREATE ROLE ${a} LOGIN`);
    await pg.sql("postgres", `GRANT pg_read_all_data TO ${a}`);
    const { VersionId } = w.secret.rotateSecret(w.config.secretArn);
    await w.step("createSecret", VersionId);
    await expect(w.step("setSecret", VersionId)).rejects.toThrow(
      new RegExp(`The role ${a} exists already with membership in pg_read_all_data`),
    );
    await pg.sql("postgres", `REVOKE pg_read_all_data FROM ${a}`);
    await w.step("setSecret", VersionId);
    const [group] = await pg.sql<{ rolcanlogin: boolean; rolpassword: string | null }>(
      "postgres",
      "SELECT rolcanlogin, rolpassword FROM pg_authid WHERE rolname = $1",
      [w.config.appRole],
    );
    expect(group).toEqual({ rolcanlogin: false, rolpassword: null });
  });

  it("await-current waits for a finished rotation whose credentials log in, and says why it gave up otherwise", async () => {
    const w = await freshWorld();
    const quick = w.makeHandler({ pollIntervalMs: 20, awaitTimeoutMs: 300 });
    await expect(quick({ action: "await-current" })).rejects.toThrow(
      /No usable credentials in .*db-credentials.* yet: no version is AWSCURRENT yet.*rotate-secret/,
    );
    // The first rotation half done: its value is AWSCURRENT and still AWSPENDING.
    const { VersionId } = w.secret.rotateSecret(w.config.secretArn);
    await w.step("createSecret", VersionId);
    await expect(quick({ action: "await-current" })).rejects.toThrow(/the first rotation is under way/);
    // Secrets Manager finishes it while the wait is on.
    const waiting = w.makeHandler({ pollIntervalMs: 20, awaitTimeoutMs: 10_000 })({
      action: "await-current",
    });
    for (const step of ["setSecret", "testSecret", "finishSecret"] as const) await w.step(step, VersionId);
    w.secret.updateSecretVersionStage({
      SecretId: w.config.secretArn,
      VersionStage: "AWSPENDING",
      RemoveFromVersionId: VersionId,
    });
    const [a] = loginRoles(w.config.appRole);
    await expect(waiting).resolves.toEqual({
      action: "await-current",
      status: "ready",
      versionId: VersionId,
      username: a,
    });
  });

  it("refuses events that are not rotation steps, and steps for another secret or a version not pending", async () => {
    const w = await freshWorld();
    await expect(w.handler({})).rejects.toThrow(/Expected a Secrets Manager rotation step.*rotate-secret/);
    await expect(w.handler({ Step: "createSecret", SecretId: w.config.secretArn })).rejects.toThrow(
      /needs SecretId and ClientRequestToken/,
    );
    const { VersionId } = w.secret.rotateSecret(w.config.secretArn);
    await expect(
      w.handler({
        Step: "createSecret",
        SecretId: "arn:aws:secretsmanager:us-east-1:891376933289:secret:other-Ab12Cd",
        ClientRequestToken: VersionId,
      }),
    ).rejects.toThrow(/rotates .*db-credentials.* only/);
    await expect(w.step("createSecret", "00000000-0000-0000-0000-000000000000")).rejects.toThrow(
      /has no staging label/,
    );
    w.secret.rotationEnabled = false;
    await expect(w.step("createSecret", VersionId)).rejects.toThrow(/Rotation is not enabled/);
  });

  it("never puts a password or URL in its logs, and the server never sees one in a statement", async () => {
    const w = await freshWorld();
    await w.rotate();
    await w.rotate();
    await w.rotate();
    // Errors go to the Lambda runtime, which logs them as they are: they must hold none either.
    const errors: string[] = [];
    const { VersionId } = w.secret.rotateSecret(w.config.secretArn);
    await w.step("createSecret", VersionId);
    await w.step("testSecret", VersionId).catch((e: Error) => errors.push(`${e.message} ${String(e.cause)}`));
    w.master.seed(JSON.stringify({ username: w.masterUser, password: "wrong-password-1" }));
    w.master.seed(JSON.stringify({ username: w.masterUser, password: "wrong-password-2" }));
    await w.step("setSecret", VersionId).catch((e: Error) => errors.push(`${e.message} ${String(e.cause)}`));
    expect(errors).toHaveLength(2);
    const secrets = passwordsIn(w);
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    const logs = w.lines.join("\n");
    expect(w.lines.length).toBeGreaterThan(10);
    const serverLog = pg.log();
    expect(serverLog).toMatch(/ALTER ROLE .* PASSWORD 'SCRAM-SHA-256\$4096:/);
    for (const secret of [...secrets, w.masterPassword, "wrong-password-1", "wrong-password-2"]) {
      expect(logs).not.toContain(secret);
      expect(errors.join("\n")).not.toContain(secret);
    }
    for (const secret of secrets) expect(serverLog).not.toContain(secret);
  });
});
