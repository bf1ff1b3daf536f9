/**
 * In-memory fakes of Secrets Manager (versions and staging labels) and Amazon Managed Grafana
 * (service account tokens), wired behind aws-sdk-client-mock, plus a fetch that answers like the
 * Grafana HTTP API and a driver that plays Secrets Manager's part in a rotation.
 *
 * Tests assert on the state of these fakes, not on call order.
 */
import { randomBytes, randomUUID } from "node:crypto";
import {
  ConflictException,
  CreateWorkspaceServiceAccountTokenCommand,
  type CreateWorkspaceServiceAccountTokenRequest,
  DeleteWorkspaceServiceAccountTokenCommand,
  type DeleteWorkspaceServiceAccountTokenRequest,
  GrafanaClient,
  ResourceNotFoundException as GrafanaNotFound,
  InternalServerException,
  ListWorkspaceServiceAccountTokensCommand,
  type ListWorkspaceServiceAccountTokensRequest,
  ThrottlingException,
  ValidationException,
} from "@aws-sdk/client-grafana";
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InternalServiceError,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { createLogger, type Logger } from "../../shared/logger";
import { FakeSecretsManager } from "../../shared/test/fake-secrets-manager";
import type { RotationConfig } from "../config";
import { createRotationHandler, type RotationHandler, type RotationStep } from "../rotation";
import {
  parseTokenSecret,
  rotationTokenPrefix,
  serializeTokenSecret,
  type TokenSecretValue,
} from "../token-secret";

export const SECRET_ARN =
  "arn:aws:secretsmanager:us-east-1:123456789012:secret:meeting-notes-prod/grafana-token-AbCdEf";
export const WORKSPACE_ID = "g-0123456789";
export const SERVICE_ACCOUNT_ID = "7";
export const GRAFANA_URL = "https://g-0123456789.grafana-workspace.us-east-1.amazonaws.com";
export const TTL_SECONDS = 30 * 24 * 3600;

export const CONFIG: RotationConfig = {
  secretArn: SECRET_ARN,
  workspaceId: WORKSPACE_ID,
  grafanaUrl: GRAFANA_URL,
  serviceAccountId: SERVICE_ACCOUNT_ID,
  tokenTtlSeconds: TTL_SECONDS,
  metricNamespace: "MeetingNotes/Grafana",
};

/** Every remote call a fault can be injected into. */
export type Operation =
  | "DescribeSecret"
  | "GetSecretValue"
  | "PutSecretValue"
  | "UpdateSecretVersionStage"
  | "RotateSecret"
  | "CreateWorkspaceServiceAccountToken"
  | "ListWorkspaceServiceAccountTokens"
  | "DeleteWorkspaceServiceAccountToken"
  | "fetch";

/**
 * `error`: the call fails and changes nothing. `throttle`: the same, with the service's throttling
 * error. `lost`: the call takes effect, then the caller sees a failure (a lost response).
 */
export type FaultMode = "error" | "throttle" | "lost";

interface ArmedFault {
  readonly op: Operation;
  readonly mode: FaultMode;
  /** Calls of `op` still to let through before failing. */
  skip: number;
}

/** A mutable clock shared by the fakes and the handler. */
export class Clock {
  constructor(public time = new Date("2026-03-01T00:00:00.000Z")) {}
  now = (): Date => new Date(this.time.getTime());
  advanceSeconds(seconds: number): void {
    this.time = new Date(this.time.getTime() + seconds * 1000);
  }
}

const GRAFANA_META = { $metadata: {} };

export { FakeSecretsManager };

function throttled(op: Operation): Error {
  if (
    op === "CreateWorkspaceServiceAccountToken" ||
    op === "ListWorkspaceServiceAccountTokens" ||
    op === "DeleteWorkspaceServiceAccountToken"
  ) {
    return new ThrottlingException({ message: "Rate exceeded", ...GRAFANA_META });
  }
  const error = new Error(`Rate exceeded (${op})`);
  error.name = "ThrottlingException";
  return error;
}

function failed(op: Operation, lost: boolean): Error {
  const message = lost ? `Socket timed out without response (${op})` : `Internal failure (${op})`;
  if (op === "fetch") return new TypeError(`fetch failed: ${message}`);
  if (op.includes("ServiceAccountToken")) return new InternalServerException({ message, ...GRAFANA_META });
  return new InternalServiceError({ message, ...GRAFANA_META });
}

/** Injects faults into the next calls of chosen operations, and counts every call. */
export class Faults {
  private armed: ArmedFault[] = [];
  readonly calls = new Map<Operation, number>();

  /** Fails the `nth` (1-based) next call of `op`. */
  arm(op: Operation, mode: FaultMode, nth = 1): void {
    this.armed.push({ op, mode, skip: nth - 1 });
  }

