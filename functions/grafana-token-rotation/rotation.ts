/**
 * Rotation logic of the Grafana service account token, independent of the environment: `handler.ts`
 * wires configuration and clients into `createRotationHandler`, tests wire fakes.
 *
 * Event contract
 * - `{ Step, SecretId, ClientRequestToken }`: one step of Secrets Manager's rotation protocol
 *   (createSecret, setSecret, testSecret, finishSecret), sent by Secrets Manager.
 * - `{}` or `{ "action": "rotate" }` (`{}` is what `aws lambda invoke` sends without a payload):
 *   forces a rotation now by calling RotateSecret on the configured secret; Secrets Manager then
 *   runs the four steps. Returns `{ action: "rotate", status: "started", secretArn, versionId }`.
 * - `{ "action": "report-expiry" }` (a scheduled rule's constant input): asks Grafana when the
 *   current token expires and emits the `TokenSecondsToExpiry` metric (seconds, Embedded Metric
 *   Format); a token Grafana no longer lists, or one of another workspace, reports 0.
 * Anything else is refused with an {@link InvalidEventError} that lists these shapes.
 *
 * Crash safety: a new token is stored as AWSPENDING and verified against Grafana before it becomes
 * AWSCURRENT, and no old token is deleted before the new one is AWSCURRENT. Every step is idempotent
 * for its ClientRequestToken, so re-running any step after a crash or a fault converges:
 * - createSecret does nothing once the AWSPENDING version has a value. The token name is derived
 *   from the ClientRequestToken, so a token whose create response was lost is found by name on the
 *   retry (Grafana answers ConflictException), deleted (its key is unknown and it is stored nowhere)
 *   and created again.
 * - testSecret only reads. If the pending token is gone from Grafana (deleted by hand, or expired
 *   while a rotation was stuck), it detaches AWSPENDING so that the next rotation starts afresh
 *   instead of failing on an unusable version forever.
 * - finishSecret moves AWSCURRENT only if it is not there yet. Its clean-up, and the sweep that
 *   starts every createSecret, delete only tokens that no version labelled AWSCURRENT, AWSPENDING
 *   or AWSPREVIOUS references (by token id or by the name derived from the version id), judged on
 *   a fresh read of the labels taken after the token list: a token created after the list was
 *   read is not in it, and a token in it belongs to a version whose AWSPENDING label existed
 *   before the list was read, so the fresh read still sees that version or its later labels. The
 *   previous token (AWSPREVIOUS) therefore stays valid until the next rotation retires it.
 *   Deleting a token that is already gone is success; a service account that is gone is an error.
 *
 * Why two runs at once cannot corrupt the secret:
 * 1. Secrets Manager runs one rotation per secret at a time: while AWSPENDING sits on a version
 *    other than AWSCURRENT, RotateSecret refuses to start another (a forced rotation surfaces that as
 *    RotationInProgressError), and the steps of one rotation are invoked one after the other.
 * 2. Versions are immutable: PutSecretValue for a ClientRequestToken that already holds a different
 *    value fails (ResourceExistsException), so a duplicate createSecret can never overwrite the
 *    stored token; the loser deletes its own token and fails loudly.
 * 3. Stage moves name the version they expect (RemoveFromVersionId), so a stale finishSecret cannot
 *    move AWSCURRENT away from a newer version; Secrets Manager rejects it.
 * 4. The expiry report only reads. The clean-up and the sweep delete only tokens that nothing
 *    references on a read of the labels taken after the token list, so a second rotation that
 *    completes while the first one's clean-up runs keeps its new token.
 * In the worst interleaving (a duplicate createSecret deletes the token another duplicate is about to
 * store), the stored token is unusable, testSecret detects that before promotion and detaches
 * AWSPENDING, and the next rotation starts clean; AWSCURRENT is never touched.
 */
import {
  CreateWorkspaceServiceAccountTokenCommand,
  DeleteWorkspaceServiceAccountTokenCommand,
  type GrafanaClient,
  ListWorkspaceServiceAccountTokensCommand,
  type ServiceAccountTokenSummary,
} from "@aws-sdk/client-grafana";
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { createLogger, describeError, type Logger } from "../shared/logger";
import type { RotationConfig } from "./config";
import {
  ConcurrentStepError,
  DeadlineExceededError,
  GrafanaVerificationError,
  InvalidEventError,
  PendingSecretInvalidError,
  PendingTokenGoneError,
  RotationInProgressError,
  RotationNotEnabledError,
  RotationRequestError,
  ServiceAccountNotFoundError,
  TokenCreationError,
  UnexpectedSecretError,
  VersionNotStagedError,
} from "./errors";
import { expiryMetricDocument } from "./metrics";
import {
  parseTokenSecret,
  rotationTokenName,
  rotationTokenPrefix,
  serializeTokenSecret,
  type TokenSecretValue,
} from "./token-secret";

