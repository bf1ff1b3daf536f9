import { describe, expect, test } from "vitest";
import { ApiDomain, type ApiDomainProps, TLS_POLICY } from "../../constructs/api-domain";
import { naming, network } from "../support/fixtures";
import { dataOf, onlyResource, resourcesOf, synthScope } from "../support/synth";

const certArn = "arn:aws:acm:us-east-1:123456789012:certificate/0f0e1d2c-aaaa-bbbb-cccc-1234567890ab";
const build = (overrides: Partial<ApiDomainProps> = {}) =>
  synthScope(
    (s) =>
      new ApiDomain(s, "api-domain", {
        naming,
        network,
        domainName: "api.example.com",
        hostedZoneName: "example.com",
        ...overrides,
      }),
  );
const listeners = (json: ReturnType<typeof build>) => Object.values(resourcesOf(json, "aws_lb_listener"));

describe("ApiDomain", () => {
  const json = build();

  test("an internet-facing ALB in the public subnets that drops invalid headers", () => {
    expect(onlyResource(json, "aws_lb")).toMatchObject({
      name: "meeting-notes-staging-api",
      load_balancer_type: "application",
      internal: false,
      subnets: network.publicSubnetIds,
      drop_invalid_header_fields: true,
      enable_deletion_protection: false,
    });
  });

  test("HTTP redirects to HTTPS with a 301; HTTPS uses a TLS 1.2+ policy and forwards to the targets", () => {
    const http = listeners(json).find((l) => l.port === 80)!;
    expect(http.default_action).toEqual([
      { type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } },
    ]);
    const https = listeners(json).find((l) => l.port === 443)!;
    expect(https).toMatchObject({ protocol: "HTTPS", ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06" });
    expect(TLS_POLICY).toBe(https.ssl_policy);
    expect(https.default_action[0].type).toBe("forward");
  });

  test("without a certificate ARN a new certificate is DNS-validated in the zone and the listener waits for it", () => {
    expect(onlyResource(json, "aws_acm_certificate")).toMatchObject({
      domain_name: "api.example.com",
      validation_method: "DNS",
    });
    const https = listeners(json).find((l) => l.port === 443)!;
    expect(https.certificate_arn).toMatch(/^\$\{aws_acm_certificate_validation\.[^}]+\.certificate_arn\}$/);
    const records = Object.values(resourcesOf(json, "aws_route53_record"));
    const validation = records.find((r) => r.type !== "A")!;
    expect(validation.name).toMatch(
      /^\$\{tolist\(aws_acm_certificate\.[^)]+\.domain_validation_options\)\[0\]\.resource_record_name\}$/,
    );
    expect(Object.values(dataOf(json, "aws_route53_zone"))[0]).toMatchObject({
      name: "example.com",
      private_zone: false,
    });
  });

  test("a Route 53 alias points the domain at the ALB", () => {
    const alias = Object.values(resourcesOf(json, "aws_route53_record")).find((r) => r.type === "A")!;
    expect(alias.name).toBe("api.example.com");
    expect(alias.alias.name).toMatch(/aws_lb\..+\.dns_name/);
  });

  test("only 80 and 443 are open to the internet", () => {
    const rules = Object.values(resourcesOf(json, "aws_vpc_security_group_ingress_rule"));
    expect(rules.map((r) => [r.from_port, r.cidr_ipv4]).sort()).toEqual([
      [443, "0.0.0.0/0"],
      [80, "0.0.0.0/0"],
    ]);
  });

  test("the target group checks /health on port 8080 by default, and as set", () => {
    expect(onlyResource(json, "aws_lb_target_group")).toMatchObject({
      port: 8080,
      target_type: "ip",
      health_check: { path: "/health" },
    });
    expect(
      onlyResource(build({ targetPort: 3000, healthCheckPath: "/ready" }), "aws_lb_target_group"),
    ).toMatchObject({
      port: 3000,
      health_check: { path: "/ready" },
    });
  });

  test("a given certificate ARN is used as is, and no certificate is created", () => {
    const own = build({ certificateArn: certArn, hostedZoneName: undefined });
    expect(resourcesOf(own, "aws_acm_certificate")).toEqual({});
    expect(listeners(own).find((l) => l.port === 443)!.certificate_arn).toBe(certArn);
    expect(resourcesOf(own, "aws_route53_record")).toEqual({});
  });

  test("deletion protection as set", () => {
    expect(onlyResource(build({ deletionProtection: true }), "aws_lb").enable_deletion_protection).toBe(true);
  });

  test.each<[string, Partial<ApiDomainProps>, string]>([
    [
      "neither certificate nor zone",
      { hostedZoneName: undefined },
      "`certificateArn` or hostedZoneName is required (a new certificate is validated through the Route 53 zone), got nothing. Set certificateArn to an ACM certificate for the domain, or hostedZoneName to its public zone.",
    ],
    [
      "a domain outside the zone",
      { domainName: "api.example.org" },
      '`domainName` must be inside hostedZoneName (example.com), got "api.example.org". Use a name in that zone, or fix hostedZoneName.',
    ],
    [
      "a bad domain",
      { domainName: "API.Example.com" },
      '`domainName` must be a lowercase DNS name, got "API.Example.com". Use a name such as api.example.com.',
    ],
    [
      "a relative health check path",
      { healthCheckPath: "health" },
      '`healthCheckPath` must start with /, got "health". Use a path such as "/health".',
    ],
  ])("rejects %s", (_n, overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });
});
