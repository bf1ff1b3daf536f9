import { randomUUID } from "node:crypto";
import { RotateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { EXPIRY_METRIC_NAME } from "./metrics";
import { ACCEPTED_EVENTS, DEADLINE_MARGIN_MS, parseEvent, SWEEP_GRACE_SECONDS } from "./rotation";
import {
  type FaultMode,
  GRAFANA_URL,
  type Operation,
  SECRET_ARN,
  SERVICE_ACCOUNT_ID,
  TTL_SECONDS,
  WORKSPACE_ID,
  World,
} from "./test/fakes";
import { rotationTokenName, rotationTokenPrefix, serializeTokenSecret } from "./token-secret";

const DAY = 24 * 3600;

let world: World;
/** Whatever reached stdout or the console during a test, besides the injected logger. */
let captured: string[];

beforeEach(() => {
  world = new World();
  captured = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    captured.push(String(chunk));
    return true;
  });
  for (const method of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      captured.push(args.map(String).join(" "));
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  world.restore();
});

/** No token value (any key Grafana ever issued, or a hand-made token) was printed or thrown. */
function expectNoTokenLeak(): void {
  const output = world.output(captured);
  const leaked = world.secretValues().filter((secret) => output.includes(secret));
  expect(leaked, "token values found in logs or error messages").toEqual([]);
}

/** Every log line is one JSON object with a level and a message. */
function expectStructuredLogs(): void {
  expect(world.lines.length).toBeGreaterThan(0);
  for (const line of world.lines) {
    const entry = JSON.parse(line);
    expect(["DEBUG", "INFO", "WARN", "ERROR"]).toContain(entry.level);
    expect(typeof entry.message).toBe("string");
  }
}

/**
 * The invariants that hold after any run, faulty or not: AWSCURRENT holds a token that exists and
 * works in Grafana, the AWSPREVIOUS token (when it is one of ours) still exists, at most `maxStray`
 * rotation tokens exist that no labelled version refers to, nothing leaked.
 */
function expectInvariants(maxStray: number): void {
  const current = world.current();
  expect(current, "AWSCURRENT holds a rotation-managed token").toBeDefined();
  const token = world.grafana.tokens.get(current!.tokenId);
  expect(token, "the current token exists in Grafana").toBeDefined();
  expect(token!.key === current!.token, "the stored key is the token's key").toBe(true);
  expect(world.grafana.accepts(current!.token), "Grafana accepts the current token").toBe(true);
  const previous = world.previous();
  if (previous) expect(world.grafana.tokens.has(previous.tokenId), "the AWSPREVIOUS token exists").toBe(true);
  expect(world.strayTokens().length, "unreferenced rotation tokens").toBeLessThanOrEqual(maxStray);
  expectNoTokenLeak();
  expectStructuredLogs();
}

function logEntries(): Record<string, unknown>[] {
  return world.lines.map((line) => JSON.parse(line));
}

describe("a scheduled rotation", () => {
  test("stores, verifies, promotes the new token; the old one stays AWSPREVIOUS, the one before it is deleted", async () => {
    const retired = world.seedManagedCurrent({ ageSeconds: 50 * DAY });
    const old = world.seedManagedCurrent();
    const oldVersion = world.secrets.versionWith("AWSCURRENT")!;

    const run = await world.rotate();

    expect(run.failedStep).toBeUndefined();
    const current = world.current()!;
    expect(world.secrets.versionWith("AWSCURRENT")).toBe(run.versionId);
    expect(world.secrets.stagesOf(run.versionId)).toEqual(["AWSCURRENT", "AWSPENDING"]);
    expect(world.secrets.stagesOf(oldVersion)).toEqual(["AWSPREVIOUS"]);
    expect(current.tokenName).toBe(rotationTokenName(SECRET_ARN, run.versionId));
    expect(current.serviceAccountId).toBe(SERVICE_ACCOUNT_ID);
    expect(current.workspaceId).toBe(WORKSPACE_ID);
    expect(current.createdAt).toBe(world.clock.now().toISOString());
    expect(Date.parse(current.expiresAt) - Date.parse(current.createdAt)).toBe(TTL_SECONDS * 1000);
    expect(world.grafana.tokens.has(retired.id)).toBe(false);
    expect([...world.grafana.tokens.keys()].sort()).toEqual([old.id, current.tokenId].sort());
    expect(world.grafana.accepts(old.key), "the AWSPREVIOUS token still works").toBe(true);
    expect(world.fetchCalls).toEqual([{ url: `${GRAFANA_URL}/api/org`, authorized: true }]);
    expectInvariants(0);
  });

  test("logs each step with its context and the token ids, never the key", async () => {
    world.seedManagedCurrent();
    const run = await world.rotate();
    const entries = logEntries();
    const created = entries.find((e) => e.message === "Created Grafana token");
    expect(created).toMatchObject({
      level: "INFO",
      step: "createSecret",
      versionId: run.versionId,
      secretArn: SECRET_ARN,
      tokenId: world.current()!.tokenId,
    });
    expect(entries.filter((e) => e.message === "Rotation step started").map((e) => e.step)).toEqual([
      "createSecret",
      "setSecret",
      "testSecret",
      "finishSecret",
    ]);
    expectNoTokenLeak();
  });

  test("the sweep pages through the token list, deletes this secret's stale tokens only", async () => {
    world.restore();
    world = new World({ pageSize: 1 });
    const old = world.seedManagedCurrent();
    // Left by attempts a day ago: past the sweep's grace period.
    const stale = [1, 2, 3].map(() =>
      world.grafana.issue(
        `${rotationTokenPrefix(SECRET_ARN)}${randomUUID()}`,
        TTL_SECONDS,
        new Date(world.clock.now().getTime() - DAY * 1000),
      ),
    );
    const handMade = world.grafana.issue("bootstrap");
    const otherSecret = world.grafana.issue(`${rotationTokenPrefix(`${SECRET_ARN}-other`)}${randomUUID()}`);

    const run = await world.rotate();

    expect(run.failedStep).toBeUndefined();
    for (const token of stale) expect(world.grafana.tokens.has(token.id)).toBe(false);
    expect(world.grafana.tokens.has(handMade.id)).toBe(true);
    expect(world.grafana.tokens.has(otherSecret.id)).toBe(true);
    expect(world.grafana.tokens.has(old.id)).toBe(true);
    expect(world.grafana.tokens.size).toBe(4);
    expectInvariants(0);
  });
});

