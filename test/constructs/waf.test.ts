import { describe, expect, test } from "vitest";
import { DEFAULT_WAF_RULES, type WafRule, WebAcl, type WebAclProps } from "../../constructs/waf";
import { naming, RecordingKey } from "../support/fixtures";
import { onlyResource, parsed, synthScope } from "../support/synth";

const ALB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/api/0123456789abcdef";
const build = (props: Partial<WebAclProps> = {}, key = new RecordingKey()) =>
  synthScope((s) => {
    new WebAcl(s, "waf", { naming, resourceArns: [ALB], encryptionKey: key, ...props });
  });

describe("WebAcl", () => {
  const key = new RecordingKey();
  const json = build({}, key);
  const acl = onlyResource(json, "aws_wafv2_web_acl");

  test("regional, allow by default, the managed groups with their own actions and a rate limit, in order", () => {
    expect(acl).toMatchObject({
      name: "meeting-notes-staging-waf",
      scope: "REGIONAL",
      default_action: { allow: {} },
    });
    expect(acl.rule.map((r: any) => [r.priority, r.name])).toEqual([
      [10, "ip-reputation"],
      [20, "common"],
      [30, "known-bad-inputs"],
      [40, "rate-limit"],
    ]);
    expect(acl.rule[1]).toMatchObject({
      override_action: { none: {} },
      statement: {
        managed_rule_group_statement: { name: "AWSManagedRulesCommonRuleSet", vendor_name: "AWS" },
      },
      visibility_config: {
        cloudwatch_metrics_enabled: true,
        metric_name: "meeting-notes-staging-waf-common",
      },
    });
    expect(acl.rule[1].action).toBeUndefined();
    expect(acl.rule[3]).toMatchObject({
      action: { block: {} },
      statement: {
        rate_based_statement: { limit: 2000, aggregate_key_type: "IP", evaluation_window_sec: 300 },
      },
    });
    expect(acl.rule[3].override_action).toBeUndefined();
  });

  test("associated with the load balancer", () => {
    expect(onlyResource(json, "aws_wafv2_web_acl_association")).toMatchObject({ resource_arn: ALB });
  });

  test("logs to an aws-waf-logs- group with the key, the authorization header redacted", () => {
    const group = onlyResource(json, "aws_cloudwatch_log_group");
    expect(group).toMatchObject({
      name: "aws-waf-logs-meeting-notes-staging",
      kms_key_id: key.keyArn,
      retention_in_days: 30,
    });
    expect(key.logGroups).toEqual(["aws-waf-logs-meeting-notes-staging"]);
    const logging = onlyResource(json, "aws_wafv2_web_acl_logging_configuration");
    expect(logging.redacted_fields).toEqual([
      { single_header: { name: "authorization" } },
      { single_header: { name: "cookie" } },
    ]);
    expect(logging.log_destination_configs).toEqual([
      expect.stringMatching(/aws_cloudwatch_log_group\..*\.arn/),
    ]);
    const delivery = parsed(onlyResource(json, "aws_cloudwatch_log_resource_policy").policy_document)
      .Statement[0];
    expect(delivery).toMatchObject({
      Principal: { Service: "delivery.logs.amazonaws.com" },
      Condition: { StringEquals: { "aws:SourceAccount": expect.stringMatching(/aws_caller_identity/) } },
    });
  });

  test("a rule group rule that only counts; the authorization header stays redacted whatever is listed", () => {
    const json = build({
      rules: [
        {
          ...DEFAULT_WAF_RULES[1]!,
          managedRuleGroup: { name: "AWSManagedRulesCommonRuleSet", countOnly: ["SizeRestrictions_BODY"] },
        },
      ],
      redactedHeaders: ["x-api-key"],
    });
    expect(
      onlyResource(json, "aws_wafv2_web_acl").rule[0].statement.managed_rule_group_statement
        .rule_action_override,
    ).toEqual([{ name: "SizeRestrictions_BODY", action_to_use: { count: {} } }]);
    expect(onlyResource(json, "aws_wafv2_web_acl_logging_configuration").redacted_fields).toEqual([
      { single_header: { name: "authorization" } },
      { single_header: { name: "x-api-key" } },
    ]);
  });

  test("the policy suite finds nothing to report on it", async () => {
    const { evaluate } = await import("../../policy/engine");
    expect(evaluate([{ name: "waf", json }]).violations).toEqual([]);
  });

  const common = DEFAULT_WAF_RULES[1]!;
  const rate = DEFAULT_WAF_RULES[3]!;
  test.each<[string, readonly WafRule[], string]>([
    [
      "two rules with one priority",
      [common, { ...rate, priority: 20 }],
      '`rules[1].priority` must differ from every other rule\'s (rule "common" has it; WAF refuses the ACL at apply, terraform validate does not), got 20. Give each rule its own priority.',
    ],
    [
      "a rule with both action and override_action",
      [{ ...common, action: "block" }],
      '`rules[0]` must have either action (a rate limit) or overrideAction (a rule group), not both (WAF refuses the rule at apply, terraform validate does not), got {"action":"block","overrideAction":"none"}. Remove action.',
    ],
    [
      "a rule group without override_action",
      [{ name: "common", priority: 1, managedRuleGroup: { name: "AWSManagedRulesCommonRuleSet" } }],
      '`rules[0].overrideAction` must be set for a rule group ("none" keeps its actions), got nothing. Set "none".',
    ],
    [
      "a rate limit without an action",
      [{ name: "rate", priority: 1, rateLimit: 100 }],
      '`rules[0].action` must be set for a rate limit ("block", "count" or "captcha"), got nothing. Set "block".',
    ],
    [
      "a rate limit below what WAF allows",
      [{ ...rate, rateLimit: 5 }],
      "`rules[0].rateLimit` must be a whole number from 10 to 2000000000 (requests per 5 minutes per address), got 5.",
    ],
    [
      "two rules of one name",
      [common, { ...common, priority: 99 }],
      '`rules[1].name` must be a distinct name of 1-128 letters, digits, `-` and `_`, got "common". Rename the rule.',
    ],
  ])("refuses %s", (_what, rules, message) => {
    expect(() => build({ rules })).toThrow(message);
  });
});

describe("WebAcl label blocks", () => {
  test("must come after a managed rule group and block", () => {
    const labelBlock = {
      label: "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body",
      exceptPathPrefix: "/hooks",
    };
    expect(() =>
      build({ rules: [{ name: "early", priority: 1, action: "block", labelBlock }, ...DEFAULT_WAF_RULES] }),
    ).toThrow("`rules[0].priority` must come after the managed rule group that adds the label");
    expect(() =>
      build({ rules: [...DEFAULT_WAF_RULES, { name: "late", priority: 50, action: "count", labelBlock }] }),
    ).toThrow('`rules[4].action` must be "block" for a labelBlock');
    expect(() =>
      build({
        rules: [
          ...DEFAULT_WAF_RULES,
          {
            name: "late",
            priority: 50,
            action: "block",
            labelBlock: { ...labelBlock, exceptPathPrefix: "hooks" },
          },
        ],
      }),
    ).toThrow("`rules[4].labelBlock.exceptPathPrefix` must start with /");
  });
});
