import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { Wafv2WebAcl, type Wafv2WebAclRule } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import { Construct } from "constructs";
import { DEFAULT_LOG_RETENTION_DAYS } from "../core/defaults";
import { policyDocument } from "../core/iam";
import { limitedName, type ResourceNaming } from "../core/naming";
import { invalid, requireIntegerInRange, requireLogRetention } from "../core/validation";
import type { KeyReference } from "../internal/references";

/** One rule of a {@link WebAcl}: an AWS managed rule group, or a rate limit per client address. */
export interface WafRule {
  /** Rule name (1-128 letters, digits, `-` and `_`), also its metric name. */
  readonly name: string;
  /** Evaluation order, lowest first; distinct across the ACL's rules. */
  readonly priority: number;
  /** What a match does: only for a rate limit (a rule group's rules carry their own actions). */
  readonly action?: "block" | "count" | "captcha";
  /** For a managed rule group: `none` keeps the group's actions, `count` only counts (to try a group out). */
  readonly overrideAction?: "none" | "count";
  /** An AWS managed rule group by name (`AWSManagedRulesCommonRuleSet`, ...). */
  readonly managedRuleGroup?: {
    readonly name: string;
    /** Rules of the group that only count instead of acting (false positives). */
    readonly countOnly?: readonly string[];
  };
  /** Requests per 5 minutes per client IP above which the action applies (10 to 2,000,000,000). */
  readonly rateLimit?: number;
  /**
   * Block requests an earlier managed rule labelled (a rule of the group set to count in `countOnly`)
   * except on paths that start with `exceptPathPrefix`: the managed rule keeps acting everywhere but
   * there (`awswaf:managed:aws:core-rule-set:SizeRestrictions_Body` except `/webhooks/`).
   */
  readonly labelBlock?: { readonly label: string; readonly exceptPathPrefix: string };
}

/**
 * The default rules: the common rule set, known bad inputs and the Amazon IP reputation list (each with
 * the group's own actions), and a rate limit of 2000 requests per 5 minutes per address.
 */
export const DEFAULT_WAF_RULES: readonly WafRule[] = [
  {
    name: "ip-reputation",
    priority: 10,
    overrideAction: "none",
    managedRuleGroup: { name: "AWSManagedRulesAmazonIpReputationList" },
  },
  {
    name: "common",
    priority: 20,
    overrideAction: "none",
    managedRuleGroup: { name: "AWSManagedRulesCommonRuleSet" },
  },
  {
    name: "known-bad-inputs",
    priority: 30,
    overrideAction: "none",
    managedRuleGroup: { name: "AWSManagedRulesKnownBadInputsRuleSet" },
  },
  { name: "rate-limit", priority: 40, action: "block", rateLimit: 2000 },
];

/** Properties of {@link WebAcl}. */
export interface WebAclProps {
  /** Project and environment the names derive from. */
  readonly naming: ResourceNaming;
  /** The regional resources (load balancers, REST API stages) the ACL protects. */
  readonly resourceArns: readonly string[];
  /** Key the log group is encrypted with. */
  readonly encryptionKey: KeyReference;
  /** @default DEFAULT_WAF_RULES */
  readonly rules?: readonly WafRule[];
  /**
   * Days the request log is kept.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Request headers replaced by `REDACTED` in the log (lowercase); `authorization` is always among them.
   * @default ["authorization", "cookie"]
   */
  readonly redactedHeaders?: readonly string[];
}

/**
 * A regional WAF web ACL (default action allow) with managed rule groups and a rate limit, associated
 * with the given resources, logging every request to the CloudWatch log group `aws-waf-logs-<prefix>`
 * (the prefix WAF requires) encrypted with the key, with the authorization header redacted.
 *
 * Terraform does not check a rule with both `action` and `override_action`, or two rules with one
 * priority (AWS refuses both at apply): the construct does.
 */
