import { blocks, bool, isToken, type StackModel, strings, type TfNode } from "../model";
import type { Rule, RuleHit } from "../types";

const ANYWHERE_V4 = "0.0.0.0/0";
const ANYWHERE_V6 = "::/0";

/** One security group rule wherever it is declared, with the node to report and suppress on. */
interface SgRule {
  readonly node: TfNode;
  readonly direction: "ingress" | "egress";
  readonly cidrs: string[];
  readonly protocol: unknown;
  readonly description: unknown;
}

function securityGroupRules(stack: StackModel): SgRule[] {
  const out: SgRule[] = [];
  for (const sg of stack.resources("aws_security_group")) {
    for (const direction of ["ingress", "egress"] as const) {
      for (const r of blocks(sg.config[direction])) {
        out.push({
          node: sg,
          direction,
          cidrs: [...strings(r.cidr_blocks), ...strings(r.ipv6_cidr_blocks)],
          protocol: r.protocol,
          description: r.description,
        });
      }
    }
  }
  for (const r of stack.resources("aws_security_group_rule")) {
    if (r.config.type !== "ingress" && r.config.type !== "egress") continue;
    out.push({
      node: r,
      direction: r.config.type,
      cidrs: [...strings(r.config.cidr_blocks), ...strings(r.config.ipv6_cidr_blocks)],
      protocol: r.config.protocol,
      description: r.config.description,
    });
  }
  for (const [type, direction] of [
    ["aws_vpc_security_group_ingress_rule", "ingress"],
    ["aws_vpc_security_group_egress_rule", "egress"],
  ] as const) {
    for (const r of stack.resources(type)) {
      out.push({
        node: r,
        direction,
        cidrs: [...strings(r.config.cidr_ipv4), ...strings(r.config.cidr_ipv6)],
        protocol: r.config.ip_protocol,
        description: r.config.description,
      });
    }
  }
  return out;
}

const fromAnywhere = (r: SgRule) => r.cidrs.includes(ANYWHERE_V4) || r.cidrs.includes(ANYWHERE_V6);
const allProtocols = (p: unknown) => p === "-1" || p === -1 || p === "all";
const blank = (v: unknown) => v === undefined || v === null || (typeof v === "string" && v.trim() === "");

/** Decides whether a subnet routes to an internet gateway: true, false, or undefined when unknowable. */
function routesToInternetGateway(stack: StackModel, subnet: TfNode): boolean | undefined {
  const associations = stack.resources("aws_route_table_association");
  if (associations.some((a) => stack.isOpaque(a.config.subnet_id))) return undefined;
  const mine = associations.filter((a) => stack.pointsTo(a.config.subnet_id, subnet));
  if (mine.length === 0) return undefined; // main route table: not modelled
  const routeResources = stack.resources("aws_route");
  if (routeResources.some((r) => stack.isOpaque(r.config.route_table_id))) return undefined;
  let internet = false;
  for (const association of mine) {
    const table = stack.resolve(association.config.route_table_id);
    if (table?.type !== "aws_route_table") return undefined;
    const routes = [
      ...blocks(table.config.route),
      ...routeResources.filter((r) => stack.pointsTo(r.config.route_table_id, table)).map((r) => r.config),
    ];
    for (const route of routes) {
      const gateway = route.gateway_id;
      if (gateway === undefined || gateway === "") continue;
      const target = stack.resolve(gateway);
      if (target) {
        if (target.type === "aws_internet_gateway") internet = true;
      } else if (isToken(gateway)) {
        return undefined;
      } else if (typeof gateway === "string" && gateway.startsWith("igw-")) {
        internet = true;
      }
    }
  }
  return internet;
}

