import { createHash } from "node:crypto";

/** What the function stores in each secret version (a JSON object). */
export interface TokenSecretValue {
  /** The Grafana service account token (the `key`). Never logged. */
  readonly token: string;
  /** Grafana's id of the token, used to delete it later. */
  readonly tokenId: string;
  /** Name of the token in Grafana, derived from the rotation's ClientRequestToken. */
  readonly tokenName: string;
  readonly serviceAccountId: string;
  readonly workspaceId: string;
  /** ISO 8601 instant after which Grafana rejects the token. */
  readonly expiresAt: string;
  /** ISO 8601 instant the token was created. */
  readonly createdAt: string;
}

/** Grafana's limit on token names (CreateWorkspaceServiceAccountToken: 1 to 128 characters). */
export const MAX_TOKEN_NAME_LENGTH = 128;

/**
 * Prefix of every token this function creates for one secret: `rotation-<8 hex of the secret ARN>-`.
 * The sweep deletes only tokens with this prefix, so tokens made by hand, or by another secret's
 * rotation that shares the service account, are never touched.
 */
export function rotationTokenPrefix(secretArn: string): string {
  return `rotation-${createHash("sha256").update(secretArn).digest("hex").slice(0, 8)}-`;
}

/** The Grafana token name for one rotation: the same on every retry of that rotation. */
export function rotationTokenName(secretArn: string, clientRequestToken: string): string {
  const safe = clientRequestToken.replace(/[^A-Za-z0-9-]/g, "-");
  return `${rotationTokenPrefix(secretArn)}${safe}`.slice(0, MAX_TOKEN_NAME_LENGTH);
}

export function serializeTokenSecret(value: TokenSecretValue): string {
  return JSON.stringify({
    token: value.token,
    tokenId: value.tokenId,
    tokenName: value.tokenName,
    serviceAccountId: value.serviceAccountId,
    workspaceId: value.workspaceId,
    expiresAt: value.expiresAt,
    createdAt: value.createdAt,
  });
}

const isNonEmptyString = (v: unknown): v is string => typeof v === "string" && v.length > 0;
const isInstant = (v: unknown): v is string => isNonEmptyString(v) && !Number.isNaN(Date.parse(v));

/**
 * Parses a secret value written by this function. Anything else (empty, not JSON, a raw token an
 * operator pasted, missing fields) gives `undefined`; the caller decides what that means.
 */
export function parseTokenSecret(raw: string | undefined): TokenSecretValue | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) return undefined;
  const v = data as Record<string, unknown>;
  if (
    !isNonEmptyString(v.token) ||
    !isNonEmptyString(v.tokenId) ||
    !isNonEmptyString(v.tokenName) ||
    !isNonEmptyString(v.serviceAccountId) ||
    !isNonEmptyString(v.workspaceId) ||
    !isInstant(v.expiresAt) ||
    !isInstant(v.createdAt)
  ) {
    return undefined;
  }
  return {
    token: v.token,
    tokenId: v.tokenId,
    tokenName: v.tokenName,
    serviceAccountId: v.serviceAccountId,
    workspaceId: v.workspaceId,
    expiresAt: v.expiresAt,
    createdAt: v.createdAt,
  };
}
