/**
 * Rotation of the application's database credentials, with Secrets Manager's rotation protocol and
 * the alternating-users strategy: each rotation gives a new password to the login role that is not
 * current (`<app>_a` and `<app>_b` in turn), so the credentials running tasks hold keep working
 * while new ones roll out, and then redeploys the services so every task reads them.
 *
 * - createSecret: stores `{ engine, host, port, dbname, username, password, url }` as AWSPENDING for
 *   the step's version: the other login role and a new random password. Nothing when that version
 *   has a value already.
 * - setSecret: nothing when the pending credentials log in already; otherwise, as the master user
 *   (the AWSCURRENT value of the secret RDS manages, or AWSPREVIOUS while RDS rotates it), creates or
 *   alters the role, its password (a SCRAM verifier: the statement holds no password) and its grants.
 * - testSecret: logs in with the pending credentials over TLS and checks the session acts as the
 *   group role and may create in `public`.
 * - finishSecret: moves AWSCURRENT to the version (the old one becomes AWSPREVIOUS), then asks ECS
 *   for a new deployment of each configured service. A service that does not exist yet (the first
 *   rotation, during the first deploy) is skipped; any other failure fails the step, which Secrets
 *   Manager retries (moving the label is then a no-op and the redeploy runs again).
 *
 * No password, URL or secret string is logged, returned or put in an error: the logger redacts
 * every one the function reads or makes, and the messages name roles, versions and secrets only.
 */