export const AWSCURRENT = "AWSCURRENT";
export const AWSPENDING = "AWSPENDING";
export const AWSPREVIOUS = "AWSPREVIOUS";

/** Grafana path called with the pending token in testSecret. */
export const VERIFY_PATH = "/api/org";

export const ROTATION_STEPS = ["createSecret", "setSecret", "testSecret", "finishSecret"] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** One step of Secrets Manager's rotation protocol. */
export interface RotationStepEvent {
  readonly Step: RotationStep;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
}

/** What the function understood an invocation to be. */
export type ParsedEvent =
  | {
      readonly kind: "step";
      readonly event: RotationStepEvent;
      /** Keys AWS may add to the step event later: logged, not refused. */
      readonly extraKeys: readonly string[];
    }
  | { readonly kind: "rotate" }
  | { readonly kind: "report-expiry" };

/**
 * Why the expiry report says what it says: `ok` (Grafana lists the current token), `missing` or
 * `malformed` (AWSCURRENT holds no token this function wrote), `other-workspace` (the token belongs
 * to another workspace or service account, as after a replaced workspace), `not-in-grafana`
 * (Grafana no longer lists the token) or `service-account-gone`.
 */
export type ExpiryReason =
  | "ok"
  | "missing"
  | "malformed"
  | "other-workspace"
  | "not-in-grafana"
  | "service-account-gone";

/** What an invocation returns. Never contains a token value. */
export type HandlerResult =
  | {
      readonly action: "step";
      readonly step: RotationStep;
      readonly versionId: string;
      readonly status: "done" | "skipped";
    }
  | {
      readonly action: "rotate";
      readonly status: "started";
      readonly secretArn: string;
      readonly versionId: string | undefined;
    }
  | {
      readonly action: "report-expiry";
      readonly secondsToExpiry: number;
      readonly currentSecret: CurrentSecretStatus;
      readonly reason: ExpiryReason;
      readonly tokenId: string | undefined;
    };

/** How the AWSCURRENT value looked: ours, absent, or something this function did not write. */
export type CurrentSecretStatus = "ok" | "missing" | "malformed";

export interface RotationDependencies {
  readonly config: RotationConfig;
  readonly secretsManager: SecretsManagerClient;
  readonly grafana: GrafanaClient;
  /** @default - the global `fetch` */
  readonly fetch?: typeof fetch;
  /** @default - a JSON logger on stdout */
  readonly logger?: Logger;
  /** @default - `new Date()` */
  readonly now?: () => Date;
  /** Timeout of the Grafana check in testSecret. @default 10000 */
  readonly verifyTimeoutMs?: number;
  /**
   * Milliseconds kept in hand before Lambda's timeout: every call still under way then is abandoned
   * and the invocation fails with a {@link DeadlineExceededError} that it logs.
   * @default DEADLINE_MARGIN_MS
   */
  readonly deadlineMarginMs?: number;
}

/**
 * Seconds an unreferenced rotation token is left alone after it was created: longer than any step
 * runs, so a sweep never deletes the token of a step still under way in another invocation.
 */
export const SWEEP_GRACE_SECONDS = 15 * 60;

/** Default of {@link RotationDependencies.deadlineMarginMs}. */
export const DEADLINE_MARGIN_MS = 5_000;

/** The Lambda context fields the function uses. */
export interface InvocationContext {
  readonly awsRequestId?: string;
  /** Lambda's clock: without it (tests, local runs) an invocation has no deadline. */
  readonly getRemainingTimeInMillis?: () => number;
}

export type RotationHandler = (event: unknown, context?: InvocationContext) => Promise<HandlerResult>;

/** The event shapes the function accepts, as its errors list them. */
export const ACCEPTED_EVENTS =
  'a Secrets Manager rotation step {"Step", "SecretId", "ClientRequestToken"}, {} or {"action": "rotate"} to rotate now, or {"action": "report-expiry"}';

const STEP_KEYS = new Set(["Step", "SecretId", "ClientRequestToken", "RotationToken"]);

const describeShape = (event: unknown): string => {
  if (event === null) return "null";
  if (Array.isArray(event)) return "an array";
  if (typeof event !== "object") return typeof event;
  return `an object with keys ${JSON.stringify(Object.keys(event as object))}`;
};

