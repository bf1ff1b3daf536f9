/**
 * Versioned SQL migrations: each has a version (a positive whole number, strictly increasing through
 * the list), a name, and SQL that runs in one transaction. An applied migration never changes: its
 * checksum is recorded, and a runner that finds a different one stops before applying anything.
 */
import { createHash } from "node:crypto";

export interface Migration {
  readonly version: number;
  /** Lowercase words joined by underscores (`create_items`). */
  readonly name: string;
  readonly sql: string;
}

/** A list of migrations the runner refuses before it connects. */
export class InvalidMigrationsError extends Error {
  override readonly name = "InvalidMigrationsError";
}

/** SHA-256 of a migration's SQL, hex: what the migrations table records. */
export function checksum(migration: Migration): string {
  return createHash("sha256").update(migration.sql).digest("hex");
}

/** Checks versions, names and SQL; returns the list unchanged. */
export function validateMigrations(migrations: readonly Migration[]): readonly Migration[] {
  let previous = 0;
  for (const m of migrations) {
    if (!Number.isInteger(m.version) || m.version <= previous) {
      throw new InvalidMigrationsError(
        `Migration ${JSON.stringify(m.name)} has version ${m.version}: versions must be whole numbers that increase through the list (the one before is ${previous}).`,
      );
    }
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(m.name)) {
      throw new InvalidMigrationsError(
        `Migration ${m.version} has the name ${JSON.stringify(m.name)}: use lowercase words joined by underscores.`,
      );
    }
    if (m.sql.trim() === "")
      throw new InvalidMigrationsError(`Migration ${m.version} (${m.name}) has no SQL.`);
    previous = m.version;
  }
  return migrations;
}

/** A digest of the whole list: what Terraform passes to re-run the runner when the migrations change. */
export function migrationsDigest(migrations: readonly Migration[]): string {
  const hash = createHash("sha256");
  for (const m of migrations) hash.update(`${m.version}\0${m.name}\0${checksum(m)}\n`);
  return hash.digest("hex");
}