import { type ECSClient, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { createLogger, describeError, type Logger } from "../shared/logger";
import { loginRoles, type RotationConfig } from "./config";
import {
  credentials,
  type DatabaseCredentials,
  generatePassword,
  parseCredentials,
  parseMasterCredentials,
  serializeCredentials,
} from "./credentials";
import {
  InvalidEventError,
  MasterLoginError,
  PendingLoginError,
  RedeployError,
  RotationError,
  StepRefusedError,
} from "./errors";
import {
  type DatabaseEndpoint,
  isLoginRefused,
  provisionLoginRole,
  sessionFacts,
  withSession,
} from "./postgres";

export const ROTATION_STEPS = ["createSecret", "setSecret", "testSecret", "finishSecret"] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

export interface RotationStepEvent {
  readonly Step: RotationStep;
  readonly SecretId: string;
  readonly ClientRequestToken: string;
}

export interface StepResult {
  readonly step: RotationStep;
  readonly versionId: string;
  readonly status: "done" | "skipped";
  /** The login role of the pending version. */
  readonly username?: string;
  /** Services a finishSecret redeployed. */
  readonly redeployed?: readonly string[];
}

export interface RotationDependencies {
  readonly config: RotationConfig;
  readonly secretsManager: SecretsManagerClient;
  readonly ecs: Pick<ECSClient, "send">;
  /** TLS options for the database connections (tests pass their own CA). @default {} */
  readonly tls?: DatabaseEndpoint["tls"];
  /** @default - a JSON logger on stdout */
  readonly logger?: Logger;
  /** @default generatePassword */
  readonly generatePassword?: () => string;
  /** Milliseconds between two looks while awaiting the current credentials. @default 2000 */
  readonly pollIntervalMs?: number;
  /** How long the wait lasts without a Lambda context. @default 50000 */
  readonly awaitTimeoutMs?: number;
}

/** What `{ "action": "await-current" }` returns: no value, only which version and role. */
export interface AwaitResult {
  readonly action: "await-current";
  readonly status: "ready";
  readonly versionId: string;
  readonly username: string;
}

/** The Lambda context fields the function uses. */
export interface InvocationContext {
  /** Lambda's clock: without it (tests, local runs) the wait uses {@link RotationDependencies.awaitTimeoutMs}. */
  readonly getRemainingTimeInMillis?: () => number;
}

export type RotationHandler = (
  event: unknown,
  context?: InvocationContext,
) => Promise<StepResult | AwaitResult>;

const errorName = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "name" in error ? String(error.name) : undefined;

/** ECS errors that mean the service is not there to redeploy (yet). */
const SERVICE_ABSENT = new Set([
  "ServiceNotFoundException",
  "ServiceNotActiveException",
  "ClusterNotFoundException",
]);

/** Checks the shape of an event; anything else is refused with what is accepted. */
export function parseEvent(event: unknown): RotationStepEvent | { readonly action: "await-current" } {
  const e = (typeof event === "object" && event !== null ? event : {}) as Record<string, unknown>;
  if (e.action === "await-current" && Object.keys(e).length === 1) return { action: "await-current" };
  if (!ROTATION_STEPS.includes(e.Step as RotationStep)) {
    throw new InvalidEventError(
      `Expected a Secrets Manager rotation step {"Step", "SecretId", "ClientRequestToken"} with Step one of ${ROTATION_STEPS.join(", ")}, or {"action": "await-current"}; got ${typeof event === "object" && event !== null ? `keys ${JSON.stringify(Object.keys(event))}` : typeof event}. To rotate now, run: aws secretsmanager rotate-secret --secret-id <the credentials secret>.`,
    );
  }
  if (
    typeof e.SecretId !== "string" ||
    e.SecretId === "" ||
    typeof e.ClientRequestToken !== "string" ||
    e.ClientRequestToken === ""
  ) {
    throw new InvalidEventError("A rotation step needs SecretId and ClientRequestToken strings.");
  }
  return { Step: e.Step as RotationStep, SecretId: e.SecretId, ClientRequestToken: e.ClientRequestToken };
}

export function createRotationHandler(deps: RotationDependencies): RotationHandler {
  const { config } = deps;
  const rootLogger = deps.logger ?? createLogger({ service: "db-credentials-rotation" });
  const newPassword = deps.generatePassword ?? generatePassword;
  const pollIntervalMs = deps.pollIntervalMs ?? 2_000;
  const endpoint: DatabaseEndpoint = {
    host: config.host,
    port: config.port,
    database: config.database,
    tls: deps.tls ?? {},
  };
  const [loginA, loginB] = loginRoles(config.appRole);
  const sm = <T>(command: { input: unknown }): Promise<T> =>
    deps.secretsManager.send(command as never) as Promise<T>;

  const describe = async () => {
    const meta = await sm<{ RotationEnabled?: boolean; VersionIdsToStages?: Record<string, string[]> }>(
      new DescribeSecretCommand({ SecretId: config.secretArn }),
    );
    return { rotationEnabled: meta.RotationEnabled === true, stages: meta.VersionIdsToStages ?? {} };
  };

  /** A version's value, or `undefined` when it has none. Every value read is redacted. */
  const read = async (
    secretId: string,
    selector: { VersionId?: string; VersionStage?: string },
    log: Logger,
  ): Promise<string | undefined> => {
    try {
      const out = await sm<{ SecretString?: string }>(
        new GetSecretValueCommand({ SecretId: secretId, ...selector }),
      );
      if (out.SecretString !== undefined) redactValue(log, out.SecretString);
      return out.SecretString;
    } catch (error) {
      if (errorName(error) === "ResourceNotFoundException") return undefined;
      throw error;
    }
  };

  const redactValue = (log: Logger, raw: string) => {
    log.redact(raw);
    const app = parseCredentials(raw);
    if (app) {
      log.redact(app.password);
      log.redact(encodeURIComponent(app.password));
      log.redact(app.url);
    }
    const master = parseMasterCredentials(raw);
    if (master) {
      log.redact(master.password);
      log.redact(encodeURIComponent(master.password));
    }
  };

  const pendingCredentials = async (versionId: string, log: Logger): Promise<DatabaseCredentials> => {
    const raw = await read(config.secretArn, { VersionId: versionId, VersionStage: "AWSPENDING" }, log);
    const value = parseCredentials(raw);
    if (value === undefined) {
      throw new StepRefusedError(
        `The AWSPENDING version ${versionId} of ${config.secretArn} holds no credentials this function wrote. As the break-glass role, detach the label (aws secretsmanager update-secret-version-stage --secret-id ${config.secretArn} --version-stage AWSPENDING --remove-from-version-id ${versionId}) and rotate again.`,
      );
    }
    if (value.username !== loginA && value.username !== loginB) {
      throw new StepRefusedError(
        `The AWSPENDING version ${versionId} names the role ${value.username}; this function rotates ${loginA} and ${loginB} only.`,
      );
    }
    return value;
  };

  /** Tries the master secret's current value, then its previous one (RDS may be rotating it). */
  const asMaster = async <T>(log: Logger, work: Parameters<typeof withSession<T>>[3]): Promise<T> => {
    let lastRefusal: unknown;
    for (const stage of ["AWSCURRENT", "AWSPREVIOUS"]) {
      const master = parseMasterCredentials(await read(config.masterSecretArn, { VersionStage: stage }, log));
      if (master === undefined) continue;
      try {
        return await withSession(endpoint, master.username, master.password, work);
      } catch (error) {
        if (!isLoginRefused(error)) throw error;
        lastRefusal = error;
        log.warn("The master secret's credentials were refused", { masterStage: stage });
      }
    }
    throw new MasterLoginError(
      `Neither the AWSCURRENT nor the AWSPREVIOUS value of the master secret ${config.masterSecretArn} logs in to ${config.host}:${config.port}/${config.database}${lastRefusal ? ` (${describeError(lastRefusal).errorMessage})` : ""}. Check the instance's master user secret (aws rds describe-db-instances --query 'DBInstances[].MasterUserSecret') and that RDS manages it, then rotate again.`,
      { cause: lastRefusal },
    );
  };

  const createSecret = async (versionId: string, log: Logger): Promise<StepResult> => {
    const existing = await read(config.secretArn, { VersionId: versionId, VersionStage: "AWSPENDING" }, log);
    if (existing !== undefined) return { step: "createSecret", versionId, status: "skipped" };
    const current = parseCredentials(await read(config.secretArn, { VersionStage: "AWSCURRENT" }, log));
    const username = current?.username === loginA ? loginB : loginA;
    const password = newPassword();
    log.redact(password);
    log.redact(encodeURIComponent(password));
    const value = credentials({
      host: config.host,
      port: config.port,
      dbname: config.database,
      username,
      password,
    });
    log.redact(value.url);
    await sm(
      new PutSecretValueCommand({
        SecretId: config.secretArn,
        ClientRequestToken: versionId,
        SecretString: serializeCredentials(value),
        VersionStages: ["AWSPENDING"],
      }),
    );
    log.info("Stored new pending credentials", { username, previousUsername: current?.username });
    return { step: "createSecret", versionId, status: "done", username };
  };

  const logsIn = async (value: DatabaseCredentials): Promise<boolean> => {
    try {
      await withSession(endpoint, value.username, value.password, async () => undefined);
      return true;
    } catch (error) {
      if (isLoginRefused(error)) return false;
      throw error;
    }
  };

  const setSecret = async (versionId: string, log: Logger): Promise<StepResult> => {
    const pending = await pendingCredentials(versionId, log);
    if (await logsIn(pending)) {
      return { step: "setSecret", versionId, status: "skipped", username: pending.username };
    }
    const provisioned = await asMaster(log, (master) =>
      provisionLoginRole(master, {
        group: config.appRole,
        login: pending.username,
        password: pending.password,
        database: config.database,
      }),
    );
    log.info("Set the pending role's password and grants", { username: pending.username, ...provisioned });
    return { step: "setSecret", versionId, status: "done", username: pending.username };
  };

  const testSecret = async (versionId: string, log: Logger): Promise<StepResult> => {
    const pending = await pendingCredentials(versionId, log);
    let facts: Awaited<ReturnType<typeof sessionFacts>>;
    try {
      facts = await withSession(endpoint, pending.username, pending.password, sessionFacts);
    } catch (error) {
      throw new PendingLoginError(
        `The pending credentials of version ${versionId} (role ${pending.username}) do not log in: ${describeError(error).errorMessage}. AWSCURRENT is unchanged; Secrets Manager retries the rotation.`,
        { cause: error },
      );
    }
    const problems = [
      facts.sessionUser === pending.username ? undefined : `session user is ${facts.sessionUser}`,
      facts.currentUser === config.appRole
        ? undefined
        : `the session acts as ${facts.currentUser}, not ${config.appRole}`,
      facts.ssl ? undefined : "the connection is not encrypted",
      facts.canCreateInPublic ? undefined : `${config.appRole} may not create in the schema public`,
    ].filter((p): p is string => p !== undefined);
    if (problems.length > 0) {
      throw new PendingLoginError(
        `The pending credentials of version ${versionId} log in, but ${problems.join("; ")}. AWSCURRENT is unchanged.`,
      );
    }
    log.info("The pending credentials log in", { username: pending.username });
    return { step: "testSecret", versionId, status: "done", username: pending.username };
  };

  const redeploy = async (log: Logger): Promise<string[]> => {
    const redeployed: string[] = [];
    const failures: string[] = [];
    for (const { cluster, service } of config.redeployServices) {
      try {
        await deps.ecs.send(new UpdateServiceCommand({ cluster, service, forceNewDeployment: true }));
        redeployed.push(`${cluster}/${service}`);
        log.info("Started a new deployment", { cluster, service });
      } catch (error) {
        if (SERVICE_ABSENT.has(errorName(error) ?? "")) {
          log.warn("Service not there to redeploy; it reads the credentials when it starts", {
            cluster,
            service,
          });
          continue;
        }
        failures.push(`${cluster}/${service} (${describeError(error).errorMessage})`);
        log.error("Could not start a new deployment", { cluster, service, ...describeError(error) });
      }
    }
    if (failures.length > 0) {
      throw new RedeployError(
        `The new credentials are current, but these services still run tasks with the previous ones, which stop working at the next rotation: ${failures.join(", ")}. Redeploy them: aws ecs update-service --cluster <cluster> --service <service> --force-new-deployment.`,
      );
    }
    return redeployed;
  };

  const finishSecret = async (versionId: string, log: Logger): Promise<StepResult> => {
    const { stages } = await describe();
    const current = Object.entries(stages).find(([, labels]) => labels.includes("AWSCURRENT"))?.[0];
    let status: StepResult["status"] = "skipped";
    if (current !== versionId) {
      await sm(
        new UpdateSecretVersionStageCommand({
          SecretId: config.secretArn,
          VersionStage: "AWSCURRENT",
          MoveToVersionId: versionId,
          ...(current ? { RemoveFromVersionId: current } : {}),
        }),
      );
      status = "done";
      log.info("Promoted the new credentials", { previousVersionId: current });
    }
    const redeployed = await redeploy(log);
    return { step: "finishSecret", versionId, status, redeployed };
  };

  /**
   * Waits until a rotation has made credentials current (a version labelled AWSCURRENT and no
   * longer AWSPENDING) and they log in; what Terraform invokes before it creates the services.
   */
  const awaitCurrent = async (context: InvocationContext | undefined): Promise<AwaitResult> => {
    const log = rootLogger.child({ action: "await-current" });
    const started = Date.now();
    const budget = () =>
      context?.getRemainingTimeInMillis
        ? context.getRemainingTimeInMillis() - 5_000
        : (deps.awaitTimeoutMs ?? 50_000) - (Date.now() - started);
    let last = "no version is AWSCURRENT yet";
    for (;;) {
      const { stages } = await describe();
      const current = Object.entries(stages).find(([, labels]) => labels.includes("AWSCURRENT"));
      if (current && !current[1].includes("AWSPENDING")) {
        const value = parseCredentials(await read(config.secretArn, { VersionId: current[0] }, log));
        if (value === undefined) {
          last = `the AWSCURRENT version ${current[0]} holds no credentials this function wrote`;
        } else if (await logsIn(value)) {
          log.info("The current credentials log in", { versionId: current[0], username: value.username });
          return {
            action: "await-current",
            status: "ready",
            versionId: current[0],
            username: value.username,
          };
        } else {
          last = `the AWSCURRENT credentials (version ${current[0]}, role ${value.username}) do not log in`;
        }
      } else if (current) {
        last = `the first rotation is under way (version ${current[0]} is still AWSPENDING)`;
      }
      if (budget() < pollIntervalMs) break;
      await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
    }
    const error = new RotationError(
      `No usable credentials in ${config.secretArn} yet: ${last}. Read the rotation's logs (aws logs tail /aws/lambda/<this function>), fix the cause, rotate (aws secretsmanager rotate-secret --secret-id ${config.secretArn}) and apply again.`,
    );
    log.error("Gave up waiting for the current credentials", describeError(error));
    throw error;
  };

  return async (event, context) => {
    const parsed = parseEvent(event);
    if ("action" in parsed) return awaitCurrent(context);
    const step = parsed;
    const log = rootLogger.child({ step: step.Step, versionId: step.ClientRequestToken });
    try {
      if (step.SecretId !== config.secretArn) {
        throw new StepRefusedError(
          `This function rotates ${config.secretArn} only, but the event names ${step.SecretId}. Point the other secret's rotation at its own function.`,
        );
      }
      const { rotationEnabled, stages } = await describe();
      if (!rotationEnabled) {
        throw new StepRefusedError(`Rotation is not enabled on ${config.secretArn}.`);
      }
      const labels = stages[step.ClientRequestToken];
      if (labels === undefined) {
        throw new StepRefusedError(
          `Version ${step.ClientRequestToken} of ${config.secretArn} has no staging label.`,
        );
      }
      // A version both AWSCURRENT and AWSPENDING is a secret's first value (Secrets Manager makes the
      // first version current whatever the call asked): its steps still run, since setSecret is what
      // creates the role. Only a version that is current and no longer pending is done.
      if (labels.includes("AWSCURRENT") && !labels.includes("AWSPENDING") && step.Step !== "finishSecret") {
        log.info("The version is current already");
        return { step: step.Step, versionId: step.ClientRequestToken, status: "skipped" };
      }
      if (!labels.includes("AWSPENDING") && !labels.includes("AWSCURRENT")) {
        throw new StepRefusedError(
          `Version ${step.ClientRequestToken} of ${config.secretArn} is not pending (labels ${JSON.stringify(labels)}).`,
        );
      }
      const run = { createSecret, setSecret, testSecret, finishSecret }[step.Step];
      const result = await run(step.ClientRequestToken, log);
      log.info("Step finished", { status: result.status });
      return result;
    } catch (error) {
      log.error("Step failed", describeError(error));
      throw error;
    }
  };
}