  clear(): void {
    this.armed = [];
  }

  get pending(): number {
    return this.armed.length;
  }

  private readonly holds: {
    readonly after: Operation;
    readonly on: Operation | undefined;
    triggered: boolean;
    used: boolean;
    readonly gate: Promise<void>;
    readonly reached: () => void;
  }[] = [];

  /**
   * Holds the first call of `on` (of any operation when unset) that starts after a call of `after`
   * took effect, until `release()`: the way to interleave two invocations step by step. `reached`
   * settles when that call is being held.
   */
  holdAfter(after: Operation, on?: Operation): { reached: Promise<void>; release: () => void } {
    let release!: () => void;
    let reached!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const reachedPromise = new Promise<void>((resolve) => {
      reached = resolve;
    });
    this.holds.push({ after, on, triggered: false, used: false, gate, reached });
    return { reached: reachedPromise, release };
  }

  async run<T>(op: Operation, perform: () => T): Promise<T> {
    this.calls.set(op, (this.calls.get(op) ?? 0) + 1);
    // Yield once, as a network call would, so concurrent invocations interleave.
    await Promise.resolve();
    const hold = this.holds.find((h) => h.triggered && !h.used && (h.on === undefined || h.on === op));
    if (hold) {
      hold.used = true;
      hold.reached();
      await hold.gate;
    }
    const index = this.armed.findIndex((f) => f.op === op);
    if (index >= 0) {
      const fault = this.armed[index]!;
      if (fault.skip > 0) {
        fault.skip -= 1;
      } else {
        this.armed.splice(index, 1);
        if (fault.mode === "lost") {
          perform();
          this.tookEffect(op);
          throw failed(op, true);
        }
        throw fault.mode === "throttle" ? throttled(op) : failed(op, false);
      }
    }
    const result = perform();
    this.tookEffect(op);
    return result;
  }

  private tookEffect(op: Operation): void {
    for (const hold of this.holds) if (hold.after === op) hold.triggered = true;
  }
}

export interface FakeToken {
  readonly id: string;
  readonly name: string;
  readonly key: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** One Grafana service account's tokens. */
export class FakeGrafana {
  readonly tokens = new Map<string, FakeToken>();
  /** Every key ever issued, deleted or not: none may ever appear in a log line. */
  readonly issuedKeys: string[] = [];
  private nextId = 100;

  constructor(
    private readonly clock: Clock,
    readonly pageSize = 2,
  ) {}

  private check(input: { workspaceId?: string; serviceAccountId?: string }): void {
    if (
      this.serviceAccountDeleted ||
      input.workspaceId !== WORKSPACE_ID ||
      input.serviceAccountId !== SERVICE_ACCOUNT_ID
    ) {
      throw new GrafanaNotFound({
        message: "Service account not found",
        resourceId: String(input.serviceAccountId),
        resourceType: "ServiceAccount",
        ...GRAFANA_META,
      });
    }
  }

  /** Adds a token directly (what an operator or an earlier rotation made). */
  issue(name: string, ttlSeconds = TTL_SECONDS, createdAt = this.clock.now()): FakeToken {
    const token: FakeToken = {
      id: String(this.nextId++),
      name,
      key: `glsa_${randomBytes(16).toString("hex")}_${randomBytes(4).toString("hex")}`,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + ttlSeconds * 1000),
    };
    this.tokens.set(token.id, token);
    this.issuedKeys.push(token.key);
    return token;
  }

  create(input: CreateWorkspaceServiceAccountTokenRequest) {
    this.check(input);
    const name = input.name ?? "";
    if (name.length < 1 || name.length > 128 || !input.secondsToLive || input.secondsToLive > TTL_SECONDS) {
      throw new ValidationException({ message: "Invalid token request", reason: "OTHER", ...GRAFANA_META });
    }
    if ([...this.tokens.values()].some((t) => t.name === name)) {
      throw new ConflictException({
        message: "Token with this name already exists",
        resourceId: name,
        resourceType: "ServiceAccountToken",
        ...GRAFANA_META,
      });
    }
    const token = this.issue(name, input.secondsToLive);
    return {
      serviceAccountToken: { id: token.id, name: token.name, key: token.key },
      serviceAccountId: SERVICE_ACCOUNT_ID,
      workspaceId: WORKSPACE_ID,
    };
  }