/**
 * The calls a clean rotation makes in the steady state (a managed AWSCURRENT and AWSPREVIOUS). The
 * fault table below fails each of them in turn; the first test proves the list is complete.
 */
const CLEAN_ROTATION_CALLS: Record<Operation, number> = {
  DescribeSecret: 7,
  GetSecretValue: 10,
  CreateWorkspaceServiceAccountToken: 1,
  PutSecretValue: 1,
  fetch: 1,
  UpdateSecretVersionStage: 1,
  DeleteWorkspaceServiceAccountToken: 1,
  ListWorkspaceServiceAccountTokens: 7,
  RotateSecret: 0,
};

const MUTATING: ReadonlySet<Operation> = new Set([
  "CreateWorkspaceServiceAccountToken",
  "PutSecretValue",
  "UpdateSecretVersionStage",
  "DeleteWorkspaceServiceAccountToken",
]);

const FAULT_CASES: { op: Operation; nth: number; mode: FaultMode }[] = Object.entries(
  CLEAN_ROTATION_CALLS,
).flatMap(([op, count]) =>
  Array.from({ length: count }, (_, i) =>
    (MUTATING.has(op as Operation)
      ? (["error", "throttle", "lost"] as const)
      : (["error", "throttle"] as const)
    ).map((mode) => ({ op: op as Operation, nth: i + 1, mode })),
  ).flat(),
);

describe("a fault at any call", () => {
  test("the table covers every call of a clean rotation", async () => {
    world.seedManagedCurrent({ ageSeconds: 50 * DAY });
    world.seedManagedCurrent();
    await world.rotate();
    expect(Object.fromEntries(world.faults.calls)).toEqual(
      Object.fromEntries(Object.entries(CLEAN_ROTATION_CALLS).filter(([, n]) => n > 0)),
    );
  });

  test.each(FAULT_CASES)(
    "$mode at $op call $nth: the retry and the next rotation converge",
    async ({ op, nth, mode }) => {
      const retired = world.seedManagedCurrent({ ageSeconds: 50 * DAY });
      const old = world.seedManagedCurrent();
      world.faults.arm(op, mode, nth);

      const faulty = await world.rotate();

      expect(world.faults.pending, "the fault fired").toBe(0);
      expect(faulty.failedStep).toBeDefined();
      expectInvariants(1);

      // Secrets Manager re-attempts the same rotation.
      const retry = await world.runSteps(faulty.versionId);
      expect(retry.failedStep).toBeUndefined();
      expect(world.secrets.versionWith("AWSCURRENT")).toBe(faulty.versionId);
      expect(world.grafana.tokens.has(old.id), "the old token is AWSPREVIOUS now").toBe(true);
      expect(world.grafana.tokens.has(retired.id), "the one before it is deleted").toBe(false);
      expectInvariants(0);

      // And the next scheduled rotation still works.
      const next = await world.rotate();
      expect(next.failedStep).toBeUndefined();
      expect([...world.grafana.tokens.keys()].sort()).toEqual(
        [world.current()!.tokenId, world.previous()!.tokenId].sort(),
      );
      expect(world.grafana.tokens.has(old.id)).toBe(false);
      expectInvariants(0);
    },
  );
});

describe("a lost CreateWorkspaceServiceAccountToken response", () => {
  test("the retry deletes the orphan it cannot use and stores a fresh token", async () => {
    world.seedManagedCurrent();
    world.faults.arm("CreateWorkspaceServiceAccountToken", "lost");

    const faulty = await world.rotate();

    expect(faulty.failedStep).toBe("createSecret");
    const name = rotationTokenName(SECRET_ARN, faulty.versionId);
    const orphan = [...world.grafana.tokens.values()].find((t) => t.name === name)!;
    expect(orphan).toBeDefined();
    expect(world.secrets.versions.get(faulty.versionId)?.value).toBeUndefined();

    const retry = await world.runSteps(faulty.versionId);

    expect(retry.failedStep).toBeUndefined();
    expect(world.grafana.tokens.has(orphan.id)).toBe(false);
    expect(world.current()!.tokenName).toBe(name);
    expect(world.current()!.tokenId).not.toBe(orphan.id);
    expect(logEntries().some((e) => e.level === "WARN" && e.tokenName === name)).toBe(true);
    expectInvariants(0);
  });
});