/** Classifies an invocation event; throws InvalidEventError, listing the accepted shapes, for anything else. */
export function parseEvent(event: unknown): ParsedEvent {
  if (typeof event !== "object" || event === null || Array.isArray(event)) {
    throw new InvalidEventError(`Expected ${ACCEPTED_EVENTS}; got ${describeShape(event)}.`);
  }
  const e = event as Record<string, unknown>;
  const keys = Object.keys(e);
  if ("Step" in e) {
    if (!ROTATION_STEPS.includes(e.Step as RotationStep)) {
      throw new InvalidEventError(
        `Unknown rotation step ${JSON.stringify(e.Step)}; expected one of ${ROTATION_STEPS.join(", ")}.`,
      );
    }
    if (typeof e.SecretId !== "string" || e.SecretId === "") {
      throw new InvalidEventError("A rotation step event needs a SecretId string.");
    }
    if (typeof e.ClientRequestToken !== "string" || e.ClientRequestToken === "") {
      throw new InvalidEventError("A rotation step event needs a ClientRequestToken string.");
    }
    return {
      kind: "step",
      event: {
        Step: e.Step as RotationStep,
        SecretId: e.SecretId,
        ClientRequestToken: e.ClientRequestToken,
      },
      extraKeys: keys.filter((key) => !STEP_KEYS.has(key)),
    };
  }
  if (keys.length === 0) return { kind: "rotate" };
  if (keys.length === 1 && e.action === "rotate") return { kind: "rotate" };
  if (keys.length === 1 && e.action === "report-expiry") return { kind: "report-expiry" };
  throw new InvalidEventError(`Expected ${ACCEPTED_EVENTS}; got ${JSON.stringify(e).slice(0, 200)}.`);
}

const errorName = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "name" in error ? String(error.name) : undefined;

/** A version's stages, keyed by version id, as DescribeSecret returns them. */
type VersionStages = Readonly<Record<string, readonly string[]>>;

/** The labels whose versions' tokens are never deleted. */
const PROTECTED_STAGES: readonly string[] = [AWSCURRENT, AWSPENDING, AWSPREVIOUS];

const versionWithStage = (stages: VersionStages, stage: string): string | undefined =>
  Object.entries(stages).find(([, labels]) => labels.includes(stage))?.[0];

interface ReadValue {
  readonly status: CurrentSecretStatus;
  readonly versionId: string | undefined;
  readonly value: TokenSecretValue | undefined;
}

const MISSING: ReadValue = { status: "missing", versionId: undefined, value: undefined };

