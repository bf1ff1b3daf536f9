import { block, blocks, bool, isToken, type StackModel, type TfNode } from "../model";
import type { Rule } from "../types";

function loadBalancers(stack: StackModel): TfNode[] {
  return [...stack.resources("aws_lb"), ...stack.resources("aws_alb")].filter(
    (lb) => lb.config.load_balancer_type === undefined || lb.config.load_balancer_type === "application",
  );
}

function listeners(stack: StackModel): TfNode[] {
  return [...stack.resources("aws_lb_listener"), ...stack.resources("aws_alb_listener")];
}

/** ELB security policies whose minimum protocol is TLS 1.2 or later. */
const TLS12_POLICY = /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)/;

export const albRules: readonly Rule[] = [
  {
    id: "ALB-001",
    title: "Application load balancers drop invalid HTTP header fields",
    rationale: "Dropping malformed headers closes request-smuggling paths to the targets.",
    severity: "medium",
    external: { checkov: ["CKV_AWS_131"] },
    check: (context) =>
      loadBalancers(context.stack)
        .filter((lb) => !isToken(lb.config.drop_invalid_header_fields))
        .filter((lb) => bool(lb.config.drop_invalid_header_fields) !== true)
        .map((lb) => ({ address: lb.address, message: "drop_invalid_header_fields is not true" })),
  },
  {
    id: "ALB-002",
    title: "HTTPS and TLS listeners use a security policy with TLS 1.2 or later",
    rationale: "TLS 1.0/1.1 are deprecated; the provider's default policy still accepts them.",
    severity: "high",
    external: { checkov: ["CKV_AWS_103"] },
    check: (context) =>
      listeners(context.stack)
        .filter((l) => l.config.protocol === "HTTPS" || l.config.protocol === "TLS")
        .filter((l) => !isToken(l.config.ssl_policy))
        .filter((l) => typeof l.config.ssl_policy !== "string" || !TLS12_POLICY.test(l.config.ssl_policy))
        .map((l) => ({
          address: l.address,
          message: `ssl_policy ${l.config.ssl_policy ?? "(default ELBSecurityPolicy-2016-08)"} allows TLS below 1.2`,
        })),
  },
  {
    id: "ALB-003",
    title: "HTTP listeners only redirect to HTTPS",
    rationale: "Plain HTTP must never reach the application; a redirect keeps old links working.",
    severity: "high",
    external: { checkov: ["CKV_AWS_2", "CKV2_AWS_20"] },
    check: (context) =>
      listeners(context.stack)
        .filter((l) => l.config.protocol === "HTTP")
        .filter((l) => {
          const actions = blocks(l.config.default_action);
          return !actions.some((a) => a.type === "redirect" && block(a.redirect)?.protocol === "HTTPS");
        })
        .map((l) => ({ address: l.address, message: "HTTP listener does not redirect to HTTPS" })),
  },
  {
    id: "ALB-004",
    title: "Load balancers have deletion protection",
    rationale:
      "A deleted load balancer changes its DNS name and takes the service down; low severity, suppress where replacement is fine.",
    severity: "low",
    external: { checkov: ["CKV_AWS_150"] },
    check: (context) =>
      loadBalancers(context.stack)
        .filter((lb) => !isToken(lb.config.enable_deletion_protection))
        .filter((lb) => bool(lb.config.enable_deletion_protection) !== true)
        .map((lb) => ({ address: lb.address, message: "enable_deletion_protection is not true" })),
  },
  {
    id: "ALB-005",
    title: "Load balancers write access logs",
    rationale: "Access logs are the record of every request the platform answered.",
    severity: "medium",
    external: { checkov: ["CKV_AWS_91"], cdkNag: ["AwsSolutions-ELB2"] },
    check: (context) =>
      loadBalancers(context.stack)
        .filter((lb) => {
          const logs = block(lb.config.access_logs);
          return !isToken(logs?.enabled) && bool(logs?.enabled) !== true;
        })
        .map((lb) => ({ address: lb.address, message: "access_logs are not enabled" })),
  },
  {
    id: "ALB-006",
    title: "Load balancers keep desync mitigation at defensive or strictest",
    rationale: "Monitor mode forwards ambiguous requests that enable HTTP desync attacks.",
    severity: "medium",
    external: { checkov: ["CKV_AWS_328"] },
    check: (context) =>
      loadBalancers(context.stack)
        .filter((lb) => lb.config.desync_mitigation_mode === "monitor")
        .map((lb) => ({ address: lb.address, message: "desync_mitigation_mode is monitor" })),
  },
  {
    id: "ACM-001",
    title: "ACM certificates are replaced create-before-destroy",
    rationale: "Listeners keep a valid certificate while a replacement is issued.",
    severity: "low",
    external: { checkov: ["CKV_AWS_233"] },
    check: (context) =>
      context.stack
        .resources("aws_acm_certificate")
        .filter((c) => bool(block(c.config.lifecycle)?.create_before_destroy) !== true)
        .map((c) => ({ address: c.address, message: "lifecycle.create_before_destroy is not true" })),
  },
  {
    id: "ACM-002",
    title: "ACM certificates keep certificate transparency logging on",
    rationale: "Browsers reject certificates missing from CT logs, and CT lets the owner spot mis-issuance.",
    severity: "low",
    external: { checkov: ["CKV_AWS_234"] },
    check: (context) =>
      context.stack
        .resources("aws_acm_certificate")
        .filter((c) => block(c.config.options)?.certificate_transparency_logging_preference === "DISABLED")
        .map((c) => ({
          address: c.address,
          message: "certificate_transparency_logging_preference is DISABLED",
        })),
  },
];