describe("two runs at once", () => {
  test("two forced rotations: Secrets Manager starts one, the other is refused with a clear error", async () => {
    world.seedManagedCurrent();

    const [a, b] = await Promise.allSettled([world.handler({}), world.handler({})]);

    const started = [a, b].filter((r) => r.status === "fulfilled");
    const refused = [a, b].filter((r) => r.status === "rejected");
    expect(started).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const pending = world.secrets.rotationsStarted[0]!;
    expect(world.secrets.rotationsStarted).toHaveLength(1);
    const reason = (refused[0] as PromiseRejectedResult).reason as Error;
    expect(reason.name).toBe("RotationInProgressError");
    expect(reason.message).toContain(`rotation of version ${pending} has not finished`);
    expect(reason.message).toContain(
      `aws secretsmanager update-secret-version-stage --secret-id ${SECRET_ARN} --version-stage AWSPENDING --remove-from-version-id ${pending}`,
    );

    expect((await world.runSteps(pending)).failedStep).toBeUndefined();
    expect(world.secrets.versionWith("AWSCURRENT")).toBe(pending);
    expectInvariants(0);
  });

  test("the same rotation's steps running twice at once leave one working current token", async () => {
    world.seedManagedCurrent();
    const { VersionId } = world.secrets.rotateSecret(SECRET_ARN);

    await Promise.all([world.runSteps(VersionId), world.runSteps(VersionId)]);
    await world.runSteps(VersionId);

    expect(world.secrets.versionWith("AWSCURRENT")).toBe(VersionId);
    expectInvariants(1);
    expect((await world.rotate()).failedStep).toBeUndefined();
    expect(world.grafana.tokens.size, "the current and the previous token").toBe(2);
    expectInvariants(0);
  });

  test("createSecret run twice at once stores one token and leaves no orphan", async () => {
    world.seedManagedCurrent();
    const { VersionId } = world.secrets.rotateSecret(SECRET_ARN);
    const event = { Step: "createSecret", SecretId: SECRET_ARN, ClientRequestToken: VersionId };

    const results = await Promise.allSettled([world.handler(event), world.handler(event)]);

    expect(results.some((r) => r.status === "fulfilled")).toBe(true);
    const pending = JSON.parse(world.secrets.versions.get(VersionId)!.value!);
    expect(world.grafana.rotationTokens().map((t) => t.id)).toEqual(
      expect.arrayContaining([pending.tokenId]),
    );
    expect((await world.runSteps(VersionId)).failedStep).toBeUndefined();
    expectInvariants(0);
  });
});

describe("a pending token that no longer works in Grafana", () => {
  test.each(["deleted", "expired"] as const)(
    "%s: testSecret detaches AWSPENDING, keeps the current token, and the next rotation starts afresh",
    async (how) => {
      world.seedManagedCurrent({ ageSeconds: 0 });
      const before = world.secrets.versionWith("AWSCURRENT");
      const { VersionId } = world.secrets.rotateSecret(SECRET_ARN);
      await world.handler({ Step: "createSecret", SecretId: SECRET_ARN, ClientRequestToken: VersionId });
      const pending = JSON.parse(world.secrets.versions.get(VersionId)!.value!);
      if (how === "deleted") world.grafana.tokens.delete(pending.tokenId);
      else {
        // Both tokens expire; the pending one first, so that is what testSecret sees.
        world.clock.advanceSeconds(TTL_SECONDS + 1);
      }

      const run = await world.runSteps(VersionId);

      expect(run.failedStep).toBe("testSecret");
      expect((run.error as Error).name).toBe("PendingTokenGoneError");
      expect((run.error as Error).message).toContain(
        `Pending token ${pending.tokenId} of version ${VersionId} is ${how === "deleted" ? "gone" : "expired"}`,
      );
      expect(world.secrets.stagesOf(VersionId)).toEqual([]);
      expect(world.secrets.versionWith("AWSCURRENT")).toBe(before);

      const again = await world.runSteps(VersionId);
      expect((again.error as Error).name).toBe("VersionNotStagedError");
      expect(world.secrets.versionWith("AWSCURRENT")).toBe(before);

      const next = await world.rotate();
      expect(next.failedStep).toBeUndefined();
      expectInvariants(0);
    },
  );

  test("Grafana refusing a token that still exists fails testSecret and keeps the rotation pending", async () => {
    world.seedManagedCurrent();
    const before = world.secrets.versionWith("AWSCURRENT");
    world.forcedHttpStatus = 403;

    const run = await world.rotate();

    expect(run.failedStep).toBe("testSecret");
    const pending = JSON.parse(world.secrets.versions.get(run.versionId)!.value!);
    expect((run.error as Error).name).toBe("GrafanaVerificationError");
    expect((run.error as Error).message).toBe(
      `Grafana rejected pending token ${pending.tokenId} of version ${run.versionId} at GET ${GRAFANA_URL}/api/org with HTTP 403. Check that service account ${SERVICE_ACCOUNT_ID} is enabled and may read the organization.`,
    );
    expect(world.secrets.stagesOf(run.versionId)).toEqual(["AWSPENDING"]);
    expect(world.secrets.versionWith("AWSCURRENT")).toBe(before);
    expectInvariants(1);

    world.forcedHttpStatus = undefined;
    expect((await world.runSteps(run.versionId)).failedStep).toBeUndefined();
    expectInvariants(0);
  });
});

