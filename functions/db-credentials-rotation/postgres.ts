/**
 * What the rotation does in PostgreSQL, over TLS only (the server certificate is verified against the
 * trusted CAs and the host name: in Lambda, the Amazon RDS CAs that NODE_EXTRA_CA_CERTS loads).
 *
 * Roles: the application's group role `<app>` (NOLOGIN) holds the privileges and owns what the
 * application creates; the login roles `<app>_a` and `<app>_b` are its members and start every
 * session as it (`ALTER ROLE ... SET role`), so objects created through either belong to `<app>` and
 * stay usable through the other. A rotation sets the password of the login role that is not current,
 * so the current one keeps working until the next rotation.
 */
import type { Client } from "pg";
import { type DatabaseEndpoint, ident, withSession as sharedWithSession } from "../shared/postgres";
import { RoleConflictError } from "./errors";
import { scramSha256Verifier } from "./scram";

export type { DatabaseEndpoint } from "../shared/postgres";
export { isLoginRefused } from "../shared/postgres";

/** Opens a session of `user`, always closing it (the rotation's application name in pg_stat_activity). */
export function withSession<T>(
  endpoint: DatabaseEndpoint,
  user: string,
  password: string,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  return sharedWithSession(endpoint, "db-credentials-rotation", user, password, work);
}

/** What a session of the application's credentials looks like from the inside. */
export interface SessionFacts {
  readonly sessionUser: string;
  readonly currentUser: string;
  readonly ssl: boolean;
  readonly canCreateInPublic: boolean;
}

export async function sessionFacts(client: Client): Promise<SessionFacts> {
  const { rows } = await client.query<{ session_user: string; current_user: string; can_create: boolean }>(
    "SELECT session_user, current_user, has_schema_privilege('public', 'CREATE') AS can_create",
  );
  // pg_stat_ssl shows a session to its own user only: read it as the session user, for this
  // transaction, not as the group role the session acts as.
  await client.query("BEGIN");
  let ssl: boolean;
  try {
    await client.query("SET LOCAL ROLE NONE");
    const tls = await client.query<{ ssl: boolean | null }>(
      "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
    );
    ssl = tls.rows[0]?.ssl === true;
  } finally {
    await client.query("ROLLBACK");
  }
  const row = rows[0]!;
  return {
    sessionUser: row.session_user,
    currentUser: row.current_user,
    ssl,
    canCreateInPublic: row.can_create,
  };
}

/** What {@link provisionLoginRole} did. */
export interface Provisioned {
  readonly createdGroup: boolean;
  readonly createdLogin: boolean;
}

/**
 * As the master user, in one transaction: creates the group role if missing (and then grants it what
 * already exists in the schema `public`), creates or alters the login role with the new password's
 * SCRAM verifier, makes it a member that acts as the group, and grants the group the database and
 * the schema. Idempotent.
 */
export async function provisionLoginRole(
  master: Client,
  options: {
    readonly group: string;
    readonly login: string;
    readonly password: string;
    readonly database: string;
  },
): Promise<Provisioned> {
  const group = ident(options.group);
  const login = ident(options.login);
  const database = ident(options.database);
  // Base64 and `$:` only: nothing to escape in a literal.
  const verifier = scramSha256Verifier(options.password);
  await master.query("BEGIN");
  try {
    const { rows } = await master.query<{
      rolname: string;
      rolsuper: boolean;
      rolreplication: boolean;
      rolbypassrls: boolean;
      member_of: string[];
    }>(
      `SELECT r.rolname, r.rolsuper, r.rolreplication, r.rolbypassrls,
              ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                    WHERE m.member = r.oid ORDER BY 1) AS member_of
         FROM pg_roles r WHERE r.rolname = ANY($1::text[])`,
      [[options.group, options.login]],
    );
    // A role made by someone else may carry more than the group's privileges: refuse it rather than
    // hand it to the application (the master user cannot take superuser, replication or RLS bypass away).
    for (const role of rows) {
      const allowedMemberships = role.rolname === options.login ? [options.group] : [];
      const extra = [
        role.rolsuper ? "SUPERUSER" : undefined,
        role.rolreplication ? "REPLICATION" : undefined,
        role.rolbypassrls ? "BYPASSRLS" : undefined,
        ...role.member_of.filter((g) => !allowedMemberships.includes(g)).map((g) => `membership in ${g}`),
      ].filter((x): x is string => x !== undefined);
      if (extra.length > 0) {
        throw new RoleConflictError(
          `The role ${role.rolname} exists already with ${extra.join(", ")}: more than the application's role may have. Drop it or take those away as an administrator (or pick another application role), then rotate again.`,
        );
      }
    }
    const existing = new Set(rows.map((r) => r.rolname));
    const createdGroup = !existing.has(options.group);
    const createdLogin = !existing.has(options.login);
    if (!createdGroup) {
      // Whatever it was made as, the group never logs in.
      await master.query(`ALTER ROLE ${group} WITH NOLOGIN NOCREATEROLE NOCREATEDB PASSWORD NULL`);
    }
    if (createdGroup) {
      await master.query(`CREATE ROLE ${group} NOLOGIN`);
      // What the master user owns already (an adopted database's tables): the group may use it. Later
      // rotations skip this: the group owns what the application creates, and the default privileges
      // below cover what the master user creates.
      await master.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${group}`);
      await master.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${group}`);
    }
    if (createdLogin) {
      await master.query(`CREATE ROLE ${login} LOGIN PASSWORD '${verifier}'`);
    } else {
      await master.query(
        `ALTER ROLE ${login} WITH LOGIN NOCREATEROLE NOCREATEDB INHERIT PASSWORD '${verifier}'`,
      );
    }
    const member = await master.query(
      "SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = $1 AND u.rolname = $2",
      [options.group, options.login],
    );
    if (member.rowCount === 0) await master.query(`GRANT ${group} TO ${login}`);
    await master.query(`ALTER ROLE ${login} SET role = ${group}`);
    await master.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${group}`);
    await master.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${group}`);
    await master.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${group}`,
    );
    await master.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ${group}`,
    );
    await master.query("COMMIT");
    return { createdGroup, createdLogin };
  } catch (error) {
    await master.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
