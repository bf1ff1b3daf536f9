import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type {
  KeyReference,
  NetworkReference,
  QueueSender,
  TopicPublisher,
} from "../../constructs/internal/references";

/** Naming used by construct tests. */
export const naming = { projectName: "meeting-notes", environment: "staging" };

/** A key reference standing in for an `AppKey`; it records what constructs ask it to grant. */
export class RecordingKey implements KeyReference {
  readonly keyArn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555";
  readonly logGroups: string[] = [];
  readonly topics: { name: string; publishers: readonly TopicPublisher[] }[] = [];
  grantLogGroup(logGroupName: string): void {
    this.logGroups.push(logGroupName);
  }
  grantTopicPublishers(topicName: string, publishers: readonly TopicPublisher[]): void {
    this.topics.push({ name: topicName, publishers });
  }
  readonly queues: { name: string; senders: readonly QueueSender[] }[] = [];
  grantQueueSenders(queueName: string, senders: readonly QueueSender[]): void {
    this.queues.push({ name: queueName, senders });
  }
  readonly buses: string[] = [];
  grantEventBus(busName: string): void {
    this.buses.push(busName);
  }
}

/** A key reference standing in for an `AppKey`, shared by tests that do not look at its grants. */
export const key: KeyReference = new RecordingKey();

/** A network reference standing in for a `Network`. */
export const network: NetworkReference = {
  vpcId: "vpc-0123456789abcdef0",
  vpcCidrBlock: "10.0.0.0/16",
  publicSubnetIds: ["subnet-public-a", "subnet-public-b"],
  privateSubnetIds: ["subnet-private-a", "subnet-private-b"],
};

/** A stand-in for a bundled function: a small file on disk and its hash. */
export function functionCodeFixture(): { zipPath: string; sourceCodeHash: string } {
  const dir = mkdtempSync(join(tmpdir(), "code-"));
  const zipPath = join(dir, "function.zip");
  writeFileSync(zipPath, "not really a zip");
  return { zipPath, sourceCodeHash: "c3RhbmQtaW4gaGFzaA==" };
}

/** The operator role people set secret values with. */
export const OPERATOR_ROLE_ARN = "arn:aws:iam::123456789012:role/meeting-notes-operator";
/** The break-glass role, the only one that changes secret policies. */
export const BREAK_GLASS_ROLE_ARN = "arn:aws:iam::123456789012:role/meeting-notes-break-glass";
/** Writers and policy administrators for constructs that lock secrets. */
export const secretAccess = { writers: [OPERATOR_ROLE_ARN], policyAdministrators: [BREAK_GLASS_ROLE_ARN] };