describe("the current secret before rotating", () => {
  const HAND_MADE = "glsa_handMadeByTheOperator_0123456789abcdef";
  const setups: Record<string, (w: World) => void> = {
    "absent (first rotation, no AWSCURRENT version)": () => {},
    "an empty string": (w) => {
      w.secrets.seed("");
    },
    "a token pasted by hand": (w) => {
      w.extraSecrets.push(HAND_MADE);
      w.secrets.seed(HAND_MADE);
    },
    "JSON of another shape": (w) => {
      w.extraSecrets.push(HAND_MADE);
      w.secrets.seed(JSON.stringify({ apiKey: HAND_MADE }));
    },
    "a managed token that has expired": (w) => {
      w.seedManagedCurrent({ ageSeconds: TTL_SECONDS + DAY });
    },
  };
  const faults: (readonly [Operation, FaultMode] | undefined)[] = [
    undefined,
    ["CreateWorkspaceServiceAccountToken", "lost"],
    ["UpdateSecretVersionStage", "lost"],
  ];
  // A first rotation moves no label (Secrets Manager makes the first value AWSCURRENT as it is
  // stored), so a fault on UpdateSecretVersionStage cannot happen in it.
  const cases = Object.keys(setups)
    .flatMap((state) => faults.map((fault) => ({ state, fault })))
    .filter(({ state, fault }) => !(state.startsWith("absent") && fault?.[0] === "UpdateSecretVersionStage"));

  test.each(cases)("$state, fault $fault: rotation succeeds", async ({ state, fault }) => {
    setups[state]!(world);
    const previousTokens = [...world.grafana.tokens.keys()];
    if (fault) world.faults.arm(fault[0], fault[1]);

    let run = await world.rotate();
    if (fault) {
      expect(run.failedStep).toBeDefined();
      expectNoTokenLeak();
      run = { versionId: run.versionId, ...(await world.runSteps(run.versionId)) };
    }

    expect(run.failedStep).toBeUndefined();
    expect(world.secrets.versionWith("AWSCURRENT")).toBe(run.versionId);
    expectInvariants(0);
    // The earlier value is AWSPREVIOUS now; the next rotation retires it and its token.
    expect((await world.rotate()).failedStep).toBeUndefined();
    for (const id of previousTokens) expect(world.grafana.tokens.has(id)).toBe(false);
    expectInvariants(0);
  });

  test("the first rotation (the first value is AWSCURRENT as soon as it is stored) still verifies the token", async () => {
    const run = await world.rotate();
    expect(run.failedStep).toBeUndefined();
    expect(world.secrets.stagesOf(run.versionId)).toContain("AWSCURRENT");
    expect(world.fetchCalls.filter((c) => c.authorized)).toHaveLength(1);
  });

  test("a value that is not ours is reported as a warning without the value", async () => {
    world.extraSecrets.push(HAND_MADE);
    world.secrets.seed(HAND_MADE);

    await world.rotate();
    await world.rotate();

    const warnings = logEntries().filter((e) => e.level === "WARN");
    expect(warnings.map((w) => w.message)).toEqual([
      "The current secret value is not a rotation-managed token; rotating anyway",
      "The retiring secret value is not a rotation-managed token; nothing to delete (delete hand-made tokens in Grafana yourself)",
    ]);
    expect(warnings[0]).toMatchObject({ currentSecret: "malformed" });
    expectNoTokenLeak();
  });

  test("a retiring token of another service account is left alone", async () => {
    const foreign = world.grafana.issue("rotation-foreign");
    world.secrets.seed(
      serializeTokenSecret({
        token: foreign.key,
        tokenId: foreign.id,
        tokenName: foreign.name,
        serviceAccountId: "99",
        workspaceId: WORKSPACE_ID,
        createdAt: foreign.createdAt.toISOString(),
        expiresAt: foreign.expiresAt.toISOString(),
      }),
    );

    expect((await world.rotate()).failedStep).toBeUndefined();
    expect((await world.rotate()).failedStep, "the second rotation retires it").toBeUndefined();

    expect(world.secrets.stagesOf(world.secrets.versionWith("AWSPREVIOUS")!)).toEqual(["AWSPREVIOUS"]);
    expect(world.grafana.tokens.has(foreign.id)).toBe(true);
    expect(logEntries().some((e) => e.level === "WARN" && e.retiringServiceAccountId === "99")).toBe(true);
    expectInvariants(0);
  });
});