export const networkRules: readonly Rule[] = [
  {
    id: "SG-001",
    title: "Security groups allow no ingress from 0.0.0.0/0 or ::/0",
    rationale:
      "Only an internet-facing load balancer listener may be open to the world, and it says so with a suppression.",
    severity: "high",
    external: {
      checkov: ["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277"],
      cdkNag: ["AwsSolutions-EC23"],
    },
    check: (context) =>
      securityGroupRules(context.stack)
        .filter((r) => r.direction === "ingress" && fromAnywhere(r))
        .map((r) => ({ address: r.node.address, message: "allows ingress from anywhere" })),
  },
  {
    id: "SG-002",
    title: "Security groups and their rules have descriptions",
    rationale: "A description says why a port is open; reviewers and incident responders need it.",
    severity: "low",
    external: { checkov: ["CKV_AWS_23"], cdkNag: ["AwsSolutions-EC27"] },
    check: (context) => {
      const hits: RuleHit[] = [];
      for (const sg of context.stack.resources("aws_security_group")) {
        if (blank(sg.config.description)) hits.push({ address: sg.address, message: "has no description" });
      }
      for (const r of securityGroupRules(context.stack)) {
        if (blank(r.description))
          hits.push({ address: r.node.address, message: `has an ${r.direction} rule without a description` });
      }
      return hits;
    },
  },
  {
    id: "SG-003",
    title: "Security groups do not allow all protocols out to 0.0.0.0/0 or ::/0",
    rationale:
      "Egress limited to the needed ports (for example tcp/443) narrows exfiltration and command-and-control paths.",
    severity: "low",
    external: { checkov: ["CKV_AWS_382"] },
    check: (context) =>
      securityGroupRules(context.stack)
        .filter((r) => r.direction === "egress" && fromAnywhere(r) && allProtocols(r.protocol))
        .map((r) => ({ address: r.node.address, message: "allows all protocols out to anywhere" })),
  },
  {
    id: "VPC-001",
    title: "Every VPC has a flow log",
    rationale: "Flow logs are the only record of which addresses talked to which inside the VPC.",
    severity: "medium",
    external: { checkov: ["CKV2_AWS_11"], cdkNag: ["AwsSolutions-VPC7"] },
    check: (context) => {
      const { stack } = context;
      const logs = stack.resources("aws_flow_log");
      if (logs.some((l) => stack.isOpaque(l.config.vpc_id))) return [];
      return stack
        .resources("aws_vpc")
        .filter((vpc) => !logs.some((l) => stack.pointsTo(l.config.vpc_id, vpc)))
        .map((vpc) => ({ address: vpc.address, message: "has no aws_flow_log" }));
    },
  },
  {
    id: "VPC-002",
    title: "Every VPC's default security group allows no traffic",
    rationale: "Resources placed in the default group by mistake must not get its allow-all rules.",
    severity: "medium",
    external: { checkov: ["CKV2_AWS_12"] },
    check: (context) => {
      const { stack } = context;
      const defaults = stack.resources("aws_default_security_group");
      const hits: RuleHit[] = [];
      for (const sg of defaults) {
        if (blocks(sg.config.ingress).length > 0 || blocks(sg.config.egress).length > 0) {
          hits.push({ address: sg.address, message: "default security group keeps ingress or egress rules" });
        }
      }
      if (defaults.some((d) => stack.isOpaque(d.config.vpc_id))) return hits;
      for (const vpc of stack.resources("aws_vpc")) {
        if (!defaults.some((d) => stack.pointsTo(d.config.vpc_id, vpc))) {
          hits.push({
            address: vpc.address,
            message: "has no aws_default_security_group that removes the default rules",
          });
        }
      }
      return hits;
    },
  },
  {
    id: "VPC-003",
    title: "Subnets without a route to an internet gateway do not map public IPs on launch",
    rationale:
      "A public IP in a subnet without an internet route is useless and signals a misplaced workload (decided from route tables, never from names).",
    severity: "medium",
    external: { checkov: ["CKV_AWS_130"] },
    check: (context) =>
      context.stack
        .resources("aws_subnet")
        .filter((s) => bool(s.config.map_public_ip_on_launch) === true)
        .filter((s) => routesToInternetGateway(context.stack, s) === false)
        .map((s) => ({
          address: s.address,
          message: "maps public IPs but has no route to an internet gateway",
        })),
  },
  {
    id: "VPC-004",
    title: "Flow logs capture all traffic",
    rationale: "REJECT-only logs miss the accepted connections an investigation needs.",
    severity: "low",
    external: {},
    check: (context) =>
      context.stack
        .resources("aws_flow_log")
        .filter((l) => typeof l.config.traffic_type === "string" && !isToken(l.config.traffic_type))
        .filter((l) => l.config.traffic_type !== "ALL")
        .map((l) => ({ address: l.address, message: `traffic_type is ${l.config.traffic_type}, not ALL` })),
  },
];
