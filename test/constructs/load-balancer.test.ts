import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { Connections } from "../../constructs/core/connections";
import {
  ApplicationLoadBalancer,
  type ApplicationLoadBalancerProps,
  type RouteOptions,
  TLS_POLICY,
} from "../../constructs/load-balancer";
import { naming, network } from "../support/fixtures";
import { resourcesOf, synthScope } from "../support/synth";

const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f0e1d2c-aaaa-bbbb-cccc-1234567890ab";
const build = (props: Partial<ApplicationLoadBalancerProps> = {}, routes: RouteOptions[] = []) =>
  synthScope((s: Construct) => {
    const alb = new ApplicationLoadBalancer(s, "lb", {
      naming,
      name: "web",
      network,
      certificateArn: CERT,
      ...props,
    });
    for (const r of routes) alb.addRoute(r);
  });
const listener = (json: ReturnType<typeof build>, port: number) =>
  Object.values(resourcesOf(json, "aws_lb_listener")).find((l) => l.port === port);

describe("ApplicationLoadBalancer defaults", () => {
  const json = build();

  test("HTTP is redirected to HTTPS with a 301; HTTPS serves TLS 1.2+ and answers 404 without a default route", () => {
    expect(listener(json, 80).default_action).toEqual([
      { type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } },
    ]);
    expect(listener(json, 443)).toMatchObject({
      protocol: "HTTPS",
      ssl_policy: TLS_POLICY,
      certificate_arn: CERT,
    });
    expect(listener(json, 443).default_action[0]).toMatchObject({
      type: "fixed-response",
      fixed_response: { status_code: "404" },
    });
  });

  test("internet-facing in the public subnets, invalid headers dropped, no access logs, no deletion protection", () => {
    const lb = Object.values(resourcesOf(json, "aws_lb"))[0];
    expect(lb).toMatchObject({
      name: "meeting-notes-staging-web",
      internal: false,
      subnets: network.publicSubnetIds,
      drop_invalid_header_fields: true,
      enable_deletion_protection: false,
    });
    expect(lb.access_logs).toBeUndefined();
  });
});

