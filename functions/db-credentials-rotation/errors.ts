/**
 * Errors of the database credentials rotation. No message contains a password or a URL with one:
 * they name the step, the secret, the version and the role.
 */
import { FunctionError } from "../shared/errors";

export class RotationError extends FunctionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RotationError";
  }
}

/** The event is not a Secrets Manager rotation step. */
export class InvalidEventError extends RotationError {
  constructor(message: string) {
    super(message);
    this.name = "InvalidEventError";
  }
}

/** The step names another secret, a version that is not pending, or a secret without rotation. */
export class StepRefusedError extends RotationError {
  constructor(message: string) {
    super(message);
    this.name = "StepRefusedError";
  }
}

/** The master secret holds no credentials that log in. */
export class MasterLoginError extends RotationError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MasterLoginError";
  }
}

/** The pending credentials do not log in, or log in as something other than the application's role. */
export class PendingLoginError extends RotationError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PendingLoginError";
  }
}

/** The credentials were promoted, but some services could not be redeployed to read them. */
export class RedeployError extends RotationError {
  constructor(message: string) {
    super(message);
    this.name = "RedeployError";
  }
}

/** A role the function would manage exists with more than the application's privileges. */
export class RoleConflictError extends RotationError {
  constructor(message: string) {
    super(message);
    this.name = "RoleConflictError";
  }
}
