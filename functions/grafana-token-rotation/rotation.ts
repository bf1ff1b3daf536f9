/**
 * Rotation logic of the Grafana service account token, independent of the environment: `handler.ts`
 * wires configuration and clients into `createRotationHandler`, tests wire fakes.
 *
 * Event contract
 * - `{ Step, SecretId, ClientRequestToken }`: one step of Secrets Manager's rotation protocol
 *   (createSecret, setSecret, testSecret, finishSecret), sent by Secrets Manager.
 * - `{}` or `{ "action": "rotate" }` (what `aws lambda invoke` sends without a payload): forces a
 *   rotation now by calling RotateSecret on the configured secret; Secrets Manager then runs the
 *   four steps. Returns `{ action: "rotate", status: "started", secretArn, versionId }`.
 * - `{ "action": "report-expiry" }` (a scheduled rule's constant input): emits the
 *   `TokenSecondsToExpiry` metric (seconds, Embedded Metric Format) for the current token.
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
 * - finishSecret moves AWSCURRENT only if it is not there yet, and its clean-up (delete the previous
 *   token, sweep this secret's other rotation tokens) deletes only tokens that are not AWSCURRENT and
 *   not referenced by AWSPENDING; deleting a token that is already gone is success.
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
 * 4. The expiry report and the sweep only read, or delete tokens that nothing references.
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
import type { RotationConfig } from "./config";
import {
  ConcurrentStepError,
  GrafanaVerificationError,
  InvalidEventError,
  PendingSecretInvalidError,
  PendingTokenGoneError,
  RotationInProgressError,
  RotationNotEnabledError,
  RotationRequestError,
  TokenCreationError,
  UnexpectedSecretError,
  VersionNotStagedError,
} from "./errors";
import { createLogger, describeError, type Logger } from "./logger";
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
  | { readonly kind: "step"; readonly event: RotationStepEvent }
  | { readonly kind: "rotate" }
  | { readonly kind: "report-expiry" };

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
}

/** Minimal Lambda context fields the function logs. */
export interface InvocationContext {
  readonly awsRequestId?: string;
}

export type RotationHandler = (event: unknown, context?: InvocationContext) => Promise<HandlerResult>;

/** Classifies an invocation event; throws InvalidEventError for anything else. */
export function parseEvent(event: unknown): ParsedEvent {
  if (event === null || event === undefined) return { kind: "rotate" };
  if (typeof event !== "object" || Array.isArray(event)) {
    throw new InvalidEventError(
      `Expected a JSON object event (a Secrets Manager rotation step, {} or {"action": "report-expiry"}), got ${Array.isArray(event) ? "an array" : typeof event}.`,
    );
  }
  const e = event as Record<string, unknown>;
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
    };
  }
  if (e.action === undefined || e.action === "rotate") return { kind: "rotate" };
  if (e.action === "report-expiry") return { kind: "report-expiry" };
  throw new InvalidEventError(
    `Unknown action ${JSON.stringify(e.action)}; expected "rotate" (or no action) or "report-expiry".`,
  );
}

const errorName = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "name" in error ? String(error.name) : undefined;

/** A version's stages, keyed by version id, as DescribeSecret returns them. */
type VersionStages = Readonly<Record<string, readonly string[]>>;

const versionWithStage = (stages: VersionStages, stage: string): string | undefined =>
  Object.entries(stages).find(([, labels]) => labels.includes(stage))?.[0];

interface ReadValue {
  readonly status: CurrentSecretStatus;
  readonly versionId: string | undefined;
  readonly value: TokenSecretValue | undefined;
}

