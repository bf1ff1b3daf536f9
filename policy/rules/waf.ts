import { blocks, strings } from "../model";
import type { Rule } from "../types";

export const wafRules: readonly Rule[] = [
  {
    id: "WAF-001",
    title: "WAF web ACLs log their requests",
    rationale: "Without logs a blocked attack, or a legitimate request blocked by mistake, leaves no trace.",
    severity: "medium",
    external: { checkov: ["CKV2_AWS_31"] },
    check: (context) => {
      const { stack } = context;
      const logging = stack.resources("aws_wafv2_web_acl_logging_configuration");
      if (logging.some((l) => stack.isOpaque(l.config.resource_arn))) return [];
      return stack
        .resources("aws_wafv2_web_acl")
        .filter((acl) => !logging.some((l) => stack.pointsTo(l.config.resource_arn, acl)))
        .map((acl) => ({ address: acl.address, message: "has no aws_wafv2_web_acl_logging_configuration" }));
    },
  },
  {
    id: "WAF-002",
    title: "WAF logging redacts the authorization header",
    rationale:
      "Request logs are read by more people than the API's credentials should be; bearer tokens stay out.",
    severity: "high",
    external: {},
    check: (context) =>
      context.stack
        .resources("aws_wafv2_web_acl_logging_configuration")
        .filter(
          (l) =>
            !blocks(l.config.redacted_fields).some((f) =>
              strings([blocks(f.single_header)[0]?.name]).some((n) => n.toLowerCase() === "authorization"),
            ),
        )
        .map((l) => ({
          address: l.address,
          message: "redacted_fields does not include the authorization header",
        })),
  },
];