/** Settles with the call, or rejects with the signal's reason as soon as it aborts. */
function within<T>(signal: AbortSignal, call: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    call(signal)
      .then(resolve, reject)
      .finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Builds the handler around its collaborators. */
export function createRotationHandler(deps: RotationDependencies): RotationHandler {
  const { config } = deps;
  const doFetch = deps.fetch ?? ((input, init) => fetch(input, init));
  const rootLogger = deps.logger ?? createLogger({ service: "grafana-token-rotation" });
  const now = deps.now ?? (() => new Date());
  const verifyTimeoutMs = deps.verifyTimeoutMs ?? 10_000;
  const deadlineMarginMs = deps.deadlineMarginMs ?? DEADLINE_MARGIN_MS;
  const tokenPrefix = rotationTokenPrefix(config.secretArn);
  const grafanaIds = { workspaceId: config.workspaceId, serviceAccountId: config.serviceAccountId };
  const ownedHere = (value: TokenSecretValue) =>
    value.workspaceId === config.workspaceId && value.serviceAccountId === config.serviceAccountId;

  /** Everything one invocation does, bound to its deadline. */
  const invocation = (signal: AbortSignal) => {
    // Every remote call goes through these two, so none outlives the invocation's deadline.
    const sm = {
      send: <T>(command: { input: unknown }) =>
        within(signal, (abortSignal) =>
          deps.secretsManager.send(command as never, { abortSignal }),
        ) as Promise<T>,
    };
    const grafanaSend = <T>(command: { input: unknown }) =>
      within(signal, (abortSignal) => deps.grafana.send(command as never, { abortSignal })) as Promise<T>;

    // --- Secrets Manager helpers -----------------------------------------------------------

    const describe = async () => {
      const meta = await sm.send<{
        RotationEnabled?: boolean;
        VersionIdsToStages?: Record<string, string[]>;
      }>(new DescribeSecretCommand({ SecretId: config.secretArn }));
      return { rotationEnabled: meta.RotationEnabled === true, stages: meta.VersionIdsToStages ?? {} };
    };

    /** Reads one version's string; `undefined` when the version or its value does not exist. */
    const getString = async (
      selector: { VersionId?: string; VersionStage?: string },
      log: Logger,
    ): Promise<{ versionId: string | undefined; raw: string | undefined } | undefined> => {
      try {
        const out = await sm.send<{ VersionId?: string; SecretString?: string }>(
          new GetSecretValueCommand({ SecretId: config.secretArn, ...selector }),
        );
        if (out.SecretString !== undefined) log.redact(out.SecretString);
        const parsed = parseTokenSecret(out.SecretString);
        if (parsed) log.redact(parsed.token);
        return { versionId: out.VersionId, raw: out.SecretString };
      } catch (error) {
        if (errorName(error) === "ResourceNotFoundException") return undefined;
        throw error;
      }
    };

    /** Reads a version tolerantly: missing or foreign values are reported, never thrown. */
    const readVersion = async (
      selector: { VersionId?: string; VersionStage?: string },
      log: Logger,
    ): Promise<ReadValue> => {
      const got = await getString(selector, log);
      if (got === undefined) return { status: "missing", versionId: selector.VersionId, value: undefined };
      const value = parseTokenSecret(got.raw);
      return { status: value ? "ok" : "malformed", versionId: got.versionId ?? selector.VersionId, value };
    };

    const getPending = (versionId: string, log: Logger) =>
      getString({ VersionId: versionId, VersionStage: AWSPENDING }, log);

    const foreignPendingFix = (versionId: string) =>
      `Someone wrote it with put-secret-value; this function writes the pending version itself. Detach the label so the next rotation starts afresh: aws secretsmanager update-secret-version-stage --secret-id ${config.secretArn} --version-stage AWSPENDING --remove-from-version-id ${versionId}, then invoke the function to rotate.`;

    // --- Grafana helpers -------------------------------------------------------------------

    const serviceAccountGone = (operation: string, error: unknown) =>
      new ServiceAccountNotFoundError(
        `Grafana service account ${config.serviceAccountId} of workspace ${config.workspaceId} does not exist (${operation} answered ${describeError(error).errorMessage}). No token can be created or deleted. List the workspace's service accounts (aws grafana list-workspace-service-accounts --workspace-id ${config.workspaceId}), set observability.grafanaServiceAccountId to an Admin one or remove it so Terraform creates one, deploy, then invoke the function to rotate.`,
        { cause: error },
      );

    const listTokens = async (): Promise<ServiceAccountTokenSummary[]> => {
      const tokens: ServiceAccountTokenSummary[] = [];
      let nextToken: string | undefined;
      do {
        let page: { serviceAccountTokens?: ServiceAccountTokenSummary[]; nextToken?: string };
        try {
          page = await grafanaSend(
            new ListWorkspaceServiceAccountTokensCommand({ ...grafanaIds, nextToken }),
          );
        } catch (error) {
          if (errorName(error) === "ResourceNotFoundException")
            throw serviceAccountGone("ListWorkspaceServiceAccountTokens", error);
          throw error;
        }
        tokens.push(...(page.serviceAccountTokens ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      return tokens;
    };

    /**
     * Deletes a token; a token that is already gone counts as deleted. Grafana answers
     * ResourceNotFoundException both for a missing token and for a missing service account, so the
     * answer is checked against the token list. Returns whether the token existed.
     */
    const deleteToken = async (tokenId: string, log: Logger, reason: string): Promise<boolean> => {
      try {
        await grafanaSend(new DeleteWorkspaceServiceAccountTokenCommand({ ...grafanaIds, tokenId }));
        log.info("Deleted Grafana token", { tokenId, reason });
        return true;
      } catch (error) {
        if (errorName(error) !== "ResourceNotFoundException") throw error;
        const listed = await listTokens(); // throws ServiceAccountNotFoundError when the account is gone
        if (listed.some((t) => t.id === tokenId)) throw error;
        log.info("Grafana token already gone", { tokenId, reason });
        return false;
      }
    };

    const createToken = async (name: string, log: Logger) => {
      let out: { serviceAccountToken?: { id?: string; key?: string; name?: string } };
      try {
        out = await grafanaSend(
          new CreateWorkspaceServiceAccountTokenCommand({
            ...grafanaIds,
            name,
            secondsToLive: config.tokenTtlSeconds,
          }),
        );
      } catch (error) {
        if (errorName(error) === "ResourceNotFoundException")
          throw serviceAccountGone("CreateWorkspaceServiceAccountToken", error);
        throw error;
      }
      const created = out.serviceAccountToken;
      if (created?.key) log.redact(created.key);
      if (!created?.id || !created.key) {
        throw new TokenCreationError(
          `CreateWorkspaceServiceAccountToken returned no token id or key for ${name}; retry the rotation.`,
        );
      }
      return { id: created.id, key: created.key, name: created.name ?? name };
    };

    /**
     * Deletes this secret's rotation tokens (and `retiring`, the token a rotation just retired) that
     * no version labelled AWSCURRENT, AWSPENDING or AWSPREVIOUS references. The token list is read
     * first and the labels after it (see the module comment for why that order is safe). Returns
     * how many tokens it deleted.
     */
    const sweep = async (log: Logger, retiring: ReadonlySet<string> = new Set()): Promise<number> => {
      const tokens = await listTokens();
      const { stages } = await describe();
      const keepIds = new Set<string>();
      const keepNames = new Set<string>();
      for (const [versionId, labels] of Object.entries(stages)) {
        if (!labels.some((label) => PROTECTED_STAGES.includes(label))) continue;
        keepNames.add(rotationTokenName(config.secretArn, versionId));
        const read = await readVersion({ VersionId: versionId }, log);
        if (read.value) keepIds.add(read.value.tokenId);
      }
      let deleted = 0;
      const graceStart = now().getTime() - SWEEP_GRACE_SECONDS * 1000;
      for (const token of tokens) {
        if (!token.id) continue;
        const ours = token.name?.startsWith(tokenPrefix) === true || retiring.has(token.id);
        if (!ours || keepIds.has(token.id) || (token.name !== undefined && keepNames.has(token.name)))
          continue;
        // A young unreferenced token may belong to a step still running elsewhere: a later sweep takes it.
        if (!retiring.has(token.id) && (token.createdAt?.getTime() ?? 0) > graceStart) continue;
        const reason = retiring.has(token.id) ? "retired by this rotation" : "unreferenced rotation token";
        if (await deleteToken(token.id, log, reason)) deleted += 1;
      }
      return deleted;
    };

    // --- Steps -----------------------------------------------------------------------------

    const createSecretStep = async (versionId: string, log: Logger): Promise<"done" | "skipped"> => {
      const existing = await getPending(versionId, log);
      if (existing !== undefined) {
        if (parseTokenSecret(existing.raw) === undefined) {
          throw new PendingSecretInvalidError(
            `Version ${versionId} of ${config.secretArn} is AWSPENDING with a value this function did not write. ${foreignPendingFix(versionId)}`,
          );
        }
        log.info("The pending version already holds a token; nothing to create");
        return "skipped";
      }
      // Tokens of abandoned attempts (each a live Admin token) go before a new one is made.
      const strays = await sweep(log);
      if (strays > 0) log.info("Deleted tokens of abandoned rotations", { deletedTokens: strays });
      const current = await readVersion({ VersionStage: AWSCURRENT }, log);
      if (current.status !== "ok") {
        log.warn("The current secret value is not a rotation-managed token; rotating anyway", {
          currentSecret: current.status,
          currentVersionId: current.versionId,
        });
      }

      const name = rotationTokenName(config.secretArn, versionId);
      const createdAt = now();
      let created: { id: string; key: string; name: string };
      try {
        created = await createToken(name, log);
      } catch (error) {
        if (errorName(error) !== "ConflictException") throw error;
        // A previous attempt created this token but its response (and so its key) was lost.
        log.warn("A token with this rotation's name already exists; replacing it", { tokenName: name });
        if ((await getPending(versionId, log)) !== undefined) {
          log.info("Another attempt stored the pending token meanwhile; nothing to create");
          return "skipped";
        }
        const orphan = (await listTokens()).find((t) => t.name === name);
        if (orphan?.id) await deleteToken(orphan.id, log, "orphan of a lost create response");
        created = await createToken(name, log);
      }
      const tokenLog = log.child({ tokenId: created.id, tokenName: created.name });
      tokenLog.info("Created Grafana token", { ttlSeconds: config.tokenTtlSeconds });

      const value: TokenSecretValue = {
        token: created.key,
        tokenId: created.id,
        tokenName: created.name,
        serviceAccountId: config.serviceAccountId,
        workspaceId: config.workspaceId,
        createdAt: createdAt.toISOString(),
        expiresAt: new Date(createdAt.getTime() + config.tokenTtlSeconds * 1000).toISOString(),
      };
      try {
        await sm.send(
          new PutSecretValueCommand({
            SecretId: config.secretArn,
            ClientRequestToken: versionId,
            SecretString: serializeTokenSecret(value),
            VersionStages: [AWSPENDING],
          }),
        );
      } catch (error) {
        if (errorName(error) !== "ResourceExistsException") throw error;
        await deleteToken(created.id, tokenLog, "lost the race to store the pending version");
        throw new ConcurrentStepError(
          `Another createSecret stored a different token for version ${versionId} of ${config.secretArn} first; this attempt deleted its own token ${created.id}. testSecret decides whether the stored one works.`,
          { cause: error },
        );
      }
      tokenLog.info("Stored the new token as AWSPENDING", { expiresAt: value.expiresAt });
      return "done";
    };

    const testSecretStep = async (versionId: string, log: Logger): Promise<"done"> => {
      const pending = await getPending(versionId, log);
      const value = parseTokenSecret(pending?.raw);
      if (value === undefined) {
        throw new PendingSecretInvalidError(
          pending === undefined
            ? `Version ${versionId} of ${config.secretArn} has no value yet; createSecret must run first (Secrets Manager re-attempts the rotation).`
            : `Version ${versionId} of ${config.secretArn} is AWSPENDING with a value this function did not write. ${foreignPendingFix(versionId)}`,
        );
      }
      const tokenLog = log.child({ tokenId: value.tokenId });
      const url = `${config.grafanaUrl}${VERIFY_PATH}`;
      let status: number;
      try {
        const response = await doFetch(url, {
          method: "GET",
          headers: { Authorization: `Bearer ${value.token}`, Accept: "application/json" },
          signal: AbortSignal.any([AbortSignal.timeout(verifyTimeoutMs), signal]),
        });
        status = response.status;
        await response.body?.cancel();
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        throw new GrafanaVerificationError(
          `Could not reach Grafana at GET ${url} to check pending token ${value.tokenId}: ${describeError(error).errorMessage}`,
          { cause: error },
        );
      }
      if (status >= 200 && status < 300) {
        tokenLog.info("Grafana accepted the pending token", { url, status });
        return "done";
      }

      const listed = (await listTokens()).find((t) => t.id === value.tokenId);
      const expired = listed?.expiresAt !== undefined && listed.expiresAt.getTime() <= now().getTime();
      if (listed === undefined || expired) {
        await sm.send(
          new UpdateSecretVersionStageCommand({
            SecretId: config.secretArn,
            VersionStage: AWSPENDING,
            RemoveFromVersionId: versionId,
          }),
        );
        tokenLog.error("The pending token no longer exists in Grafana; detached AWSPENDING", {
          url,
          status,
          expired,
        });
        throw new PendingTokenGoneError(
          `Pending token ${value.tokenId} of version ${versionId} is ${expired ? "expired" : "gone"} in Grafana (GET ${url} answered HTTP ${status}). AWSPENDING was removed from that version, so the next rotation starts afresh; invoke the function to rotate now.`,
        );
      }
      throw new GrafanaVerificationError(
        `Grafana rejected pending token ${value.tokenId} of version ${versionId} at GET ${url} with HTTP ${status}. Check that service account ${config.serviceAccountId} is enabled and may read the organization.`,
      );
    };

    const finishSecretStep = async (
      versionId: string,
      alreadyCurrent: boolean,
      log: Logger,
    ): Promise<"done" | "skipped"> => {
      let next: TokenSecretValue | undefined;
      let retiring: ReadValue = MISSING;
      if (alreadyCurrent) {
        // A retry after a crash that followed the promotion: only the clean-up may be left to do.
        log.info("The version is already AWSCURRENT; finishing the clean-up only");
        next = parseTokenSecret((await getString({ VersionId: versionId }, log))?.raw);
        if (next === undefined) {
          log.warn("The current version holds no token this function wrote; deleting nothing");
          return "skipped";
        }
      } else {
        // Labels can move while this step runs (an operator abandons the rotation, another one
        // starts): decide on a fresh read, and only promote a token Grafana still lists.
        const fresh = (await describe()).stages;
        if (!(fresh[versionId] ?? []).includes(AWSPENDING)) {
          throw new VersionNotStagedError(
            `Version ${versionId} of ${config.secretArn} lost AWSPENDING while finishSecret ran (the rotation was abandoned); AWSCURRENT was left where it is.`,
          );
        }
        const pending = await getPending(versionId, log);
        next = parseTokenSecret(pending?.raw);
        if (next === undefined) {
          throw new PendingSecretInvalidError(
            pending === undefined
              ? `Version ${versionId} of ${config.secretArn} has no value; refusing to make it AWSCURRENT. createSecret must run first (Secrets Manager re-attempts the rotation).`
              : `Version ${versionId} of ${config.secretArn} is AWSPENDING with a value this function did not write; refusing to make it AWSCURRENT. ${foreignPendingFix(versionId)}`,
          );
        }
        const promoted = next;
        if (!(await listTokens()).some((t) => t.id === promoted.tokenId)) {
          throw new PendingTokenGoneError(
            `Pending token ${promoted.tokenId} of version ${versionId} is gone from Grafana; AWSCURRENT was left where it is. Invoke the function to rotate again.`,
          );
        }
        const currentVersion = versionWithStage(fresh, AWSCURRENT);
        // The version that loses AWSPREVIOUS when this one becomes AWSCURRENT: its token retires.
        const previousVersion = versionWithStage(fresh, AWSPREVIOUS);
        if (previousVersion !== undefined && previousVersion !== versionId) {
          retiring = await readVersion({ VersionId: previousVersion }, log);
        }
        await sm.send(
          new UpdateSecretVersionStageCommand({
            SecretId: config.secretArn,
            VersionStage: AWSCURRENT,
            MoveToVersionId: versionId,
            ...(currentVersion ? { RemoveFromVersionId: currentVersion } : {}),
          }),
        );
        log.info("Moved AWSCURRENT to the new version", {
          tokenId: next.tokenId,
          previousVersionId: currentVersion,
        });
        // A concurrent sweep that judged on labels read before the move may have deleted the token
        // in between: if so, put AWSCURRENT back and fail, so no client is left with a dead token.
        if (!(await listTokens()).some((t) => t.id === promoted.tokenId)) {
          if (currentVersion !== undefined) {
            await sm.send(
              new UpdateSecretVersionStageCommand({
                SecretId: config.secretArn,
                VersionStage: AWSCURRENT,
                MoveToVersionId: currentVersion,
                RemoveFromVersionId: versionId,
              }),
            );
          }
          log.error("The new token vanished right after its promotion; AWSCURRENT was moved back", {
            tokenId: promoted.tokenId,
            restoredVersionId: currentVersion,
          });
          throw new PendingTokenGoneError(
            `Token ${promoted.tokenId} of version ${versionId} vanished from Grafana right after it became AWSCURRENT (a concurrent rotation's clean-up); AWSCURRENT was moved back to ${currentVersion ?? "no version"}. Invoke the function to rotate again.`,
          );
        }
      }

      // From here on the new token is AWSCURRENT and the one before it AWSPREVIOUS: both stay.
      const retiringIds = new Set<string>();
      const old = retiring.value;
      if (old !== undefined && ownedHere(old)) {
        retiringIds.add(old.tokenId);
      } else if (old !== undefined) {
        log.warn("The retiring token belongs to another workspace or service account; not deleting it", {
          retiringVersionId: retiring.versionId,
          retiringTokenId: old.tokenId,
          retiringWorkspaceId: old.workspaceId,
          retiringServiceAccountId: old.serviceAccountId,
        });
      } else if (retiring.status === "malformed") {
        log.warn(
          "The retiring secret value is not a rotation-managed token; nothing to delete (delete hand-made tokens in Grafana yourself)",
          { retiringVersionId: retiring.versionId },
        );
      }
      const deleted = await sweep(log, retiringIds);
      log.info("Rotation finished", { tokenId: next.tokenId, deletedTokens: deleted });
      return alreadyCurrent ? "skipped" : "done";
    };

    // --- Entry points ----------------------------------------------------------------------

    const runStep = async (event: RotationStepEvent, log: Logger): Promise<HandlerResult> => {
      const versionId = event.ClientRequestToken;
      if (event.SecretId !== config.secretArn)
        throw new UnexpectedSecretError(event.SecretId, config.secretArn);
      const meta = await describe();
      if (!meta.rotationEnabled) throw new RotationNotEnabledError(config.secretArn);
      const labels = meta.stages[versionId];
      if (labels === undefined) {
        throw new VersionNotStagedError(
          `Version ${versionId} of ${config.secretArn} has no stage for rotation; Secrets Manager did not start this rotation.`,
        );
      }
      const alreadyCurrent = labels.includes(AWSCURRENT);
      if (!alreadyCurrent && !labels.includes(AWSPENDING)) {
        throw new VersionNotStagedError(
          `Version ${versionId} of ${config.secretArn} is not AWSPENDING (stages: ${labels.join(", ") || "none"}); this rotation was abandoned.`,
        );
      }
      const result = (status: "done" | "skipped"): HandlerResult => ({
        action: "step",
        step: event.Step,
        versionId,
        status,
      });
      // A version both AWSCURRENT and AWSPENDING is the secret's first value (Secrets Manager makes a
      // secret's first version current as it is stored): it is still tested. Only a version that is
      // current and no longer pending is done.
      if (alreadyCurrent && !labels.includes(AWSPENDING) && event.Step !== "finishSecret") {
        log.info("The version is already AWSCURRENT; nothing to do");
        return result("skipped");
      }
      switch (event.Step) {
        case "createSecret":
          return result(await createSecretStep(versionId, log));
        case "setSecret":
          log.info("Nothing to set: the token already exists in Grafana");
          return result("done");
        case "testSecret":
          return result(await testSecretStep(versionId, log));
        case "finishSecret":
          return result(await finishSecretStep(versionId, alreadyCurrent, log));
      }
    };

    const rotateNow = async (log: Logger): Promise<HandlerResult> => {
      try {
        const out = await sm.send<{ VersionId?: string }>(
          new RotateSecretCommand({ SecretId: config.secretArn }),
        );
        log.info("Started a rotation", { versionId: out.VersionId });
        return { action: "rotate", status: "started", secretArn: config.secretArn, versionId: out.VersionId };
      } catch (error) {
        if (errorName(error) !== "InvalidRequestException") throw error;
        const meta = await describe();
        if (!meta.rotationEnabled) throw new RotationNotEnabledError(config.secretArn);
        const current = versionWithStage(meta.stages, AWSCURRENT);
        const pending = versionWithStage(meta.stages, AWSPENDING);
        if (pending !== undefined && pending !== current) {
          throw new RotationInProgressError(
            `Secrets Manager refused to start a rotation of ${config.secretArn}: rotation of version ${pending} has not finished (Secrets Manager re-attempts it). Read this function's logs for the failing step. To abandon it: aws secretsmanager update-secret-version-stage --secret-id ${config.secretArn} --version-stage AWSPENDING --remove-from-version-id ${pending}, then invoke the function again.`,
            { cause: error },
          );
        }
        throw new RotationRequestError(
          `Secrets Manager refused to start a rotation of ${config.secretArn}: ${describeError(error).errorMessage}`,
          { cause: error },
        );
      }
    };

    /** Asks Grafana, not the stored value, when the current token expires. */
    const tokenExpiry = async (
      current: ReadValue,
    ): Promise<{ expiresAt: Date | undefined; reason: ExpiryReason }> => {
      const value = current.value;
      if (value === undefined) return { expiresAt: undefined, reason: current.status };
      if (!ownedHere(value)) return { expiresAt: undefined, reason: "other-workspace" };
      let listed: ServiceAccountTokenSummary | undefined;
      try {
        listed = (await listTokens()).find((t) => t.id === value.tokenId);
      } catch (error) {
        if (error instanceof ServiceAccountNotFoundError)
          return { expiresAt: undefined, reason: "service-account-gone" };
        throw error;
      }
      if (listed === undefined) return { expiresAt: undefined, reason: "not-in-grafana" };
      return { expiresAt: listed.expiresAt ?? new Date(value.expiresAt), reason: "ok" };
    };

    const reportExpiry = async (log: Logger): Promise<HandlerResult> => {
      const current = await readVersion({ VersionStage: AWSCURRENT }, log);
      const { expiresAt, reason } = await tokenExpiry(current);
      const at = now();
      const secondsToExpiry = expiresAt
        ? Math.max(0, Math.floor((expiresAt.getTime() - at.getTime()) / 1000))
        : 0;
      if (reason !== "ok") {
        log.warn("The current token cannot be used; reporting 0 seconds to expiry", {
          reason,
          currentSecret: current.status,
          tokenId: current.value?.tokenId,
        });
      }
      log.emit(
        expiryMetricDocument({
          namespace: config.metricNamespace,
          workspaceId: config.workspaceId,
          secondsToExpiry,
          timestamp: at,
          properties: {
            level: "INFO",
            message: "Token expiry report",
            service: "grafana-token-rotation",
            secretArn: config.secretArn,
            versionId: current.versionId,
            tokenId: current.value?.tokenId,
            expiresAt: expiresAt?.toISOString(),
            currentSecret: current.status,
            reason,
          },
        }),
      );
      return {
        action: "report-expiry",
        secondsToExpiry,
        currentSecret: current.status,
        reason,
        tokenId: current.value?.tokenId,
      };
    };

    return { runStep, rotateNow, reportExpiry };
  };

  return async (event, context) => {
    const base = rootLogger.child({ secretArn: config.secretArn, requestId: context?.awsRequestId });
    let log = base;
    const deadline = new AbortController();
    const remainingMs = context?.getRemainingTimeInMillis?.();
    const timer =
      remainingMs === undefined
        ? undefined
        : setTimeout(
            () =>
              deadline.abort(
                new DeadlineExceededError(
                  `The invocation stopped ${deadlineMarginMs} ms before the function's timeout with calls to Secrets Manager or Grafana still unanswered. Every step is safe to re-run: Secrets Manager re-attempts a rotation step; invoke the function again for anything else.`,
                ),
              ),
            Math.max(0, remainingMs - deadlineMarginMs),
          );
    try {
      const parsed = parseEvent(event);
      const run = invocation(deadline.signal);
      switch (parsed.kind) {
        case "step":
          log = base.child({ step: parsed.event.Step, versionId: parsed.event.ClientRequestToken });
          log.info("Rotation step started");
          if (parsed.extraKeys.length > 0) {
            log.warn("The step event has keys this function does not know; ignoring them", {
              extraKeys: parsed.extraKeys,
            });
          }
          return await run.runStep(parsed.event, log);
        case "rotate":
          log = base.child({ action: "rotate" });
          return await run.rotateNow(log);
        case "report-expiry":
          log = base.child({ action: "report-expiry" });
          return await run.reportExpiry(log);
      }
    } catch (error) {
      log.error("Invocation failed", describeError(error));
      throw error;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  };
}