describe("event validation", () => {
  test("a step for another secret is refused and changes nothing", async () => {
    world.seedManagedCurrent();
    const other = `${SECRET_ARN.slice(0, -6)}ZyXwVu`;
    await expect(
      world.handler({ Step: "createSecret", SecretId: other, ClientRequestToken: randomUUID() }),
    ).rejects.toThrow(`This function rotates ${SECRET_ARN} only, but the event names ${other}.`);
    expect(world.faults.calls.size).toBe(0);
  });

  test("rotation turned off on the secret is refused", async () => {
    world.secrets.rotationEnabled = false;
    const versionId = world.secrets.seed("x", ["AWSPENDING"]);
    await expect(
      world.handler({ Step: "createSecret", SecretId: SECRET_ARN, ClientRequestToken: versionId }),
    ).rejects.toMatchObject({ name: "RotationNotEnabledError" });
    expect(world.grafana.tokens.size).toBe(0);
  });

  test("an unknown version is refused", async () => {
    world.seedManagedCurrent();
    const versionId = randomUUID();
    await expect(
      world.handler({ Step: "createSecret", SecretId: SECRET_ARN, ClientRequestToken: versionId }),
    ).rejects.toThrow(`Version ${versionId} of ${SECRET_ARN} has no stage for rotation`);
  });

  test("a version that is neither pending nor current is refused", async () => {
    world.seedManagedCurrent();
    const first = world.secrets.versionWith("AWSCURRENT")!;
    world.seedManagedCurrent();
    await expect(
      world.handler({ Step: "finishSecret", SecretId: SECRET_ARN, ClientRequestToken: first }),
    ).rejects.toThrow(`Version ${first} of ${SECRET_ARN} is not AWSPENDING (stages: AWSPREVIOUS)`);
  });

  test.each(["createSecret", "setSecret", "testSecret"])(
    "%s on a version that is already AWSCURRENT does nothing",
    async (Step) => {
      world.seedManagedCurrent();
      const current = world.secrets.versionWith("AWSCURRENT")!;
      await expect(
        world.handler({ Step, SecretId: SECRET_ARN, ClientRequestToken: current }),
      ).resolves.toEqual({
        action: "step",
        step: Step,
        versionId: current,
        status: "skipped",
      });
      expect(world.faults.calls.get("CreateWorkspaceServiceAccountToken")).toBeUndefined();
      expect(world.faults.calls.get("fetch")).toBeUndefined();
    },
  );

  test("setSecret changes nothing in Grafana or Secrets Manager", async () => {
    world.seedManagedCurrent();
    const { VersionId } = world.secrets.rotateSecret(SECRET_ARN);
    await world.handler({ Step: "setSecret", SecretId: SECRET_ARN, ClientRequestToken: VersionId });
    expect([...world.faults.calls.keys()]).toEqual(["DescribeSecret"]);
  });

  test.each([
    [
      "a string",
      "x",
      'Expected a Secrets Manager rotation step {"Step", "SecretId", "ClientRequestToken"}, {} or {"action": "rotate"} to rotate now, or {"action": "report-expiry"}; got string.',
    ],
    ["an array", [], `Expected ${ACCEPTED_EVENTS}; got an array.`],
    ["no payload", undefined, `Expected ${ACCEPTED_EVENTS}; got undefined.`],
    ["null", null, `Expected ${ACCEPTED_EVENTS}; got null.`],
    [
      "an EventBridge event",
      { source: "aws.events", detail: {} },
      `Expected ${ACCEPTED_EVENTS}; got {"source":"aws.events","detail":{}}.`,
    ],
    [
      "an action with extra keys",
      { action: "rotate", force: true },
      `Expected ${ACCEPTED_EVENTS}; got {"action":"rotate","force":true}.`,
    ],
    ["a wrongly typed action", { action: 1 }, `Expected ${ACCEPTED_EVENTS}; got {"action":1}.`],
    [
      "an unknown step",
      { Step: "rollback" },
      'Unknown rotation step "rollback"; expected one of createSecret, setSecret, testSecret, finishSecret.',
    ],
    [
      "a step without SecretId",
      { Step: "createSecret", ClientRequestToken: "t" },
      "A rotation step event needs a SecretId string.",
    ],
    [
      "a step without ClientRequestToken",
      { Step: "createSecret", SecretId: SECRET_ARN },
      "A rotation step event needs a ClientRequestToken string.",
    ],
    ["an unknown action", { action: "purge" }, `Expected ${ACCEPTED_EVENTS}; got {"action":"purge"}.`],
  ])("%s is refused", async (_label, event, message) => {
    expect(() => parseEvent(event)).toThrow(message);
    await expect(world.handler(event)).rejects.toMatchObject({ name: "InvalidEventError", message });
  });
});

test("a step event with a key AWS adds later is run, and the key is logged", async () => {
  world.seedManagedCurrent();
  const { VersionId } = world.secrets.rotateSecret(SECRET_ARN);
  await world.handler({
    Step: "setSecret",
    SecretId: SECRET_ARN,
    ClientRequestToken: VersionId,
    RotationToken: "t",
    SomethingNew: 1,
  });
  expect(logEntries()).toContainEqual(
    expect.objectContaining({ level: "WARN", extraKeys: ["SomethingNew"], step: "setSecret" }),
  );
});

