/**
 * The value of the credentials secret: the keys the AWS rotation templates use (`engine`, `host`,
 * `port`, `dbname`, `username`, `password`), so tools that read RDS secrets understand it, plus `url`,
 * the connection string the application reads (`DATABASE_URL`).
 */
import { randomBytes } from "node:crypto";

export interface DatabaseCredentials {
  readonly engine: "postgres";
  readonly host: string;
  readonly port: number;
  readonly dbname: string;
  readonly username: string;
  readonly password: string;
  /** `postgresql://<username>:<password>@<host>:<port>/<dbname>?sslmode=require` */
  readonly url: string;
}

/** A new password: 40 characters of the URL-safe base64 alphabet (240 random bits). */
export function generatePassword(): string {
  return randomBytes(30).toString("base64url");
}

/** The connection string of a set of credentials; TLS required. */
export function databaseUrl(c: Omit<DatabaseCredentials, "url" | "engine">): string {
  const enc = encodeURIComponent;
  return `postgresql://${enc(c.username)}:${enc(c.password)}@${c.host}:${c.port}/${enc(c.dbname)}?sslmode=require`;
}

export function credentials(c: Omit<DatabaseCredentials, "url" | "engine">): DatabaseCredentials {
  return { engine: "postgres", ...c, url: databaseUrl(c) };
}

export function serializeCredentials(c: DatabaseCredentials): string {
  return JSON.stringify(c);
}

/** The credentials in a secret string, or `undefined` when it holds none this function could use. */
export function parseCredentials(raw: string | undefined): DatabaseCredentials | undefined {
  if (raw === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (
    typeof v.host !== "string" ||
    typeof v.port !== "number" ||
    typeof v.dbname !== "string" ||
    typeof v.username !== "string" ||
    typeof v.password !== "string" ||
    v.password === ""
  ) {
    return undefined;
  }
  return credentials({
    host: v.host,
    port: v.port,
    dbname: v.dbname,
    username: v.username,
    password: v.password,
  });
}

/** The master user's credentials as RDS keeps them (`{ "username", "password" }`). */
export function parseMasterCredentials(
  raw: string | undefined,
): { readonly username: string; readonly password: string } | undefined {
  if (raw === undefined) return undefined;
  try {
    const v = JSON.parse(raw) as Record<string, unknown>;
    if (typeof v.username === "string" && typeof v.password === "string" && v.password !== "") {
      return { username: v.username, password: v.password };
    }
  } catch {
    // fall through
  }
  return undefined;
}
