/**
 * The migration runner: applies the pending migrations in order, each in its own transaction with the
 * row that records it, under an advisory lock so that two runs never interleave. Idempotent: a second
 * run applies nothing. It refuses to run when an applied migration's SQL changed or when the database
 * holds a version the list does not (the database is ahead of this code).
 */
import type { Client } from "pg";
import type { Logger } from "../shared/logger";
import { checksum, type Migration, validateMigrations } from "./migrations";

/** The table that records applied migrations. */
export const MIGRATIONS_TABLE = "schema_migrations";
/** Advisory lock key of the runner (any constant: every runner of a database takes the same one). */
const LOCK_KEY = 727_017_001;

export class MigrationConflictError extends Error {
  override readonly name = "MigrationConflictError";
}

export class MigrationFailedError extends Error {
  override readonly name = "MigrationFailedError";
  constructor(
    readonly version: number,
    readonly migrationName: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`Migration ${version} (${migrationName}) failed and was rolled back: ${reason}`);
  }
}

export interface MigrationResult {
  /** Versions applied by this run, in order. */
  readonly applied: readonly number[];
  /** The database's version after the run (0 before any migration). */
  readonly version: number;
}

export async function migrate(
  client: Client,
  migrations: readonly Migration[],
  logger: Logger,
): Promise<MigrationResult> {
  validateMigrations(migrations);
  await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
  try {
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
        version integer PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
      `SELECT version, name, checksum FROM ${MIGRATIONS_TABLE} ORDER BY version`,
    );
    const known = new Map(migrations.map((m) => [m.version, m]));
    for (const row of rows) {
      const migration = known.get(row.version);
      if (!migration) {
        throw new MigrationConflictError(
          `The database has migration ${row.version} (${row.name}), which this runner does not know: the database is ahead of this code. Deploy the code that added it.`,
        );
      }
      if (checksum(migration) !== row.checksum) {
        throw new MigrationConflictError(
          `Migration ${row.version} (${row.name}) changed after it was applied. Applied migrations never change: restore its SQL and add a new migration for the change.`,
        );
      }
    }
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      logger.info("applying migration", { version: migration.version, name: migration.name });
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, name, checksum) VALUES ($1, $2, $3)`, [
          migration.version,
          migration.name,
          checksum(migration),
        ]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw new MigrationFailedError(migration.version, migration.name, error);
      }
      applied.push(migration.version);
    }
    const version = Math.max(0, ...rows.map((r) => r.version), ...applied);
    logger.info("migrations current", { applied, version });
    return { applied, version };
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]).catch(() => undefined);
  }
}