export class WebAcl extends Construct {
  /** ARN of the web ACL. */
  public readonly webAclArn: string;
  /** Name of the web ACL (its metric dimension `WebACL`). */
  public readonly webAclName: string;
  /** Name of the log group. */
  public readonly logGroupName: string;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    const rules = props.rules ?? DEFAULT_WAF_RULES;
    const retention = props.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
    const redacted = [...new Set(["authorization", ...(props.redactedHeaders ?? ["cookie"])])];
    validateRules(rules);
    requireLogRetention("logRetentionDays", retention);
    if (props.resourceArns.length === 0) {
      throw invalid(
        "resourceArns",
        "must name at least one resource to protect",
        [],
        "Pass the load balancer's ARN.",
      );
    }
    for (const header of redacted) {
      if (!/^[a-z0-9-]{1,64}$/.test(header)) {
        throw invalid(
          "redactedHeaders",
          "must list lowercase header names",
          header,
          'Use for example "x-api-key".',
        );
      }
    }

    this.webAclName = limitedName(128, props.naming, "waf");
    const metric = (name: string) => ({
      cloudwatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${this.webAclName}-${name}`.slice(0, 255),
    });
    const acl = new Wafv2WebAcl(this, "web-acl", {
      name: this.webAclName,
      description: `Protects ${this.webAclName.replace(/-waf$/, "")}'s public endpoints`,
      scope: "REGIONAL",
      defaultAction: { allow: {} },
      visibilityConfig: metric("all"),
      rule: rules.map(
        (r): Wafv2WebAclRule => ({
          name: r.name,
          priority: r.priority,
          ...(r.action ? { action: { [r.action]: {} } } : {}),
          ...(r.overrideAction ? { overrideAction: { [r.overrideAction]: {} } } : {}),
          // cdktf passes the recursive statement block through as is: Terraform's names, snake_case.
          statement: r.managedRuleGroup
            ? {
                managed_rule_group_statement: {
                  name: r.managedRuleGroup.name,
                  vendor_name: "AWS",
                  ...(r.managedRuleGroup.countOnly?.length
                    ? {
                        rule_action_override: r.managedRuleGroup.countOnly.map((name) => ({
                          name,
                          action_to_use: { count: {} },
                        })),
                      }
                    : {}),
                },
              }
            : r.labelBlock
              ? {
                  and_statement: {
                    statement: [
                      { label_match_statement: { scope: "LABEL", key: r.labelBlock.label } },
                      {
                        not_statement: {
                          statement: [
                            {
                              byte_match_statement: {
                                search_string: r.labelBlock.exceptPathPrefix,
                                positional_constraint: "STARTS_WITH",
                                field_to_match: { uri_path: {} },
                                text_transformation: [{ priority: 0, type: "NONE" }],
                              },
                            },
                          ],
                        },
                      },
                    ],
                  },
                }
              : {
                  rate_based_statement: {
                    limit: r.rateLimit!,
                    aggregate_key_type: "IP",
                    evaluation_window_sec: 300,
                  },
                },
          visibilityConfig: metric(r.name),
        }),
      ),
    });
    props.resourceArns.forEach((resourceArn, i) => {
      new Wafv2WebAclAssociation(this, i === 0 ? "association" : `association-${i}`, {
        resourceArn,
        webAclArn: acl.arn,
      });
    });

    this.logGroupName = `aws-waf-logs-${limitedName(480, props.naming)}`;
    props.encryptionKey.grantLogGroup(this.logGroupName);
    const logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: this.logGroupName,
      retentionInDays: retention,
      kmsKeyId: props.encryptionKey.keyArn,
    });
    const account = new DataAwsCallerIdentity(this, "account");
    const region = new DataAwsRegion(this, "region");
    // WAF delivers through CloudWatch Logs' log delivery service, which the group's resource policy admits
    // (for this account's web ACLs only).
    const delivery = new CloudwatchLogResourcePolicy(this, "log-delivery-policy", {
      policyName: limitedName(255, props.naming, "waf-log-delivery"),
      policyDocument: policyDocument([
        {
          sid: "WafLogDelivery",
          principals: { Service: "delivery.logs.amazonaws.com" },
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          resources: [`${logGroup.arn}:*`],
          conditions: {
            StringEquals: { "aws:SourceAccount": account.accountId },
            ArnLike: { "aws:SourceArn": `arn:aws:logs:${region.name}:${account.accountId}:*` },
          },
        },
      ]),
    });
    new Wafv2WebAclLoggingConfiguration(this, "logging", {
      resourceArn: acl.arn,
      logDestinationConfigs: [logGroup.arn],
      redactedFields: redacted.map((name) => ({ singleHeader: { name } })),
      dependsOn: [delivery],
    });
    this.webAclArn = acl.arn;
  }
}