/** Builds the handler around its collaborators. */
export function createRotationHandler(deps: RotationDependencies): RotationHandler {
  const { config, secretsManager: sm, grafana } = deps;
  const doFetch = deps.fetch ?? ((input, init) => fetch(input, init));
  const rootLogger = deps.logger ?? createLogger({ service: "grafana-token-rotation" });
  const now = deps.now ?? (() => new Date());
  const verifyTimeoutMs = deps.verifyTimeoutMs ?? 10_000;
  const tokenPrefix = rotationTokenPrefix(config.secretArn);
  const grafanaIds = { workspaceId: config.workspaceId, serviceAccountId: config.serviceAccountId };

  // --- Secrets Manager helpers -------------------------------------------------------------

  const describe = async () => {
    const meta = await sm.send(new DescribeSecretCommand({ SecretId: config.secretArn }));
    return { rotationEnabled: meta.RotationEnabled === true, stages: meta.VersionIdsToStages ?? {} };
  };

  /** Reads one version's string; `undefined` when the version or its value does not exist. */
  const getString = async (
    selector: { VersionId?: string; VersionStage?: string },
    log: Logger,
  ): Promise<{ versionId: string | undefined; raw: string | undefined } | undefined> => {
    try {
      const out = await sm.send(new GetSecretValueCommand({ SecretId: config.secretArn, ...selector }));
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

  // --- Grafana helpers ---------------------------------------------------------------------

  const listTokens = async (): Promise<ServiceAccountTokenSummary[]> => {
    const tokens: ServiceAccountTokenSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await grafana.send(
        new ListWorkspaceServiceAccountTokensCommand({ ...grafanaIds, nextToken }),
      );
      tokens.push(...(page.serviceAccountTokens ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return tokens;
  };

  /** Deletes a token; a token that is already gone counts as deleted. Returns whether it existed. */
  const deleteToken = async (tokenId: string, log: Logger, reason: string): Promise<boolean> => {
    try {
      await grafana.send(new DeleteWorkspaceServiceAccountTokenCommand({ ...grafanaIds, tokenId }));
      log.info("Deleted Grafana token", { tokenId, reason });
      return true;
    } catch (error) {
      if (errorName(error) === "ResourceNotFoundException") {
        log.info("Grafana token already gone", { tokenId, reason });
        return false;
      }
      throw error;
    }
  };

  const createToken = async (name: string, log: Logger) => {
    const out = await grafana.send(
      new CreateWorkspaceServiceAccountTokenCommand({
        ...grafanaIds,
        name,
        secondsToLive: config.tokenTtlSeconds,
      }),
    );
    const created = out.serviceAccountToken;
    if (created?.key) log.redact(created.key);
    if (!created?.id || !created.key) {
      throw new TokenCreationError(
        `CreateWorkspaceServiceAccountToken returned no token id or key for ${name}; retry the rotation.`,
      );
    }
    return { id: created.id, key: created.key, name: created.name ?? name };
  };

  // --- Steps -------------------------------------------------------------------------------

  const createSecretStep = async (versionId: string, log: Logger): Promise<"done" | "skipped"> => {
    if ((await getPending(versionId, log)) !== undefined) {
      log.info("The pending version already holds a token; nothing to create");
      return "skipped";
    }
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
        `Version ${versionId} of ${config.secretArn} has ${pending === undefined ? "no value" : "a value this function did not write"}; createSecret must run first.`,
      );
    }
    const tokenLog = log.child({ tokenId: value.tokenId });
    const url = `${config.grafanaUrl}${VERIFY_PATH}`;
    let status: number;
    try {
      const response = await doFetch(url, {
        method: "GET",
        headers: { Authorization: `Bearer ${value.token}`, Accept: "application/json" },
        signal: AbortSignal.timeout(verifyTimeoutMs),
      });
      status = response.status;
      await response.body?.cancel();
    } catch (error) {
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
    stages: VersionStages,
    alreadyCurrent: boolean,
    log: Logger,
  ): Promise<"done" | "skipped"> => {
    let previous: ReadValue;
    let next: TokenSecretValue | undefined;
    if (alreadyCurrent) {
      // A retry after a crash that followed the promotion: only the clean-up may be left to do.
      log.info("The version is already AWSCURRENT; finishing the clean-up only");
      next = parseTokenSecret((await getString({ VersionId: versionId }, log))?.raw);
      if (next === undefined) {
        log.warn("The current version holds no token this function wrote; deleting nothing");
        return "skipped";
      }
      const previousVersion = versionWithStage(stages, AWSPREVIOUS);
      previous = previousVersion
        ? await readVersion({ VersionId: previousVersion }, log)
        : { status: "missing", versionId: undefined, value: undefined };
    } else {
      next = parseTokenSecret((await getPending(versionId, log))?.raw);
      if (next === undefined) {
        throw new PendingSecretInvalidError(
          `Version ${versionId} of ${config.secretArn} holds no token this function wrote; refusing to make it AWSCURRENT.`,
        );
      }
      const currentVersion = versionWithStage(stages, AWSCURRENT);
      previous = currentVersion
        ? await readVersion({ VersionId: currentVersion }, log)
        : { status: "missing", versionId: undefined, value: undefined };
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
    }

    // From here on the new token is AWSCURRENT: old tokens may go.
    const keepIds = new Set(next ? [next.tokenId] : []);
    const prev = previous.value;
    if (prev === undefined) {
      const message =
        previous.status === "missing"
          ? "No previous token to delete"
          : "The previous secret value is not a rotation-managed token; nothing to delete (delete hand-made tokens in Grafana yourself)";
      (previous.status === "missing" ? log.info : log.warn)(message, {
        previousVersionId: previous.versionId,
        previousSecret: previous.status,
      });
    } else if (prev.workspaceId !== config.workspaceId || prev.serviceAccountId !== config.serviceAccountId) {
      log.warn("The previous token belongs to another workspace or service account; not deleting it", {
        previousVersionId: previous.versionId,
        previousTokenId: prev.tokenId,
        previousWorkspaceId: prev.workspaceId,
        previousServiceAccountId: prev.serviceAccountId,
      });
    } else if (!keepIds.has(prev.tokenId)) {
      await deleteToken(prev.tokenId, log, "previous token");
    }

    // Sweep: this secret's rotation tokens that nothing references any more.
    const keepNames = new Set(
      Object.entries(stages)
        .filter(([, labels]) => labels.includes(AWSPENDING))
        .map(([id]) => rotationTokenName(config.secretArn, id)),
    );
    keepNames.add(rotationTokenName(config.secretArn, versionId));
    let swept = 0;
    for (const token of await listTokens()) {
      if (!token.id || !token.name?.startsWith(tokenPrefix)) continue;
      if (keepIds.has(token.id) || keepNames.has(token.name)) continue;
      if (await deleteToken(token.id, log, "unreferenced rotation token")) swept += 1;
    }
    log.info("Rotation finished", { tokenId: next?.tokenId, sweptTokens: swept });
    return alreadyCurrent ? "skipped" : "done";
  };

  // --- Entry points ------------------------------------------------------------------------

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
    if (alreadyCurrent && event.Step !== "finishSecret") {
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
        return result(await finishSecretStep(versionId, meta.stages, alreadyCurrent, log));
    }
  };

  const rotateNow = async (log: Logger): Promise<HandlerResult> => {
    try {
      const out = await sm.send(new RotateSecretCommand({ SecretId: config.secretArn }));
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

  const reportExpiry = async (log: Logger): Promise<HandlerResult> => {
    const current = await readVersion({ VersionStage: AWSCURRENT }, log);
    const at = now();
    const secondsToExpiry = current.value
      ? Math.max(0, Math.floor((Date.parse(current.value.expiresAt) - at.getTime()) / 1000))
      : 0;
    if (current.status !== "ok") {
      log.warn("The current secret value is not a rotation-managed token; reporting 0 seconds to expiry", {
        currentSecret: current.status,
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
          expiresAt: current.value?.expiresAt,
          currentSecret: current.status,
        },
      }),
    );
    return {
      action: "report-expiry",
      secondsToExpiry,
      currentSecret: current.status,
      tokenId: current.value?.tokenId,
    };
  };

  return async (event, context) => {
    const base = rootLogger.child({ secretArn: config.secretArn, requestId: context?.awsRequestId });
    let log = base;
    try {
      const parsed = parseEvent(event);
      switch (parsed.kind) {
        case "step":
          log = base.child({ step: parsed.event.Step, versionId: parsed.event.ClientRequestToken });
          log.info("Rotation step started");
          return await runStep(parsed.event, log);
        case "rotate":
          log = base.child({ action: "rotate" });
          return await rotateNow(log);
        case "report-expiry":
          log = base.child({ action: "report-expiry" });
          return await reportExpiry(log);
      }
    } catch (error) {
      log.error("Invocation failed", describeError(error));
      throw error;
    }
  };
}
