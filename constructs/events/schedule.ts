import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { Construct } from "constructs";
import { policyDocument, serviceTrustPolicy } from "../core/iam";
import { limitedName, NAME_LIMITS, type ResourceNaming } from "../core/naming";
import { invalid, isUnresolved, requireIntegerInRange, requireTimeZone } from "../core/validation";
import type { KeyReference } from "../internal/references";
import type { DeadLetterTarget } from "./queue";

export { knownTimeZones, requireTimeZone } from "../core/validation";

const SCHEDULE_EXPRESSION =
  /^(cron\((\S+ ){5}\S+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\)|at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\))$/;

/** Properties of {@link Schedule}. */
export interface ScheduleProps {
  /** Project and environment the names derive from. */
  readonly naming: ResourceNaming;
  /** Schedule suffix: the schedule is `<project>-<environment>-<name>`. */
  readonly name: string;
  /** `cron(minutes hours day-of-month month day-of-week year)`, `rate(...)` or `at(...)`. */
  readonly scheduleExpression: string;
  /** IANA time zone the expression is read in (a setting; checked against `Intl`). */
  readonly timeZone: string;
  /**
   * The Lambda function the schedule invokes; give this or {@link ScheduleProps.apiCall}.
   */
  readonly functionArn?: string;
  /**
   * An AWS API call instead of a function (Scheduler's universal target `aws-sdk:<service>:<action>`):
   * `{ service: "synthetics", action: "stopCanary", iamActions: ["synthetics:StopCanary"], resources:
   * [canary ARN] }` with `input: { Name }`, the call's parameters. The role may make exactly that call
   * on those resources.
   */
  readonly apiCall?: ScheduledApiCall;
  /** JSON input the function receives (the API call's parameters). @default {} */
  readonly input?: Readonly<Record<string, unknown>>;
  /** Key the schedule's target input is encrypted with. */
  readonly encryptionKey: KeyReference;
  /** Where invocations that fail every retry go (its dead-letter queue). */
  readonly deadLetterQueue: DeadLetterTarget;
  /**
   * Retries of a failed invocation (0 to 185).
   * @default 3
   */
  readonly maximumRetryAttempts?: number;
  /**
   * Seconds Scheduler keeps retrying (60 to 86400).
   * @default 3600
   */
  readonly maximumEventAgeSeconds?: number;
  /**
   * Whether the schedule runs.
   * @default true
   */
  readonly enabled?: boolean;
}

/** An AWS API call a schedule makes (Scheduler's universal target). */
export interface ScheduledApiCall {
  /** Service as the SDK names it, lowercase (`synthetics`, `cloudwatch`). */
  readonly service: string;
  /** The API action in camel case (`stopCanary`, `disableAlarmActions`). */
  readonly action: string;
  /** The IAM actions the call needs (`synthetics:StopCanary`). */
  readonly iamActions: readonly string[];
  /** The resources they are allowed on. */
  readonly resources: readonly string[];
}

/**
 * An EventBridge Scheduler schedule that invokes a Lambda function (or makes one AWS API call) at a time of day in a time zone,
 * through a role that Scheduler of this account alone assumes and that may invoke that function and
 * send to the dead-letter queue, nothing else.
 */
export class Schedule extends Construct {
  /** Name of the schedule. */
  public readonly scheduleName: string;
  /** ARN of the schedule. */
  public readonly scheduleArn: string;

  constructor(scope: Construct, id: string, props: ScheduleProps) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(props.name) || props.name.endsWith("-")) {
      throw invalid(
        "name",
        "must be 1-40 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen",
        props.name,
        'Use a short name such as "daily-unblock".',
      );
    }
    if (!isUnresolved(props.scheduleExpression) && !SCHEDULE_EXPRESSION.test(props.scheduleExpression)) {
      throw invalid(
        "scheduleExpression",
        "must be cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>), rate(<n> <minutes|hours|days>) or at(<yyyy-mm-ddThh:mm:ss>)",
        props.scheduleExpression,
        'Use for example "cron(0 9 * * ? *)" for 09:00 every day.',
      );
    }
    requireTimeZone("timeZone", props.timeZone);
    if ((props.functionArn === undefined) === (props.apiCall === undefined)) {
      throw invalid(
        "functionArn",
        "must be given, or apiCall instead, not both",
        { functionArn: props.functionArn, apiCall: props.apiCall },
        "Give the function the schedule invokes, or the API call it makes.",
      );
    }
    const call = props.apiCall;
    if (call && (!/^[a-z][a-z0-9]*$/.test(call.service) || !/^[a-z][A-Za-z0-9]*$/.test(call.action))) {
      throw invalid(
        "apiCall",
        "must name the service in lowercase and the action in camel case, as the SDK does",
        `${call.service}:${call.action}`,
        'Use for example service "synthetics", action "stopCanary".',
      );
    }
    if (call && (call.iamActions.length === 0 || call.resources.length === 0)) {
      throw invalid(
        "apiCall",
        "must list the IAM actions the call needs and the resources they apply to",
        call,
        'Add iamActions (["synthetics:StopCanary"]) and resources (the canary\'s ARN).',
      );
    }
    const targetArn = call
      ? `arn:aws:scheduler:::aws-sdk:${call.service}:${call.action}`
      : props.functionArn!;
    const maximumRetryAttempts = props.maximumRetryAttempts ?? 3;
    const maximumEventAgeSeconds = props.maximumEventAgeSeconds ?? 3600;
    requireIntegerInRange("maximumRetryAttempts", maximumRetryAttempts, 0, 185);
    requireIntegerInRange("maximumEventAgeSeconds", maximumEventAgeSeconds, 60, 86400);

    this.scheduleName = limitedName(64, props.naming, props.name);
    const account = new DataAwsCallerIdentity(this, "account");
    const role = new IamRole(this, "role", {
      name: limitedName(NAME_LIMITS.iamRole, props.naming, props.name, "scheduler"),
      description: `Lets EventBridge Scheduler run ${this.scheduleName}`,
      assumeRolePolicy: serviceTrustPolicy("scheduler.amazonaws.com", {
        StringEquals: { "aws:SourceAccount": account.accountId },
      }),
    });
    new IamRolePolicy(this, "role-policy", {
      name: "invoke-target",
      role: role.id,
      policy: policyDocument([
        call
          ? { sid: "CallTheApi", actions: [...call.iamActions], resources: [...call.resources] }
          : { sid: "InvokeTarget", actions: ["lambda:InvokeFunction"], resources: [props.functionArn!] },
        // Also kms:Decrypt on the key, which Scheduler needs for the schedule's encrypted input.
        ...props.deadLetterQueue.sendStatements("SendToDeadLetterQueue"),
      ]),
    });
    const schedule = new SchedulerSchedule(this, "schedule", {
      name: this.scheduleName,
      groupName: "default",
      scheduleExpression: props.scheduleExpression,
      scheduleExpressionTimezone: props.timeZone,
      flexibleTimeWindow: { mode: "OFF" },
      state: props.enabled === false ? "DISABLED" : "ENABLED",
      kmsKeyArn: props.encryptionKey.keyArn,
      target: {
        arn: targetArn,
        roleArn: role.arn,
        input: JSON.stringify(props.input ?? {}),
        retryPolicy: { maximumRetryAttempts, maximumEventAgeInSeconds: maximumEventAgeSeconds },
        deadLetterConfig: { arn: props.deadLetterQueue.arn },
      },
    });
    this.scheduleArn = schedule.arn;
  }
}
