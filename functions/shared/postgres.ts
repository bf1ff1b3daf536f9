/**
 * Sessions with PostgreSQL for the functions, over TLS only: the server certificate is verified against
 * the trusted CAs and the host name (in Lambda, the Amazon RDS CAs that NODE_EXTRA_CA_CERTS loads).
 */
import type { ConnectionOptions } from "node:tls";
import { Client, type ClientConfig } from "pg";

/** Where the database is and how to trust its certificate. */
export interface DatabaseEndpoint {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /**
   * TLS options beyond the defaults (certificate and host name verified).
   * @default {} - the CAs Node.js trusts (NODE_EXTRA_CA_CERTS included)
   */
  readonly tls?: ConnectionOptions;
  /** @default 5000 */
  readonly connectTimeoutMs?: number;
  /** @default 10000 */
  readonly queryTimeoutMs?: number;
}

/**
 * A refused password: SQLSTATE 28P01, which PostgreSQL answers for a wrong password and, with SCRAM,
 * for a role that does not exist. Other refusals (28000: no pg_hba entry, TLS required) are errors.
 */
export const isLoginRefused = (error: unknown): boolean =>
  typeof error === "object" &&
  error !== null &&
  "code" in error &&
  String((error as { code: unknown }).code) === "28P01";

/** Double-quotes an identifier the configuration checked (lowercase, digits, underscores). */
export const ident = (name: string): string => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Refusing identifier ${JSON.stringify(name)}.`);
  return `"${name}"`;
};

/** Opens a session; the caller ends it. */
export async function connect(
  endpoint: DatabaseEndpoint,
  applicationName: string,
  user: string,
  password: string,
): Promise<Client> {
  const config: ClientConfig = {
    host: endpoint.host,
    port: endpoint.port,
    database: endpoint.database,
    user,
    password,
    // pg sends the host name as the TLS server name and Node.js checks the certificate against it.
    ssl: { rejectUnauthorized: true, ...endpoint.tls },
    connectionTimeoutMillis: endpoint.connectTimeoutMs ?? 5_000,
    query_timeout: endpoint.queryTimeoutMs ?? 10_000,
    statement_timeout: endpoint.queryTimeoutMs ?? 10_000,
    application_name: applicationName,
  };
  const client = new Client(config);
  // An error on an idle session must not crash the process; the next query reports it.
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/** Runs `work` in a session of `user`, always closing it. */
export async function withSession<T>(
  endpoint: DatabaseEndpoint,
  applicationName: string,
  user: string,
  password: string,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const client = await connect(endpoint, applicationName, user, password);
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
