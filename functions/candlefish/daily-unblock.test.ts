import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { CANDLEFISH_MIGRATIONS } from "../db-init/candlefish/migrations";
import { migrate } from "../db-init/migrate";
import { createLogger } from "../shared/logger";
import { withSession } from "../shared/postgres";
import { type PostgresServer, startPostgres } from "../shared/test/postgres-server";
import { createUnblockHandler, UNBLOCK_ROLE } from "./daily-unblock";

/** daily-unblock against a real PostgreSQL 15 migrated with Candlefish's schema. */

let pg: PostgresServer;
const DB = "candlefish";
const READER_PASSWORD = "reader-password-for-the-test";
const eb = mockClient(EventBridgeClient);
const events: any[] = [];
const lines: string[] = [];
const logger = createLogger({ service: "test", write: (l) => lines.push(l) });

beforeAll(async () => {
  pg = await startPostgres();
  await pg.sql("postgres", `CREATE DATABASE ${DB}`);
  await withSession(
    { host: pg.host, port: pg.port, database: DB, tls: { ca: pg.ca } },
    "test",
    pg.superuser.user,
    pg.superuser.password,
    (c) => migrate(c, CANDLEFISH_MIGRATIONS, logger),
  );
  // In AWS the role signs in with an IAM token (rds_iam); the local server has no IAM, so a password.
  await pg.sql(DB, `ALTER ROLE ${UNBLOCK_ROLE} PASSWORD '${READER_PASSWORD}'`);
}, 120_000);
afterAll(() => pg?.stop());
beforeEach(async () => {
  eb.reset();
  events.length = 0;
  lines.length = 0;
  eb.on(PutEventsCommand).callsFake((input) => {
    events.push(...input.Entries.map((e: any) => ({ ...e, Detail: JSON.parse(e.Detail) })));
    return { FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: "x" })) };
  });
  await pg.sql(DB, "DELETE FROM items");
});

const handler = (thresholdDays = 3) =>
  createUnblockHandler({
    endpoint: { host: pg.host, port: pg.port, database: DB, tls: { ca: pg.ca } },
    password: async () => READER_PASSWORD,
    thresholdDays,
    busName: "clos-v2-dev-events",
    eventBridge: new EventBridgeClient({}),
    logger,
  });
const blocked = (days: number) =>
  pg.sql<{ id: string }>(
    DB,
    `INSERT INTO items (title, stage, status, blocked_since) VALUES ('t', 'in-progress', 'blocked', now() - make_interval(days => ${days})) RETURNING id`,
  );

describe("daily-unblock", () => {
  test("one ItemUnblockRequested per item blocked longer than the threshold, the oldest first", async () => {
    const [old] = await blocked(10);
    const [older] = await blocked(20);
    await blocked(1);
    await pg.sql(DB, "INSERT INTO items (title, stage) VALUES ('active', 'ready')");
    expect(await handler(3)()).toEqual({ requested: 2 });
    expect(events.map((e) => [e.DetailType, e.Source, e.Detail.itemId, e.Detail.blockedDays])).toEqual([
      ["ItemUnblockRequested", "candlefish.workflow", older!.id, 20],
      ["ItemUnblockRequested", "candlefish.workflow", old!.id, 10],
    ]);
    expect(events[0].Detail.blockedSince).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  test("puts at most ten events per PutEvents call", async () => {
    for (let i = 0; i < 12; i++) await blocked(5 + i);
    expect(await handler()()).toEqual({ requested: 12 });
    expect(eb.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([10, 2]);
  });

  test("its role reads three columns of items and may change nothing; it never logs its token", async () => {
    const [item] = await blocked(10);
    const as = (sql: string) =>
      withSession(
        { host: pg.host, port: pg.port, database: DB, tls: { ca: pg.ca } },
        "test",
        UNBLOCK_ROLE,
        READER_PASSWORD,
        (c) => c.query(sql),
      );
    await expect(
      as(`UPDATE items SET status = 'active', blocked_since = NULL WHERE id = '${item!.id}'`),
    ).rejects.toThrow(/permission denied/);
    await expect(as("SELECT title FROM items")).rejects.toThrow(/permission denied/);
    await expect(as("SELECT * FROM stages")).rejects.toThrow(/permission denied/);
    await handler()();
    expect(lines.join("\n")).not.toContain(READER_PASSWORD);
  });

  test("a refused event fails the run, so the schedule retries it", async () => {
    await blocked(10);
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: "InternalFailure" }] });
    await expect(handler()()).rejects.toThrow("EventBridge refused 1 of 1 unblock events");
  });
});