describe("ApplicationLoadBalancer settings", () => {
  test("a default route forwards what no rule matches to its target group", () => {
    const json = build({ defaultRoute: { key: "app", port: 3000 } });
    const group = Object.values(resourcesOf(json, "aws_lb_target_group"))[0];
    expect(group).toMatchObject({
      port: 3000,
      protocol: "HTTP",
      target_type: "ip",
      lifecycle: { create_before_destroy: true },
    });
    expect(group.health_check).toMatchObject({ path: "/health", matcher: "200-399" });
    expect(listener(json, 443).default_action[0].type).toBe("forward");
  });

  test('http: "closed" leaves no HTTP listener and no port-80 rule: HTTPS only', () => {
    const json = build({ http: "closed" });
    expect(listener(json, 80)).toBeUndefined();
    expect(listener(json, 443).protocol).toBe("HTTPS");
    expect(
      Object.values(resourcesOf(json, "aws_vpc_security_group_ingress_rule")).map((r) => r.from_port),
    ).toEqual([443]);
    expect(Object.values(resourcesOf(json, "aws_security_group"))[0].description).toBe(
      "Public HTTPS to the meeting-notes-staging-web load balancer",
    );
  });

  test("by default ports 80 and 443 are open, 80 only to redirect", () => {
    expect(
      Object.values(resourcesOf(build(), "aws_vpc_security_group_ingress_rule"))
        .map((r) => r.from_port)
        .sort((a, b) => a - b),
    ).toEqual([80, 443]);
  });

  test("an unknown http mode is refused", () => {
    expect(() => build({ http: "open" as never })).toThrow(
      '`http` must be "redirect" or "closed", got "open". Pick one of the two.',
    );
  });

  test("access logs and deletion protection", () => {
    const json = build({
      accessLogs: { bucketName: "logs-bucket", prefix: "web" },
      deletionProtection: true,
    });
    expect(Object.values(resourcesOf(json, "aws_lb"))[0]).toMatchObject({
      access_logs: { bucket: "logs-bucket", prefix: "web", enabled: true },
      enable_deletion_protection: true,
    });
  });

  test("routes: rules by path and host, priorities in order of declaration unless given, a target group each", () => {
    const json = build({}, [
      { key: "api", pathPatterns: ["/api/*"], port: 8080 },
      { key: "admin", hostHeaders: ["admin.example.com"], pathPatterns: ["/*"], port: 8081, priority: 50 },
      { key: "docs", pathPatterns: ["/docs/*"], port: 8082, healthCheck: { path: "/ready", matcher: "200" } },
    ]);
    const rules = resourcesOf(json, "aws_lb_listener_rule");
    const rule = (key: string) => Object.entries(rules).find(([id]) => id.includes(`_${key}-rule_`))![1];
    expect(["api", "admin", "docs"].map((k) => rule(k).priority)).toEqual([100, 50, 200]);
    expect(rule("admin").condition).toEqual([
      { path_pattern: { values: ["/*"] } },
      { host_header: { values: ["admin.example.com"] } },
    ]);
    const groups = resourcesOf(json, "aws_lb_target_group");
    const group = (key: string) => Object.entries(groups).find(([id]) => id.includes(`_${key}-targets_`))![1];
    expect(["api", "admin", "docs"].map((k) => group(k).port)).toEqual([8080, 8081, 8082]);
    expect(group("docs").health_check).toMatchObject({ path: "/ready", matcher: "200" });
  });

  test("a target group's name carries a suffix from its port, so a new port is a new group the listener switches to", () => {
    const name = (port: number) =>
      Object.values(
        resourcesOf(build({}, [{ key: "api", pathPatterns: ["/api/*"], port }]), "aws_lb_target_group"),
      )[0].name;
    // Shortened to ALB's 32 characters, with a hash of everything it was made from.
    expect(name(8080)).toMatch(/^meeting-notes-staging-web-[0-9a-f]+$/);
    expect(name(8080)).not.toBe(name(9090));
    expect(name(8080).length).toBeLessThanOrEqual(32);
  });

  test.each<[string, RouteOptions[], string]>([
    [
      "two routes with one priority",
      [
        { key: "a", pathPatterns: ["/a/*"], port: 80, priority: 10 },
        { key: "b", pathPatterns: ["/b/*"], port: 80, priority: 10 },
      ],
      "`routes.b.priority` must be unique on the listener, got 10. Pick another priority.",
    ],
    [
      "two routes matching the same",
      [
        { key: "a", pathPatterns: ["/a/*", "/b/*"], port: 80 },
        { key: "b", pathPatterns: ["/b/*", "/a/*"], port: 80 },
      ],
      '`routes.b` must not match exactly what route a matches, got ["/b/*","/a/*"]. Remove one of the routes, or tell them apart.',
    ],
    [
      "more condition values than a rule may have",
      [
        {
          key: "a",
          pathPatterns: ["/1", "/2", "/3", "/4"],
          hostHeaders: ["a.example.com", "b.example.com"],
          port: 80,
        },
      ],
      '`routes.a` must have at most 5 path patterns and host headers together (AWS\'s limit per rule), got ["/1","/2","/3","/4","a.example.com","b.example.com"]. Split it into two routes.',
    ],
    [
      "a route that matches nothing",
      [{ key: "a", port: 80 }],
      '`routes.a` must match something: give pathPatterns or hostHeaders (the default route takes the rest), got "a". Add a pattern, or make it the defaultRoute.',
    ],
    [
      "a path pattern without a leading slash",
      [{ key: "a", pathPatterns: ["api/*"], port: 80 }],
      '`routes.a.pathPatterns` must start with / and have at most 128 characters, got "api/*". Use a pattern such as /api/*.',
    ],
    [
      "two routes with one key",
      [
        { key: "a", pathPatterns: ["/a/*"], port: 80 },
        { key: "a", pathPatterns: ["/b/*"], port: 80 },
      ],
      '`routes` must have unique keys, got "a". Rename one of the routes.',
    ],
    [
      "a priority out of range",
      [{ key: "a", pathPatterns: ["/a/*"], port: 80, priority: 50_001 }],
      "`routes.a.priority` must be a whole number from 1 to 50000, got 50001.",
    ],
  ])("refuses %s", (_what, routes, message) => {
    expect(() => build({}, routes)).toThrow(message);
  });
});