describe("a direct invoke", () => {
  test.each([
    ["{} (a plain aws lambda invoke)", {}],
    ['{"action":"rotate"}', { action: "rotate" }],
  ])("%s calls RotateSecret on SECRET_ARN and returns a summary without the token", async (_label, event) => {
    world.seedManagedCurrent();

    const result = await world.handler(event);

    const calls = world.smMock.commandCalls(RotateSecretCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({ SecretId: SECRET_ARN });
    const versionId = world.secrets.rotationsStarted[0];
    expect(result).toEqual({ action: "rotate", status: "started", secretArn: SECRET_ARN, versionId });
    expectNoTokenLeak();
  });

  test("a secret without rotation is refused with a clear error", async () => {
    world.secrets.rotationEnabled = false;
    await expect(world.handler({})).rejects.toThrow(
      `Rotation is not enabled on ${SECRET_ARN}. Enable it (aws_secretsmanager_secret_rotation) before rotating.`,
    );
  });

  test("a throttled RotateSecret surfaces the SDK error", async () => {
    world.faults.arm("RotateSecret", "throttle");
    await expect(world.handler({})).rejects.toMatchObject({ name: "ThrottlingException" });
    expect(world.secrets.rotationsStarted).toEqual([]);
  });
});

describe("the expiry report", () => {
  function metricLine(): Record<string, any> {
    const lines = logEntries().filter((e) => "_aws" in e);
    expect(lines).toHaveLength(1);
    return lines[0]!;
  }

  test("emits TokenSecondsToExpiry in seconds as Embedded Metric Format", async () => {
    const token = world.seedManagedCurrent({ ageSeconds: 25 * DAY });

    const result = await world.handler({ action: "report-expiry" });

    expect(result).toEqual({
      action: "report-expiry",
      secondsToExpiry: 5 * DAY,
      currentSecret: "ok",
      reason: "ok",
      tokenId: token.id,
    });
    const line = metricLine();
    expect(line._aws).toEqual({
      Timestamp: world.clock.now().getTime(),
      CloudWatchMetrics: [
        {
          Namespace: "MeetingNotes/Grafana",
          Dimensions: [["WorkspaceId"]],
          Metrics: [{ Name: EXPIRY_METRIC_NAME, Unit: "Seconds" }],
        },
      ],
    });
    expect(line.WorkspaceId).toBe(WORKSPACE_ID);
    expect(line[EXPIRY_METRIC_NAME]).toBe(5 * DAY);
    expect(line.tokenId).toBe(token.id);
    expectNoTokenLeak();
  });

  test.each([
    ["missing", () => {}, "missing"],
    ["malformed", (w: World) => w.secrets.seed("not json"), "malformed"],
    ["expired", (w: World) => w.seedManagedCurrent({ ageSeconds: TTL_SECONDS + 60 }), "ok"],
  ] as const)("a %s current token reports 0", async (_label, setup, status) => {
    setup(world);
    const result = await world.handler({ action: "report-expiry" });
    expect(result).toMatchObject({ secondsToExpiry: 0, currentSecret: status });
    expect(metricLine()[EXPIRY_METRIC_NAME]).toBe(0);
  });
});

/** Waits until the held call is reached; fails at once if the invocation ends without reaching it. */
async function held(hold: { reached: Promise<void> }, invocation: Promise<unknown>): Promise<void> {
  const ended = invocation.then(
    () => "ended",
    () => "ended",
  );
  expect(await Promise.race([hold.reached.then(() => "held"), ended]), "the held call was reached").toBe(
    "held",
  );
}

describe("two rotations interleaved step by step", () => {
  test("a second rotation that completes while the first one cleans up keeps its token", async () => {
    world.seedManagedCurrent({ ageSeconds: 50 * DAY });
    const original = world.seedManagedCurrent();
    const a = world.secrets.rotateSecret(SECRET_ARN).VersionId;
    for (const Step of ["createSecret", "setSecret", "testSecret"] as const) {
      await world.handler({ Step, SecretId: SECRET_ARN, ClientRequestToken: a });
    }
    // A's finishSecret is held at its first call after AWSCURRENT moved to A.
    const hold = world.faults.holdAfter("UpdateSecretVersionStage");
    const finishA = world.handler({ Step: "finishSecret", SecretId: SECRET_ARN, ClientRequestToken: a });
    await held(hold, finishA);
    expect(world.secrets.versionWith("AWSCURRENT")).toBe(a);
    const tokenA = world.current()!.tokenId;

    // Meanwhile an operator forces a rotation (B), and it runs to the end.
    const forced = await world.handler({});
    const b = (forced as { versionId: string }).versionId;
    expect((await world.runSteps(b)).failedStep).toBeUndefined();
    const tokenB = world.current()!.tokenId;

    hold.release();
    await finishA;

    expect(world.secrets.versionWith("AWSCURRENT")).toBe(b);
    expect(world.secrets.versionWith("AWSPREVIOUS")).toBe(a);
    expect(world.grafana.tokens.has(tokenB), "AWSCURRENT's token survives A's clean-up").toBe(true);
    expect(world.grafana.accepts(world.current()!.token)).toBe(true);
    expect(world.grafana.tokens.has(tokenA), "AWSPREVIOUS's token survives too").toBe(true);
    expect(world.grafana.tokens.has(original.id), "the token no label references is gone").toBe(false);
    expectInvariants(0);
  });

  test("a rotation that starts between the clean-up's token list and its label read keeps its pending token", async () => {
    world.seedManagedCurrent();
    const a = world.secrets.rotateSecret(SECRET_ARN).VersionId;
    for (const Step of ["createSecret", "setSecret", "testSecret"] as const) {
      await world.handler({ Step, SecretId: SECRET_ARN, ClientRequestToken: a });
    }
    // A's clean-up has listed the tokens and is about to read the labels.
    const hold = world.faults.holdAfter("ListWorkspaceServiceAccountTokens", "DescribeSecret");
    const finishA = world.handler({ Step: "finishSecret", SecretId: SECRET_ARN, ClientRequestToken: a });
    await held(hold, finishA);

    const b = ((await world.handler({})) as { versionId: string }).versionId;
    await world.handler({ Step: "createSecret", SecretId: SECRET_ARN, ClientRequestToken: b });
    const pendingB = JSON.parse(world.secrets.versions.get(b)!.value!).tokenId as string;

    hold.release();
    await finishA;

    expect(world.grafana.tokens.has(pendingB), "B's pending token survives A's clean-up").toBe(true);
    expect((await world.runSteps(b)).failedStep).toBeUndefined();
    expect(world.current()!.tokenId).toBe(pendingB);
    expectInvariants(0);
  });
});

describe("abandoned rotations", () => {
  test("createSecret deletes the tokens of earlier abandoned attempts before it makes a new one", async () => {
    const current = world.seedManagedCurrent();
    world.forcedHttpStatus = 403;
    const abandoned: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const run = await world.rotate();
      expect(run.failedStep).toBe("testSecret");
      abandoned.push(JSON.parse(world.secrets.versions.get(run.versionId)!.value!).tokenId);
      // What the RotationInProgressError tells the operator to do, some time later.
      world.secrets.updateSecretVersionStage({
        SecretId: SECRET_ARN,
        VersionStage: "AWSPENDING",
        RemoveFromVersionId: run.versionId,
      });
      world.clock.advanceSeconds(SWEEP_GRACE_SECONDS + 60);
    }
    // Each attempt's createSecret deleted the attempt before it: one stray is left, not three.
    expect(world.strayTokens().map((t) => t.id)).toEqual([abandoned[2]]);

    const { VersionId } = world.secrets.rotateSecret(SECRET_ARN);
    await world.handler({ Step: "createSecret", SecretId: SECRET_ARN, ClientRequestToken: VersionId });

    for (const id of abandoned) expect(world.grafana.tokens.has(id)).toBe(false);
    expect(world.strayTokens()).toEqual([]);
    expect(world.grafana.tokens.has(current.id)).toBe(true);
    expect(logEntries()).toContainEqual(
      expect.objectContaining({ message: "Deleted tokens of abandoned rotations", deletedTokens: 1 }),
    );
    world.forcedHttpStatus = undefined;
    expect((await world.runSteps(VersionId)).failedStep).toBeUndefined();
    expectInvariants(0);
  });
});