/** Checks what Terraform lets through and WAF refuses at apply. */
export function validateRules(rules: readonly WafRule[]): void {
  if (rules.length === 0) {
    throw invalid("rules", "must hold at least one rule", [], "Keep the default rules, or list yours.");
  }
  const priorities = new Map<number, string>();
  const names = new Set<string>();
  rules.forEach((r, i) => {
    const at = `rules[${i}]`;
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(r.name) || names.has(r.name)) {
      throw invalid(
        `${at}.name`,
        "must be a distinct name of 1-128 letters, digits, `-` and `_`",
        r.name,
        "Rename the rule.",
      );
    }
    names.add(r.name);
    requireIntegerInRange(`${at}.priority`, r.priority, 0, 2_147_483_647);
    const twin = priorities.get(r.priority);
    if (twin !== undefined) {
      throw invalid(
        `${at}.priority`,
        `must differ from every other rule's (rule "${twin}" has it; WAF refuses the ACL at apply, terraform validate does not)`,
        r.priority,
        "Give each rule its own priority.",
      );
    }
    priorities.set(r.priority, r.name);
    if (r.action !== undefined && r.overrideAction !== undefined) {
      throw invalid(
        `${at}`,
        "must have either action (a rate limit) or overrideAction (a rule group), not both (WAF refuses the rule at apply, terraform validate does not)",
        { action: r.action, overrideAction: r.overrideAction },
        r.managedRuleGroup ? "Remove action." : "Remove overrideAction.",
      );
    }
    if ([r.managedRuleGroup, r.rateLimit, r.labelBlock].filter((x) => x !== undefined).length !== 1) {
      throw invalid(
        `${at}`,
        "must be exactly one of a managedRuleGroup, a rateLimit and a labelBlock",
        r.name,
        "Give one of the three.",
      );
    }
    if (r.labelBlock) {
      if (!/^awswaf:[A-Za-z0-9:_-]+$/.test(r.labelBlock.label)) {
        throw invalid(
          `${at}.labelBlock.label`,
          "must be a WAF label (awswaf:...)",
          r.labelBlock.label,
          "Copy it from the rule group's documentation.",
        );
      }
      if (!r.labelBlock.exceptPathPrefix.startsWith("/")) {
        throw invalid(
          `${at}.labelBlock.exceptPathPrefix`,
          "must start with /",
          r.labelBlock.exceptPathPrefix,
          "Use for example /webhooks/.",
        );
      }
      if (r.action !== "block") {
        throw invalid(`${at}.action`, 'must be "block" for a labelBlock', r.action, 'Set "block".');
      }
      if (!rules.some((g) => g.managedRuleGroup && g.priority < r.priority)) {
        throw invalid(
          `${at}.priority`,
          "must come after the managed rule group that adds the label (a lower priority is evaluated first)",
          r.priority,
          "Give it a priority above the group's.",
        );
      }
      return;
    }
    if (r.managedRuleGroup) {
      if (!/^AWSManagedRules[A-Za-z0-9]+$/.test(r.managedRuleGroup.name)) {
        throw invalid(
          `${at}.managedRuleGroup.name`,
          "must be an AWS managed rule group (AWSManagedRules...)",
          r.managedRuleGroup.name,
          "Use for example AWSManagedRulesCommonRuleSet.",
        );
      }
      if (r.overrideAction === undefined) {
        throw invalid(
          `${at}.overrideAction`,
          'must be set for a rule group ("none" keeps its actions)',
          undefined,
          'Set "none".',
        );
      }
    } else {
      requireIntegerInRange(
        `${at}.rateLimit`,
        r.rateLimit!,
        10,
        2_000_000_000,
        "requests per 5 minutes per address",
      );
      if (r.action === undefined) {
        throw invalid(
          `${at}.action`,
          'must be set for a rate limit ("block", "count" or "captcha")',
          undefined,
          'Set "block".',
        );
      }
    }
  });
}
