/**
 * An in-memory Secrets Manager secret for the functions' tests: versions, their values and staging
 * labels, with the service's rules for PutSecretValue (versions are immutable), label moves
 * (RemoveFromVersionId must name the holder) and RotateSecret (one rotation at a time). Wire it
 * behind aws-sdk-client-mock; tests assert on its state, not on call order.
 */
import { randomUUID } from "node:crypto";
import {
  type GetSecretValueRequest,
  InvalidParameterException,
  InvalidRequestException,
  type PutSecretValueRequest,
  ResourceExistsException,
  ResourceNotFoundException,
  type UpdateSecretVersionStageRequest,
} from "@aws-sdk/client-secrets-manager";

const META = { $metadata: {} };

interface FakeVersion {
  value: string | undefined;
  readonly stages: Set<string>;
}

/** Secrets Manager's view of one secret: versions, their values and staging labels. */
export class FakeSecretsManager {
  readonly versions = new Map<string, FakeVersion>();
  rotationEnabled = true;
  /** Version ids of the rotations RotateSecret started. */
  readonly rotationsStarted: string[] = [];

  constructor(readonly arn: string) {}

  versionWith(stage: string): string | undefined {
    for (const [id, version] of this.versions) if (version.stages.has(stage)) return id;
    return undefined;
  }

  /** The AWSCURRENT value, or undefined. */
  currentValue(): string | undefined {
    const id = this.versionWith("AWSCURRENT");
    return id === undefined ? undefined : this.versions.get(id)?.value;
  }

  stagesOf(versionId: string): string[] {
    return [...(this.versions.get(versionId)?.stages ?? [])].sort();
  }

  private checkSecret(secretId: string | undefined): void {
    if (secretId !== this.arn) throw this.notFound("Secrets Manager can't find the specified secret.");
  }

  private notFound(message: string): Error {
    return new ResourceNotFoundException({ message, ...META });
  }

  private attach(stage: string, versionId: string): void {
    const holder = this.versionWith(stage);
    if (holder !== undefined && holder !== versionId) {
      this.versions.get(holder)!.stages.delete(stage);
      if (stage === "AWSCURRENT") {
        const previous = this.versionWith("AWSPREVIOUS");
        if (previous !== undefined) this.versions.get(previous)!.stages.delete("AWSPREVIOUS");
        this.versions.get(holder)!.stages.add("AWSPREVIOUS");
      }
    }
    this.versions.get(versionId)!.stages.add(stage);
  }

  /** Seeds a version as if someone had called PutSecretValue. */
  seed(value: string, stages: string[] = ["AWSCURRENT"], versionId = randomUUID()): string {
    this.versions.set(versionId, { value, stages: new Set() });
    for (const stage of stages) this.attach(stage, versionId);
    return versionId;
  }

  describe() {
    const VersionIdsToStages: Record<string, string[]> = {};
    for (const [id, version] of this.versions) {
      if (version.stages.size > 0) VersionIdsToStages[id] = [...version.stages];
    }
    return { ARN: this.arn, RotationEnabled: this.rotationEnabled, VersionIdsToStages };
  }

  getSecretValue(input: GetSecretValueRequest) {
    this.checkSecret(input.SecretId);
    let id: string | undefined;
    if (input.VersionId !== undefined) {
      id = input.VersionId;
      const version = this.versions.get(id);
      if (version === undefined || (input.VersionStage && !version.stages.has(input.VersionStage))) {
        throw this.notFound("Secrets Manager can't find the specified secret value for VersionId.");
      }
    } else {
      id = this.versionWith(input.VersionStage ?? "AWSCURRENT");
    }
    const version = id === undefined ? undefined : this.versions.get(id);
    if (id === undefined || version?.value === undefined) {
      throw this.notFound("Secrets Manager can't find the specified secret value for staging label.");
    }
    return { ARN: this.arn, VersionId: id, SecretString: version.value, VersionStages: [...version.stages] };
  }

  putSecretValue(input: PutSecretValueRequest) {
    this.checkSecret(input.SecretId);
    const id = input.ClientRequestToken ?? randomUUID();
    const existing = this.versions.get(id);
    if (existing?.value !== undefined) {
      if (existing.value === input.SecretString) return { ARN: this.arn, VersionId: id };
      throw new ResourceExistsException({
        message: "You can't modify an existing version, you can only create new versions.",
        ...META,
      });
    }
    // The service's rule: the first version of a secret with a value is AWSCURRENT too, whatever the
    // call asked for (a rotation of a secret created empty stores its first value as AWSPENDING and
    // finds it labelled AWSCURRENT as well).
    const first = ![...this.versions.values()].some((v) => v.value !== undefined);
    if (existing === undefined) this.versions.set(id, { value: undefined, stages: new Set() });
    this.versions.get(id)!.value = input.SecretString;
    for (const stage of input.VersionStages ?? ["AWSCURRENT"]) this.attach(stage, id);
    if (first) this.attach("AWSCURRENT", id);
    return { ARN: this.arn, VersionId: id, VersionStages: this.stagesOf(id) };
  }

  updateSecretVersionStage(input: UpdateSecretVersionStageRequest) {
    this.checkSecret(input.SecretId);
    const stage = input.VersionStage!;
    const holder = this.versionWith(stage);
    if (input.RemoveFromVersionId !== undefined && holder !== input.RemoveFromVersionId) {
      throw new InvalidParameterException({
        message: `The staging label ${stage} is not attached to version ${input.RemoveFromVersionId}.`,
        ...META,
      });
    }
    if (input.MoveToVersionId !== undefined) {
      if (!this.versions.has(input.MoveToVersionId)) throw this.notFound("Version not found.");
      if (
        holder !== undefined &&
        holder !== input.MoveToVersionId &&
        input.RemoveFromVersionId === undefined
      ) {
        throw new InvalidParameterException({
          message: `The staging label ${stage} is attached to version ${holder}; specify RemoveFromVersionId.`,
          ...META,
        });
      }
      this.attach(stage, input.MoveToVersionId);
    } else if (holder !== undefined) {
      this.versions.get(holder)!.stages.delete(stage);
    }
    return { ARN: this.arn };
  }

  rotateSecret(secretId: string | undefined) {
    this.checkSecret(secretId);
    if (!this.rotationEnabled) {
      throw new InvalidRequestException({
        message: "No Lambda rotation function ARN is associated with this secret.",
        ...META,
      });
    }
    const pending = this.versionWith("AWSPENDING");
    if (pending !== undefined && pending !== this.versionWith("AWSCURRENT")) {
      throw new InvalidRequestException({
        message: "A previous rotation isn't complete. That rotation will be reattempted.",
        ...META,
      });
    }
    const id = randomUUID();
    this.versions.set(id, { value: undefined, stages: new Set() });
    this.attach("AWSPENDING", id);
    this.rotationsStarted.push(id);
    return { ARN: this.arn, VersionId: id };
  }
}