  list(input: ListWorkspaceServiceAccountTokensRequest) {
    this.check(input);
    const all = [...this.tokens.values()].sort((a, b) => Number(a.id) - Number(b.id));
    const start = input.nextToken ? Number(input.nextToken) : 0;
    const page = all.slice(start, start + this.pageSize);
    const next = start + this.pageSize < all.length ? String(start + this.pageSize) : undefined;
    return {
      serviceAccountTokens: page.map(({ id, name, createdAt, expiresAt }) => ({
        id,
        name,
        createdAt,
        expiresAt,
      })),
      serviceAccountId: SERVICE_ACCOUNT_ID,
      workspaceId: WORKSPACE_ID,
      ...(next ? { nextToken: next } : {}),
    };
  }

  delete(input: DeleteWorkspaceServiceAccountTokenRequest) {
    this.check(input);
    if (!this.tokens.delete(input.tokenId ?? "")) {
      throw new GrafanaNotFound({
        message: "Token not found",
        resourceId: String(input.tokenId),
        resourceType: "ServiceAccountToken",
        ...GRAFANA_META,
      });
    }
    return { tokenId: input.tokenId, serviceAccountId: SERVICE_ACCOUNT_ID, workspaceId: WORKSPACE_ID };
  }

  /** What Grafana's HTTP API does with a bearer key. */
  accepts(key: string): boolean {
    const token = [...this.tokens.values()].find((t) => t.key === key);
    return token !== undefined && token.expiresAt.getTime() > this.clock.now().getTime();
  }

  /** Makes every call answer as Grafana does once the service account is deleted. */
  serviceAccountDeleted = false;

  /** Tokens whose name marks them as made by this secret's rotation. */
  rotationTokens(): FakeToken[] {
    const prefix = rotationTokenPrefix(SECRET_ARN);
    return [...this.tokens.values()].filter((t) => t.name.startsWith(prefix));
  }
}

/** Everything one test needs: fakes, mocks, captured output and the handler under test. */
export class World {
  readonly clock = new Clock();
  readonly faults = new Faults();
  readonly secrets = new FakeSecretsManager(SECRET_ARN);
  readonly grafana: FakeGrafana;
  readonly smMock: AwsClientStub<SecretsManagerClient>;
  readonly grafanaMock: AwsClientStub<GrafanaClient>;
  /** Lines the handler's logger wrote. */
  readonly lines: string[] = [];
  /** Errors the handler threw. */
  readonly errors: unknown[] = [];
  /** Values that must never be printed besides Grafana keys (for example a hand-made token). */
  readonly extraSecrets: string[] = [];
  readonly fetchCalls: { url: string; authorized: boolean }[] = [];
  /** When set, the Grafana HTTP API answers every request with this status. */
  forcedHttpStatus: number | undefined;
  readonly logger: Logger;
  readonly handler: RotationHandler;

  constructor(options: { pageSize?: number } = {}) {
    this.grafana = new FakeGrafana(this.clock, options.pageSize);
    const f = this.faults;
    const sm = this.secrets;
    const g = this.grafana;

    this.smMock = mockClient(SecretsManagerClient);
    this.smMock.on(DescribeSecretCommand).callsFake(() => f.run("DescribeSecret", () => sm.describe()));
    this.smMock
      .on(GetSecretValueCommand)
      .callsFake((i) => f.run("GetSecretValue", () => sm.getSecretValue(i)));
    this.smMock
      .on(PutSecretValueCommand)
      .callsFake((i) => f.run("PutSecretValue", () => sm.putSecretValue(i)));
    this.smMock
      .on(UpdateSecretVersionStageCommand)
      .callsFake((i) => f.run("UpdateSecretVersionStage", () => sm.updateSecretVersionStage(i)));
    this.smMock
      .on(RotateSecretCommand)
      .callsFake((i) => f.run("RotateSecret", () => sm.rotateSecret(i.SecretId)));

    this.grafanaMock = mockClient(GrafanaClient);
    this.grafanaMock
      .on(CreateWorkspaceServiceAccountTokenCommand)
      .callsFake((i) => f.run("CreateWorkspaceServiceAccountToken", () => g.create(i)));
    this.grafanaMock
      .on(ListWorkspaceServiceAccountTokensCommand)
      .callsFake((i) => f.run("ListWorkspaceServiceAccountTokens", () => g.list(i)));
    this.grafanaMock
      .on(DeleteWorkspaceServiceAccountTokenCommand)
      .callsFake((i) => f.run("DeleteWorkspaceServiceAccountToken", () => g.delete(i)));

    const fakeFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = String(input);
      const auth = new Headers(init?.headers).get("authorization") ?? "";
      const key = auth.startsWith("Bearer ") ? auth.slice("Bearer ".length) : "";
      return f.run("fetch", () => {
        const authorized = url === `${GRAFANA_URL}/api/org` && g.accepts(key);
        this.fetchCalls.push({ url, authorized });
        const status = this.forcedHttpStatus ?? (authorized ? 200 : 401);
        return new Response(status === 200 ? '{"id":1,"name":"Main Org."}' : '{"message":"refused"}', {
          status,
          headers: { "content-type": "application/json" },
        });
      });
    };

