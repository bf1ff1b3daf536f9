import { bool, isToken, num, openStatements, readPolicy, strings } from "../model";
import type { Rule } from "../types";

const blank = (v: unknown) => v === undefined || v === null || v === "";

/** Where a stack states its environment's retention floor (`"//": { "policy_settings": { ... } }`). */
export const POLICY_SETTINGS_KEY = "policy_settings";

/** The floor when a stack states none: a week, enough to read the logs of an incident after a weekend. */
export const DEFAULT_LOG_RETENTION_FLOOR_DAYS = 7;

export const observabilityRules: readonly Rule[] = [
  {
    id: "LOG-003",
    title: "CloudWatch log groups keep logs at least as long as their environment's floor",
    rationale:
      "An incident is investigated with the logs it left; a production environment needs them for months, not days.",
    severity: "medium",
    external: {},
    check: (context) => {
      const settings = (context.stack.json["//"] as Record<string, any> | undefined)?.[POLICY_SETTINGS_KEY];
      const floor = num(settings?.log_retention_floor_days) ?? DEFAULT_LOG_RETENTION_FLOOR_DAYS;
      return context.stack
        .resources("aws_cloudwatch_log_group")
        .filter((g) => !isToken(g.config.retention_in_days))
        .filter((g) => {
          const days = num(g.config.retention_in_days) ?? 0;
          return days > 0 && days < floor;
        })
        .map((g) => ({
          address: g.address,
          message: `retention_in_days is ${g.config.retention_in_days}, below this environment's floor of ${floor}`,
        }));
    },
  },
  {
    id: "LOG-001",
    title: "CloudWatch log groups set a retention period",
    rationale: "Without retention logs are kept (and billed) forever; with it, deletion is a decision.",
    severity: "medium",
    external: { checkov: ["CKV_AWS_66"] },
    check: (context) =>
      context.stack
        .resources("aws_cloudwatch_log_group")
        .filter((g) => !isToken(g.config.retention_in_days))
        .filter((g) => (num(g.config.retention_in_days) ?? 0) <= 0)
        .map((g) => ({ address: g.address, message: "retention_in_days is not set (logs never expire)" })),
  },
  {
    id: "LOG-002",
    title: "CloudWatch log groups are encrypted with a KMS key",
    rationale: "Logs carry request data; a CMK puts reading them behind a key policy.",
    severity: "medium",
    external: { checkov: ["CKV_AWS_158"] },
    check: (context) =>
      context.stack
        .resources("aws_cloudwatch_log_group")
        .filter((g) => blank(g.config.kms_key_id))
        .map((g) => ({ address: g.address, message: "kms_key_id is not set" })),
  },
  {
    id: "CW-001",
    title: "CloudWatch metric alarms notify someone",
    rationale: "An alarm without actions changes state silently.",
    severity: "medium",
    external: { checkov: ["CKV_AWS_319"] },
    check: (context) =>
      context.stack
        .resources("aws_cloudwatch_metric_alarm")
        .filter((a) => !isToken(a.config.alarm_actions))
        .filter(
          (a) => bool(a.config.actions_enabled) === false || strings(a.config.alarm_actions).length === 0,
        )
        .map((a) => ({
          address: a.address,
          message:
            bool(a.config.actions_enabled) === false ? "actions_enabled is false" : "has no alarm_actions",
        })),
  },
  {
    id: "SNS-001",
    title: "SNS topics are encrypted with a customer managed KMS key",
    rationale:
      "Messages at rest are encrypted; the AWS managed alias/aws/sns key cannot be used by CloudWatch alarms or EventBridge.",
    severity: "medium",
    external: { checkov: ["CKV_AWS_26"], cdkNag: ["AwsSolutions-SNS2"] },
    check: (context) =>
      context.stack
        .resources("aws_sns_topic")
        .filter((t) => blank(t.config.kms_master_key_id) || t.config.kms_master_key_id === "alias/aws/sns")
        .map((t) => ({
          address: t.address,
          message: blank(t.config.kms_master_key_id)
            ? "kms_master_key_id is not set"
            : "uses the AWS managed key alias/aws/sns",
        })),
  },
  {
    id: "SNS-002",
    title: "SNS topic policies are not open to every principal without a condition",
    rationale:
      "An unconditioned Allow for Principal * lets any account publish to or subscribe to the topic.",
    severity: "high",
    external: { checkov: ["CKV_AWS_169"] },
    check: (context) =>
      [...context.stack.resources("aws_sns_topic_policy"), ...context.stack.resources("aws_sns_topic")]
        .filter((n) => {
          const read = readPolicy(n.config.policy);
          return read.status === "ok" && openStatements(read.statements).length > 0;
        })
        .map((n) => ({ address: n.address, message: "policy allows Principal * without a condition" })),
  },
  {
    id: "SNS-003",
    title: "SNS subscriptions do not deliver over plain HTTP",
    rationale: "Alert payloads sent over http can be read or forged in transit.",
    severity: "medium",
    external: {},
    check: (context) =>
      context.stack
        .resources("aws_sns_topic_subscription")
        .filter((s) => s.config.protocol === "http")
        .map((s) => ({ address: s.address, message: "protocol is http; use https" })),
  },
];
