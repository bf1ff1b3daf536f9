/**
 * A real PostgreSQL 15 server for the tests of the functions that talk to PostgreSQL: initdb'd in a temporary folder, run as an
 * unprivileged user (`nobody` when the tests run as root, since PostgreSQL refuses to run as root),
 * listening on 127.0.0.1 with TLS only (a self-signed certificate the tests trust), password
 * authentication with SCRAM, and every statement logged so the tests can read what the server saw.
 *
 * The binaries are the ones DESIGN.md names (`/usr/lib/postgresql/15/bin`, or `PG_BIN`); without
 * them the tests fail, saying so.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";

export const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";

export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  /** PEM of the server certificate, the one CA the clients trust. */
  readonly ca: string;
  readonly superuser: { readonly user: string; readonly password: string };
  /** Everything the server logged so far (statements included). */
  log(): string;
  /** Runs SQL as the superuser in `database`. */
  sql<R extends Record<string, unknown> = Record<string, unknown>>(
    database: string,
    text: string,
    values?: unknown[],
  ): Promise<R[]>;
  stop(): void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startPostgres(): Promise<PostgresServer> {
  if (!existsSync(join(PG_BIN, "initdb"))) {
    throw new Error(
      `PostgreSQL 15 server binaries not found in ${PG_BIN} (DESIGN.md: they are on every machine of this kind). Install postgresql-15 or set PG_BIN.`,
    );
  }
  const root = process.getuid?.() === 0;
  const as = (command: string, args: string[]) =>
    root
      ? execFileSync("runuser", ["-u", "nobody", "--", command, ...args], { stdio: "pipe" })
      : execFileSync(command, args, { stdio: "pipe" });
  const dir = mkdtempSync(join(tmpdir(), "pg-test-"));
  chmodSync(dir, 0o700);
  const data = join(dir, "data");
  const password = randomBytes(18).toString("base64url");
  writeFileSync(join(dir, "pw"), password);
  const cert = join(dir, "server.crt");
  const key = join(dir, "server.key");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "2",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stdio: "pipe" },
  );
  chmodSync(key, 0o600);
  if (root) {
    const nobody = Number(execFileSync("id", ["-u", "nobody"]).toString().trim());
    const group = Number(execFileSync("id", ["-g", "nobody"]).toString().trim());
    for (const path of [dir, join(dir, "pw"), cert, key]) chownSync(path, nobody, group);
  }
  as(join(PG_BIN, "initdb"), [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth=scram-sha-256",
    `--pwfile=${join(dir, "pw")}`,
    "-E",
    "UTF8",
    "--locale=C",
  ]);
  // TLS only: a connection without it is rejected.
  writeFileSync(
    join(data, "pg_hba.conf"),
    ["hostssl all all 127.0.0.1/32 scram-sha-256", "host all all 127.0.0.1/32 reject", ""].join("\n"),
  );
  const port = await freePort();
  const logFile = join(dir, "server.log");
  const options = [
    `-c port=${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${dir}`,
    "-c ssl=on",
    `-c ssl_cert_file=${cert}`,
    `-c ssl_key_file=${key}`,
    "-c log_statement=all",
    "-c log_connections=on",
    "-c fsync=off",
  ].join(" ");
  as(join(PG_BIN, "pg_ctl"), ["-D", data, "-l", logFile, "-o", options, "-w", "-t", "60", "start"]);
  const ca = readFileSync(cert, "utf8");
  const superuser = { user: "postgres", password };
  return {
    host: "127.0.0.1",
    port,
    ca,
    superuser,
    log: () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : ""),
    async sql(database, text, values) {
      const client = new Client({ host: "127.0.0.1", port, database, ...superuser, ssl: { ca } });
      await client.connect();
      try {
        return (await client.query(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    stop() {
      try {
        as(join(PG_BIN, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