describe("errors that say what to do", () => {
  const FOREIGN = "glsa_pastedIntoThePendingVersion_0123456789";

  test.each(["createSecret", "testSecret", "finishSecret"] as const)(
    "a value this function did not write on AWSPENDING stops %s with the command that detaches it",
    async (Step) => {
      world.seedManagedCurrent();
      world.extraSecrets.push(FOREIGN);
      const { VersionId } = world.secrets.rotateSecret(SECRET_ARN);
      world.secrets.versions.get(VersionId)!.value = FOREIGN;

      const error = await world
        .handler({ Step, SecretId: SECRET_ARN, ClientRequestToken: VersionId })
        .catch((e: Error) => e);

      expect(error).toMatchObject({ name: "PendingSecretInvalidError" });
      const message = (error as Error).message;
      expect(message).toContain(
        `Version ${VersionId} of ${SECRET_ARN} is AWSPENDING with a value this function did not write`,
      );
      expect(message).toContain(
        `aws secretsmanager update-secret-version-stage --secret-id ${SECRET_ARN} --version-stage AWSPENDING --remove-from-version-id ${VersionId}`,
      );
      expect(message).not.toContain("createSecret must run first");
      expect(world.faults.calls.get("CreateWorkspaceServiceAccountToken")).toBeUndefined();
      expectNoTokenLeak();
    },
  );

  test("a service account deleted in Grafana is reported as such, never as a token already gone", async () => {
    world.seedManagedCurrent({ ageSeconds: 50 * DAY });
    world.seedManagedCurrent();
    const { VersionId } = world.secrets.rotateSecret(SECRET_ARN);
    for (const Step of ["createSecret", "setSecret", "testSecret"] as const) {
      await world.handler({ Step, SecretId: SECRET_ARN, ClientRequestToken: VersionId });
    }
    world.grafana.serviceAccountDeleted = true;

    const error = await world
      .handler({ Step: "finishSecret", SecretId: SECRET_ARN, ClientRequestToken: VersionId })
      .catch((e: Error) => e);

    expect(error).toMatchObject({ name: "ServiceAccountNotFoundError" });
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Grafana service account ${SERVICE_ACCOUNT_ID} of workspace ${WORKSPACE_ID} does not exist \\(ListWorkspaceServiceAccountTokens answered Service account not found\\)\\. No token can be created or deleted\\. List the workspace's service accounts \\(aws grafana list-workspace-service-accounts --workspace-id ${WORKSPACE_ID}\\), set observability\\.grafanaServiceAccountId`,
      ),
    );
    expect(logEntries().some((e) => e.message === "Grafana token already gone")).toBe(false);
  });

  test("a service account deleted before a delete call: the delete's not-found is checked, not trusted", async () => {
    world.seedManagedCurrent({ ageSeconds: 50 * DAY });
    world.seedManagedCurrent();
    // The account disappears between the clean-up's token list and its delete call.
    const hold = world.faults.holdAfter("UpdateSecretVersionStage", "DeleteWorkspaceServiceAccountToken");
    const run = world.rotate();
    await held(hold, run);
    world.grafana.serviceAccountDeleted = true;
    hold.release();

    const { failedStep, error } = await run;

    expect(failedStep).toBe("finishSecret");
    expect(error).toMatchObject({ name: "ServiceAccountNotFoundError" });
    expect(logEntries().some((e) => e.message === "Grafana token already gone")).toBe(false);
  });

  test("createSecret without the service account fails with the same advice", async () => {
    world.grafana.serviceAccountDeleted = true;
    const run = await world.rotate();
    expect(run.failedStep).toBe("createSecret");
    expect(run.error).toMatchObject({ name: "ServiceAccountNotFoundError" });
    expect(world.secrets.versions.get(run.versionId)?.value).toBeUndefined();
  });
});

describe("the invocation deadline", () => {
  test("a call that never answers ends the invocation with a clear error before Lambda's timeout", async () => {
    world.seedManagedCurrent();
    world.smMock.on(RotateSecretCommand).callsFake(() => new Promise(() => {}));
    const started = Date.now();

    const error = await world
      .handler({}, { awsRequestId: "r-1", getRemainingTimeInMillis: () => DEADLINE_MARGIN_MS + 150 })
      .catch((e: Error) => e);

    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ name: "DeadlineExceededError" });
    expect((error as Error).message).toBe(
      `The invocation stopped ${DEADLINE_MARGIN_MS} ms before the function's timeout with calls to Secrets Manager or Grafana still unanswered. Every step is safe to re-run: Secrets Manager re-attempts a rotation step; invoke the function again for anything else.`,
    );
    expect(elapsed).toBeGreaterThanOrEqual(100);
    expect(elapsed).toBeLessThan(2_000);
    expect(logEntries()).toContainEqual(
      expect.objectContaining({
        level: "ERROR",
        message: "Invocation failed",
        errorName: "DeadlineExceededError",
      }),
    );
  }, 5_000);

  test("with time to spare the same invocation completes", async () => {
    world.seedManagedCurrent();
    const result = await world.handler({}, { getRemainingTimeInMillis: () => 60_000 });
    expect(result).toMatchObject({ action: "rotate", status: "started" });
  });
});

