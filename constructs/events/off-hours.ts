import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { Construct } from "constructs";
import type { ResourceNaming } from "../core/naming";
import { invalid, requireIntegerInRange } from "../core/validation";
import type { KeyReference } from "../internal/references";
import type { DeadLetterTarget } from "./queue";
import { Schedule } from "./schedule";

/** Properties of {@link OffHours}. */
export interface OffHoursProps {
  readonly naming: ResourceNaming;
  /** IANA time zone of `start` and `stop`. */
  readonly timeZone: string;
  /** When the environment starts (`cron(0 8 ? * MON-FRI *)`). */
  readonly start: string;
  /** When it stops (`cron(0 20 ? * MON-FRI *)`). */
  readonly stop: string;
  /** Canaries (by key, name) stopped at `stop` and started at `start`. */
  readonly canaries: Readonly<Record<string, string>>;
  /**
   * Alarms whose actions are off from `stop` to `start`, because stopped services make them fire
   * (a load balancer without targets answers 503; a queue nobody consumes backs up). They keep
   * their state; they notify again from `start`.
   */
  readonly alarmNames: readonly string[];
  /**
   * Minutes after `start` the canaries start and the alarms notify again, so the services' first tasks
   * are up before anything checks them (the load balancer answers 503 until one is healthy).
   * @default 15
   */
  readonly graceMinutes?: number;
  readonly encryptionKey: KeyReference;
  /** Where a schedule's failed call goes. */
  readonly deadLetterQueue: DeadLetterTarget;
}

/**
 * Office hours for a disposable environment's monitoring, on EventBridge Scheduler in a time zone
 * (API calls, no function): each canary stopped at `stop` and started at `start`, and the actions of
 * the alarms that off hours would fire disabled and enabled again. The services' own scaling to zero
 * is theirs (`FargateService` schedules).
 */
export class OffHours extends Construct {
  constructor(scope: Construct, id: string, props: OffHoursProps) {
    super(scope, id);
    if (props.alarmNames.length > 100) {
      throw invalid(
        "alarmNames",
        "must list at most 100 alarms (DisableAlarmActions' limit per call)",
        props.alarmNames.length,
        "Suppress fewer alarms, or split them.",
      );
    }
    const grace = props.graceMinutes ?? 15;
    requireIntegerInRange("graceMinutes", grace, 0, 59);
    const awake = later(props.start, grace);
    const account = new DataAwsCallerIdentity(this, "account");
    const region = new DataAwsRegion(this, "region");
    const at = (name: string, expression: string) => ({
      naming: props.naming,
      name,
      scheduleExpression: expression,
      timeZone: props.timeZone,
      encryptionKey: props.encryptionKey,
      deadLetterQueue: props.deadLetterQueue,
    });
    for (const [key, canaryName] of Object.entries(props.canaries)) {
      const canaryArn = `arn:aws:synthetics:${region.name}:${account.accountId}:canary:${canaryName}`;
      for (const [when, action, expression] of [
        ["stop", "stopCanary", props.stop],
        ["start", "startCanary", awake],
      ] as const) {
        new Schedule(this, `${when}-${key}`, {
          ...at(`${when}-canary-${key}`, expression),
          apiCall: {
            service: "synthetics",
            action,
            iamActions: [`synthetics:${action[0]!.toUpperCase()}${action.slice(1)}`],
            resources: [canaryArn],
          },
          input: { Name: canaryName },
        });
      }
    }
    if (props.alarmNames.length > 0) {
      const alarmArns = props.alarmNames.map(
        (name) => `arn:aws:cloudwatch:${region.name}:${account.accountId}:alarm:${name}`,
      );
      for (const [when, action, expression] of [
        ["stop", "disableAlarmActions", props.stop],
        ["start", "enableAlarmActions", awake],
      ] as const) {
        new Schedule(this, `${when}-alarm-actions`, {
          ...at(`${when}-alarm-actions`, expression),
          apiCall: {
            service: "cloudwatch",
            action,
            iamActions: [`cloudwatch:${action[0]!.toUpperCase()}${action.slice(1)}`],
            resources: alarmArns,
          },
          input: { AlarmNames: [...props.alarmNames] },
        });
      }
    }
  }
}

/**
 * `cron(M H ...)` moved `minutes` later; the minutes and hours of `start` must be single numbers
 * (and the result the same day), since a shifted list or range would no longer say what was meant.
 */
function later(start: string, minutes: number): string {
  const match = /^cron\((\d{1,2}) (\d{1,2}) (.+)\)$/.exec(start);
  const total = match ? Number(match[2]) * 60 + Number(match[1]) + minutes : Number.NaN;
  if (!match || Number(match[1]) > 59 || Number(match[2]) > 23 || total >= 24 * 60) {
    throw invalid(
      "start",
      `must be a cron expression with one minute and one hour, at least ${minutes} minutes before midnight (canaries and alarms wake ${minutes} minutes after it)`,
      start,
      "Use for example cron(0 8 ? * MON-FRI *).",
    );
  }
  return `cron(${total % 60} ${Math.floor(total / 60)} ${match[3]})`;
}