    this.logger = createLogger({
      service: "grafana-token-rotation",
      write: (line) => this.lines.push(line),
      now: this.clock.now,
    });
    const inner = createRotationHandler({
      config: CONFIG,
      secretsManager: new SecretsManagerClient({ region: "us-east-1" }),
      grafana: new GrafanaClient({ region: "us-east-1" }),
      fetch: fakeFetch as typeof fetch,
      logger: this.logger,
      now: this.clock.now,
    });
    this.handler = async (event, context) => {
      try {
        return await inner(event, context);
      } catch (error) {
        this.errors.push(error);
        throw error;
      }
    };
  }

  restore(): void {
    this.smMock.restore();
    this.grafanaMock.restore();
  }

  /** Seeds a rotation-managed current token, as a previous successful rotation left it. */
  seedManagedCurrent(options: { ageSeconds?: number; ttlSeconds?: number } = {}): FakeToken {
    const versionId = randomUUID();
    const createdAt = new Date(this.clock.now().getTime() - (options.ageSeconds ?? 25 * 24 * 3600) * 1000);
    const token = this.grafana.issue(
      `${rotationTokenPrefix(SECRET_ARN)}${versionId}`,
      options.ttlSeconds ?? TTL_SECONDS,
      createdAt,
    );
    const value: TokenSecretValue = {
      token: token.key,
      tokenId: token.id,
      tokenName: token.name,
      serviceAccountId: SERVICE_ACCOUNT_ID,
      workspaceId: WORKSPACE_ID,
      createdAt: token.createdAt.toISOString(),
      expiresAt: token.expiresAt.toISOString(),
    };
    this.secrets.seed(serializeTokenSecret(value), ["AWSCURRENT"], versionId);
    return token;
  }

  /**
   * Ids of the Grafana tokens a version labelled AWSCURRENT, AWSPENDING or AWSPREVIOUS refers to,
   * by its stored value or by the token name derived from its version id.
   */
  referencedTokenIds(): Set<string> {
    const ids = new Set<string>();
    for (const [versionId, version] of this.secrets.versions) {
      if (![...version.stages].some((s) => ["AWSCURRENT", "AWSPENDING", "AWSPREVIOUS"].includes(s))) continue;
      const value = parseTokenSecret(version.value);
      if (value && this.grafana.tokens.has(value.tokenId)) ids.add(value.tokenId);
      const name = `${rotationTokenPrefix(SECRET_ARN)}${versionId}`;
      for (const token of this.grafana.tokens.values()) if (token.name === name) ids.add(token.id);
    }
    return ids;
  }

  /** This secret's rotation tokens that no labelled version refers to: live Admin tokens nobody can use. */
  strayTokens(): FakeToken[] {
    const referenced = this.referencedTokenIds();
    return this.grafana.rotationTokens().filter((t) => !referenced.has(t.id));
  }

  /** The token AWSPREVIOUS holds, if it is one this function wrote. */
  previous(): TokenSecretValue | undefined {
    const id = this.secrets.versionWith("AWSPREVIOUS");
    return id === undefined ? undefined : parseTokenSecret(this.secrets.versions.get(id)?.value);
  }

  /** The parsed AWSCURRENT value, if it is one this function wrote. */
  current(): TokenSecretValue | undefined {
    return parseTokenSecret(this.secrets.currentValue());
  }

  /** Runs the four steps of one rotation as Secrets Manager does: in order, stopping at the first failure. */
  async runSteps(versionId: string): Promise<{ failedStep?: RotationStep; error?: unknown }> {
    for (const Step of ["createSecret", "setSecret", "testSecret", "finishSecret"] as const) {
      try {
        await this.handler({ Step, SecretId: SECRET_ARN, ClientRequestToken: versionId });
      } catch (error) {
        return { failedStep: Step, error };
      }
    }
    return {};
  }

  /** A scheduled rotation: Secrets Manager starts it (no fault injection there) and runs the steps. */
  async rotate(): Promise<{ versionId: string; failedStep?: RotationStep; error?: unknown }> {
    const { VersionId } = this.secrets.rotateSecret(SECRET_ARN);
    return { versionId: VersionId, ...(await this.runSteps(VersionId)) };
  }

  /** Everything printed: the logger's lines plus anything that reached stdout or the console. */
  output(captured: readonly string[] = []): string {
    const errorText = this.errors.map((e) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)));
    return [...this.lines, ...captured, ...errorText].join("\n");
  }

  /** Secrets that must never be printed. */
  secretValues(): string[] {
    return [...this.grafana.issuedKeys, ...this.extraSecrets];
  }
}
