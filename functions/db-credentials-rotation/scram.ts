/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 7677, PostgreSQL's
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`), computed here so that the
 * `ALTER ROLE ... PASSWORD` statement the server receives, and may log, never holds the password:
 * the way `psql`'s `\password` does it.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

/** PostgreSQL's default iteration count (`scram_iterations`). */
export const SCRAM_ITERATIONS = 4096;

/**
 * The verifier of `password`. PostgreSQL runs SASLprep on passwords; for the printable ASCII
 * passwords this function generates, SASLprep changes nothing, so none is applied (a password with
 * other characters is refused).
 */
export function scramSha256Verifier(
  password: string,
  salt: Buffer = randomBytes(16),
  iterations: number = SCRAM_ITERATIONS,
): string {
  if (!/^[\x21-\x7e]+$/.test(password)) {
    throw new Error("Only printable ASCII passwords are hashed here (SASLprep is not applied).");
  }
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}