describe("connections", () => {
  test("alb.connections.allowTo(x, port) writes the ingress on x's group and the egress on the ALB's, once per pair", () => {
    const json = synthScope((s: Construct) => {
      const alb = new ApplicationLoadBalancer(s, "lb", {
        naming,
        name: "web",
        network,
        certificateArn: CERT,
      });
      const target = { connections: new Connections(s, "tasks", "the web tasks", "sg-tasks") };
      alb.connections.allowTo(target, 3000);
      expect(() => alb.connections.allowTo(target, 3001)).toThrow(
        "`allowTo` must be called once per pair (the load balancer already reaches the web tasks), got 3001.",
      );
    });
    const ingress = Object.values(resourcesOf(json, "aws_vpc_security_group_ingress_rule")).find(
      (r) => r.security_group_id === "sg-tasks",
    );
    expect(ingress).toMatchObject({
      from_port: 3000,
      to_port: 3000,
      description: "Traffic from the load balancer only",
    });
    expect(ingress.referenced_security_group_id).toMatch(/^\$\{aws_security_group\./);
    const egress = Object.values(resourcesOf(json, "aws_vpc_security_group_egress_rule"));
    expect(egress).toEqual([
      expect.objectContaining({
        referenced_security_group_id: "sg-tasks",
        description: "Load balancer to the web tasks",
      }),
    ]);
  });
});

describe("connections between several constructs", () => {
  test("two sources reach one target, each with its own rules; two sources with one name are refused", () => {
    const json = synthScope((s: Construct) => {
      const db = { connections: new Connections(new Construct(s, "db"), "db", "the database", "sg-db") };
      const api = { connections: new Connections(new Construct(s, "api"), "api", "the api tasks", "sg-api") };
      const worker = {
        connections: new Connections(new Construct(s, "worker"), "worker", "the worker tasks", "sg-worker"),
      };
      api.connections.allowTo(db, 5432);
      worker.connections.allowTo(db, 5432);
      const twin = {
        connections: new Connections(new Construct(s, "other"), "api", "another api", "sg-other"),
      };
      expect(() => twin.connections.allowTo(db, 5432)).toThrow(
        '`allowTo` must connect sources with distinct names to one target (another source named "api" already reaches the database), got "test/other". Give the sources distinct names.',
      );
    });
    const ingress = Object.values(resourcesOf(json, "aws_vpc_security_group_ingress_rule"));
    expect(ingress.map((r) => r.referenced_security_group_id).sort()).toEqual(["sg-api", "sg-worker"]);
    expect(ingress.every((r) => r.security_group_id === "sg-db")).toBe(true);
  });
});

describe("load balancer names and buckets", () => {
  test("a target group name ELB refuses is refused", () => {
    expect(() =>
      build({}, [{ key: "api", pathPatterns: ["/api/*"], port: 80, targetGroupName: "bad_name" }]),
    ).toThrow(
      '`routes.api.targetGroupName` must be 1-32 letters, digits and hyphens, not starting or ending with a hyphen (ELB\'s rule), got "bad_name". Leave it out to get a generated name.',
    );
  });

  test("an access-log bucket given as an ARN is refused", () => {
    expect(() => build({ accessLogs: { bucketName: "arn:aws:s3:::logs" } })).toThrow(
      '`accessLogs.bucketName` must be an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens), got "arn:aws:s3:::logs". Give the name of the existing log bucket, not its ARN.',
    );
  });
});

describe("ApplicationLoadBalancer target-group names", () => {
  test("a generated name does not change with the text of the VPC id's token (how many tokens came before it)", () => {
    const names = [0, 7].map((earlier) => {
      const json = synthScope((s: Construct) => {
        for (let i = 0; i < earlier; i++)
          void new TerraformVariable(s, `earlier-${i}`, { type: "string" }).stringValue;
        const vpc = new TerraformVariable(s, "vpc", { type: "string" });
        const alb = new ApplicationLoadBalancer(s, "lb", {
          naming,
          name: "web",
          network: { ...network, vpcId: vpc.stringValue },
          certificateArn: CERT,
        });
        alb.addRoute({ key: "api", pathPatterns: ["/api/*"], port: 3000 });
      });
      return Object.values(resourcesOf(json, "aws_lb_target_group")).map((g) => g.name);
    });
    expect(names[0]).toHaveLength(1);
    expect(names[1]).toEqual(names[0]);
  });
});
