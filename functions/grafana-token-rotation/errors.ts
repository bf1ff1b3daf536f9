/**
 * Domain errors of the rotation function. No message ever contains a token value: messages name
 * the step, the secret ARN, version ids and token ids only. Missing or invalid environment variables
 * are the shared runtime's errors (`functions/shared/errors.ts`).
 */
import { FunctionError } from "../shared/errors";

/** Base class of the rotation's own failures (a {@link FunctionError}, like every function's). */
export class RotationError extends FunctionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RotationError";
  }
}

/** The invocation event is neither a Secrets Manager rotation step nor one of the function's actions. */
export class InvalidEventError extends RotationError {
  constructor(message: string) {
    super(message);
    this.name = "InvalidEventError";
  }
}

/** Secrets Manager asked this function to rotate a secret it is not configured for. */
export class UnexpectedSecretError extends RotationError {
  constructor(received: string, expected: string) {
    super(
      `This function rotates ${expected} only, but the event names ${received}. Point the other secret's rotation at its own function.`,
    );
    this.name = "UnexpectedSecretError";
  }
}

/** The secret has rotation turned off. */
export class RotationNotEnabledError extends RotationError {
  constructor(secretArn: string) {
    super(
      `Rotation is not enabled on ${secretArn}. Enable it (aws_secretsmanager_secret_rotation) before rotating.`,
    );
    this.name = "RotationNotEnabledError";
  }
}

/** The event's version id is unknown to Secrets Manager, or is not staged for rotation. */
export class VersionNotStagedError extends RotationError {
  constructor(message: string) {
    super(message);
    this.name = "VersionNotStagedError";
  }
}

/** The AWSPENDING version has no value, or a value this function did not write. */
export class PendingSecretInvalidError extends RotationError {
  constructor(message: string) {
    super(message);
    this.name = "PendingSecretInvalidError";
  }
}

/**
 * The pending token no longer exists in Grafana (deleted or expired). The function has detached
 * AWSPENDING from that version, so the next rotation starts afresh.
 */
export class PendingTokenGoneError extends RotationError {
  constructor(message: string) {
    super(message);
    this.name = "PendingTokenGoneError";
  }
}

/** Grafana refused the pending token, or could not be reached to check it. */
export class GrafanaVerificationError extends RotationError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "GrafanaVerificationError";
  }
}

/** Amazon Managed Grafana did not return a usable token. */
export class TokenCreationError extends RotationError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TokenCreationError";
  }
}

/** Another invocation of the same step stored a different token for this version first. */
export class ConcurrentStepError extends RotationError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ConcurrentStepError";
  }
}

/** A forced rotation was refused because an earlier rotation has not finished. */
export class RotationInProgressError extends RotationError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RotationInProgressError";
  }
}

/** Secrets Manager refused to start a forced rotation for another reason. */
export class RotationRequestError extends RotationError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RotationRequestError";
  }
}

/**
 * Grafana answered that the service account (or its workspace) does not exist: tokens can be neither
 * created nor deleted until the function is pointed at an existing one.
 */
export class ServiceAccountNotFoundError extends RotationError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ServiceAccountNotFoundError";
  }
}

/** The invocation ran out of time: the function stops before Lambda's own timeout, with this error. */
export class DeadlineExceededError extends RotationError {
  constructor(message: string) {
    super(message);
    this.name = "DeadlineExceededError";
  }
}
