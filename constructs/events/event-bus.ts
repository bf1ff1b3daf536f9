import { CloudwatchEventArchive } from "@cdktf/provider-aws/lib/cloudwatch-event-archive";
import { CloudwatchEventBus } from "@cdktf/provider-aws/lib/cloudwatch-event-bus";
import { Construct } from "constructs";
import type { PolicyStatement } from "../core/iam";
import { limitedName, type ResourceNaming } from "../core/naming";
import { invalid, requireIntegerInRange } from "../core/validation";
import type { KeyReference } from "../internal/references";

/** Properties of {@link EventBus}. */
export interface EventBusProps {
  /** Project and environment the names derive from. */
  readonly naming: ResourceNaming;
  /**
   * Bus suffix: the bus is `<project>-<environment>-<name>` (changing it replaces the bus).
   * @default "events"
   */
  readonly name?: string;
  /** Key the bus encrypts its custom events with. */
  readonly encryptionKey: KeyReference;
  /**
   * Days the archive keeps every event for replay (1 to 3650), or 0 for ever.
   * @default 30
   */
  readonly archiveRetentionDays?: number;
}

/**
 * A custom EventBridge bus whose custom events are encrypted with the customer key, and an archive of
 * every event on it for replay (`aws events start-replay`). Rules on the bus match events; schedules
 * are EventBridge Scheduler's ({@link Schedule}), never a rule's.
 *
 * The archive is encrypted with an AWS-owned key: provider 5.100 has no `kms_key_identifier` on
 * `aws_cloudwatch_event_archive` (the EventBridge API gained one in 2025).
 */
export class EventBus extends Construct {
  /** Name of the bus. */
  public readonly busName: string;
  /** ARN of the bus. */
  public readonly busArn: string;
  /** Name of the archive. */
  public readonly archiveName: string;

  constructor(scope: Construct, id: string, props: EventBusProps) {
    super(scope, id);
    const name = props.name ?? "events";
    const retention = props.archiveRetentionDays ?? 30;
    if (!/^[a-z][a-z0-9-]{0,29}$/.test(name) || name.endsWith("-")) {
      throw invalid(
        "name",
        "must be 1-30 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen",
        name,
        'Use a short name such as "events".',
      );
    }
    requireIntegerInRange("archiveRetentionDays", retention, 0, 3650, "0 keeps events for ever");
    this.busName = limitedName(256, props.naming, name);
    this.archiveName = limitedName(48, props.naming, name, "archive");
    props.encryptionKey.grantEventBus(this.busName);
    const bus = new CloudwatchEventBus(this, "bus", {
      name: this.busName,
      kmsKeyIdentifier: props.encryptionKey.keyArn,
    });
    new CloudwatchEventArchive(this, "archive", {
      name: this.archiveName,
      description: `Every event on ${this.busName}, for replay`,
      eventSourceArn: bus.arn,
      retentionDays: retention,
    });
    this.busArn = bus.arn;
  }

  /**
   * What a publisher to the bus needs (the bus's key is used by EventBridge itself, not the caller),
   * limited to the event sources it may claim (`events:source`): a publisher cannot put events that
   * look like another part's.
   */
  putEventsStatement(sid: string, sources: readonly string[]): PolicyStatement {
    if (sources.length === 0) {
      throw invalid(
        "sources",
        "must name the sources the publisher puts",
        [],
        'Pass for example ["candlefish.api"].',
      );
    }
    return {
      sid,
      actions: ["events:PutEvents"],
      resources: [this.busArn],
      conditions: { StringEquals: { "events:source": sources.length === 1 ? sources[0]! : [...sources] } },
    };
  }
}