describe("the expiry report asks Grafana", () => {
  test("Grafana's expiry wins over the stored one", async () => {
    const token = world.seedManagedCurrent({ ageSeconds: DAY });
    // Grafana says the token ends in two days, whatever the secret claims.
    world.grafana.tokens.set(token.id, {
      ...token,
      expiresAt: new Date(world.clock.now().getTime() + 2 * DAY * 1000),
    });

    const result = await world.handler({ action: "report-expiry" });

    expect(result).toMatchObject({ secondsToExpiry: 2 * DAY, reason: "ok", tokenId: token.id });
  });

  test.each([
    ["not-in-grafana", (w: World) => w.grafana.tokens.delete(w.seedManagedCurrent().id)],
    [
      "other-workspace",
      (w: World) => {
        // The workspace was replaced: the stored token names the old one.
        const token = w.grafana.issue(`${rotationTokenPrefix(SECRET_ARN)}${randomUUID()}`);
        w.secrets.seed(
          serializeTokenSecret({
            token: token.key,
            tokenId: token.id,
            tokenName: token.name,
            serviceAccountId: SERVICE_ACCOUNT_ID,
            workspaceId: "g-aaaaaaaaaa",
            createdAt: token.createdAt.toISOString(),
            expiresAt: token.expiresAt.toISOString(),
          }),
        );
      },
    ],
    [
      "service-account-gone",
      (w: World) => {
        w.seedManagedCurrent();
        w.grafana.serviceAccountDeleted = true;
      },
    ],
  ] as const)("%s: reports 0 seconds so the expiry alarm fires", async (reason, setup) => {
    setup(world);

    const result = await world.handler({ action: "report-expiry" });

    expect(result).toMatchObject({ secondsToExpiry: 0, reason, currentSecret: "ok" });
    const line = logEntries().find((e) => "_aws" in e)!;
    expect(line[EXPIRY_METRIC_NAME]).toBe(0);
    expect(line.reason).toBe(reason);
    expectNoTokenLeak();
  });
});

describe("a rotation abandoned while its finishSecret runs", () => {
  /** Rotation A up to testSecret, on top of a managed current token. */
  async function rotationUpToTest(): Promise<{ a: string; original: string }> {
    const original = world.seedManagedCurrent().id;
    const a = world.secrets.rotateSecret(SECRET_ARN).VersionId;
    for (const Step of ["createSecret", "setSecret", "testSecret"] as const) {
      await world.handler({ Step, SecretId: SECRET_ARN, ClientRequestToken: a });
    }
    return { a, original };
  }
  /** What the operator does: abandon A, wait, force a rotation B and let its createSecret run. */
  async function abandonAndStartAnother(a: string, wait: number): Promise<string> {
    world.secrets.updateSecretVersionStage({
      SecretId: SECRET_ARN,
      VersionStage: "AWSPENDING",
      RemoveFromVersionId: a,
    });
    world.clock.advanceSeconds(wait);
    const b = ((await world.handler({})) as { versionId: string }).versionId;
    await world.handler({ Step: "createSecret", SecretId: SECRET_ARN, ClientRequestToken: b });
    return b;
  }

  test("abandoned before its labels are re-read: finishSecret refuses and AWSCURRENT keeps a working token", async () => {
    const { a, original } = await rotationUpToTest();
    const hold = world.faults.holdAfter("DescribeSecret");
    const finishA = world.handler({ Step: "finishSecret", SecretId: SECRET_ARN, ClientRequestToken: a });
    await held(hold, finishA);
    await abandonAndStartAnother(a, SWEEP_GRACE_SECONDS + 60);
    hold.release();

    await expect(finishA).rejects.toMatchObject({ name: "VersionNotStagedError" });
    expect(world.current()!.tokenId).toBe(original);
    expect(world.grafana.accepts(world.current()!.token)).toBe(true);
  });

  test("abandoned and swept between its checks and its promotion: AWSCURRENT is moved back", async () => {
    const { a, original } = await rotationUpToTest();
    const before = world.secrets.versionWith("AWSCURRENT");
    // Held after finishSecret's token check, right before it moves AWSCURRENT.
    const hold = world.faults.holdAfter("ListWorkspaceServiceAccountTokens", "UpdateSecretVersionStage");
    const finishA = world.handler({ Step: "finishSecret", SecretId: SECRET_ARN, ClientRequestToken: a });
    await held(hold, finishA);
    const tokenA = JSON.parse(world.secrets.versions.get(a)!.value!).tokenId as string;
    await abandonAndStartAnother(a, SWEEP_GRACE_SECONDS + 60);
    expect(world.grafana.tokens.has(tokenA), "B's sweep took A's unreferenced token").toBe(false);
    hold.release();

    await expect(finishA).rejects.toMatchObject({ name: "PendingTokenGoneError" });
    expect(world.secrets.versionWith("AWSCURRENT")).toBe(before);
    expect(world.current()!.tokenId).toBe(original);
    expect(world.grafana.accepts(world.current()!.token)).toBe(true);
  });

  test("within the grace period a sweep leaves an unreferenced young token alone; a later one takes it", async () => {
    const { a } = await rotationUpToTest();
    const tokenA = JSON.parse(world.secrets.versions.get(a)!.value!).tokenId as string;
    const b = await abandonAndStartAnother(a, 60);
    expect(world.grafana.tokens.has(tokenA)).toBe(true);

    world.clock.advanceSeconds(SWEEP_GRACE_SECONDS);
    expect((await world.runSteps(b)).failedStep).toBeUndefined();

    expect(world.grafana.tokens.has(tokenA)).toBe(false);
    expectInvariants(0);
  });
});
