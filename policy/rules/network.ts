import { blocks, bool, isToken, type StackModel, strings, type TfNode } from "../model";
import type { Rule, RuleHit } from "../types";

const ANYWHERE_V4 = "0.0.0.0/0";
const ANYWHERE_V6 = "::/0";

/** One security group rule wherever it is declared, with the node to report and suppress on. */
interface SgRule {
  readonly node: TfNode;
  /** The security group the rule belongs to (its address, or the reference text when it is not in the stack). */
  readonly group: string;
  readonly direction: "ingress" | "egress";
  readonly cidrs: string[];
  readonly protocol: unknown;
  readonly description: unknown;
}

const groupOf = (stack: StackModel, id: unknown): string => stack.resolve(id)?.address ?? String(id);

function securityGroupRules(stack: StackModel): SgRule[] {
  const out: SgRule[] = [];
  for (const sg of stack.resources("aws_security_group")) {
    for (const direction of ["ingress", "egress"] as const) {
      for (const r of blocks(sg.config[direction])) {
        out.push({
          node: sg,
          group: sg.address,
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
      group: groupOf(stack, r.config.security_group_id),
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
        group: groupOf(stack, r.config.security_group_id),
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

/** An IPv4 CIDR as an address range, or undefined for anything else (IPv6, tokens, malformed). */
function ipv4Range(cidr: string): { start: number; end: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const start = Math.floor(base / size) * size;
  return { start, end: start + size - 1 };
}

/** Private, shared, loopback and link-local IPv4 space: not "the internet". */
const NON_PUBLIC = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
].map((c) => ipv4Range(c)!);

/** How many public IPv4 addresses the union of these CIDRs covers. */
function publicAddresses(cidrs: readonly string[]): number {
  const ranges = cidrs
    .map(ipv4Range)
    .filter((r): r is { start: number; end: number } => r !== undefined)
    .sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r.start <= last.end + 1) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  let total = 0;
  for (const r of merged) {
    let count = r.end - r.start + 1;
    for (const np of NON_PUBLIC) {
      const overlap = Math.min(r.end, np.end) - Math.max(r.start, np.start) + 1;
      if (overlap > 0) count -= overlap;
    }
    total += count;
  }
  return total;
}

/** A /8 of public space: more than that, split or not, is "the internet" for SG-004. */
export const PUBLIC_INGRESS_LIMIT = 2 ** 24;

/** Ports that administer a host or serve a database. */
export const ADMIN_AND_DATABASE_PORTS: readonly number[] = [
  22, 23, 135, 445, 1433, 1521, 2049, 2375, 2376, 3306, 3389, 5432, 5439, 5984, 6379, 7001, 8020, 9042, 9200,
  9300, 11211, 27017,
];

interface NaclIngress {
  readonly node: TfNode;
  readonly acl: TfNode | undefined;
  readonly cidr: string;
  readonly protocol: unknown;
  readonly from: number | undefined;
  readonly to: number | undefined;
}

function naclIngressRules(stack: StackModel): NaclIngress[] {
  const out: NaclIngress[] = [];
  const allowed = (action: unknown) => String(action).toLowerCase() === "allow";
  for (const acl of stack.resources("aws_network_acl")) {
    for (const r of blocks(acl.config.ingress)) {
      if (!allowed(r.action)) continue;
      out.push({
        node: acl,
        acl,
        cidr: String(r.cidr_block ?? r.ipv6_cidr_block ?? ""),
        protocol: r.protocol,
        from: r.from_port,
        to: r.to_port,
      });
    }
  }
  for (const r of stack.resources("aws_network_acl_rule")) {
    if (r.config.egress === true || !allowed(r.config.rule_action)) continue;
    out.push({
      node: r,
      acl: stack.resolve(r.config.network_acl_id),
      cidr: String(r.config.cidr_block ?? r.config.ipv6_cidr_block ?? ""),
      protocol: r.config.protocol,
      from: r.config.from_port,
      to: r.config.to_port,
    });
  }
  return out;
}

/**
 * True when every subnet of the ACL routes 0.0.0.0/0 through a NAT or internet gateway, or reaches a
 * gateway endpoint's public service addresses (S3, DynamoDB): return traffic of outbound connections.
 */
function aclSubnetsRouteOut(stack: StackModel, acl: TfNode | undefined): boolean {
  if (!acl) return false;
  const subnets = strings(acl.config.subnet_ids).map((id) => stack.resolve(id));
  if (subnets.length === 0 || subnets.some((s) => s?.type !== "aws_subnet")) return false;
  const routeResources = stack.resources("aws_route");
  return subnets.every((subnet) =>
    stack
      .resources("aws_route_table_association")
      .filter((a) => stack.pointsTo(a.config.subnet_id, subnet!))
      .some((association) => {
        const table = stack.resolve(association.config.route_table_id);
        if (!table) return false;
        const routes = [
          ...blocks(table.config.route),
          ...routeResources
            .filter((r) => stack.pointsTo(r.config.route_table_id, table))
            .map((r) => r.config),
        ];
        const gatewayEndpoint = stack
          .resources("aws_vpc_endpoint")
          .some(
            (e) =>
              String(e.config.vpc_endpoint_type).toLowerCase() === "gateway" &&
              strings(e.config.route_table_ids).some((id) => stack.pointsTo(id, table)),
          );
        return (
          gatewayEndpoint ||
          routes.some(
            (route) =>
              route.destination_cidr_block === ANYWHERE_V4 && (route.nat_gateway_id || route.gateway_id),
          )
        );
      }),
  );
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
  {
    id: "SG-004",
    title: `Security group ingress admits at most a /8 of public addresses, however the CIDRs are split`,
    rationale:
      "0.0.0.0/1 plus 128.0.0.0/1 is the whole internet without the string 0.0.0.0/0 that SG-001 looks for.",
    severity: "high",
    external: {},
    check: (context) => {
      const byGroup = new Map<string, SgRule[]>();
      for (const r of securityGroupRules(context.stack).filter(
        (x) => x.direction === "ingress" && !fromAnywhere(x),
      )) {
        byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r]);
      }
      const hits: RuleHit[] = [];
      for (const rules of byGroup.values()) {
        const count = publicAddresses(rules.flatMap((r) => r.cidrs));
        if (count > PUBLIC_INGRESS_LIMIT) {
          for (const r of rules.filter((x) => publicAddresses(x.cidrs) > 0)) {
            hits.push({
              address: r.node.address,
              message: `with its group's other ingress rules admits ${count} public IPv4 addresses (more than a /8)`,
            });
          }
        }
      }
      return hits;
    },
  },
  {
    id: "NACL-001",
    title: "Network ACLs allow no ingress from anywhere to administration or database ports, or to all ports",
    rationale:
      "A NACL is the subnet's last stateless filter; SSH, RDP or a database port open to the internet there is open for every host of the subnet.",
    severity: "high",
    external: { checkov: ["CKV_AWS_229", "CKV_AWS_230", "CKV_AWS_231", "CKV_AWS_232"] },
    check: (context) => {
      const hits: RuleHit[] = [];
      for (const r of naclIngressRules(context.stack)) {
        if (r.cidr !== ANYWHERE_V4 && r.cidr !== ANYWHERE_V6) continue;
        const all = allProtocols(r.protocol) || (r.from === 0 && r.to === 65535);
        const from = r.from ?? 0;
        const to = r.to ?? 65535;
        // Return traffic of connections the subnet's hosts open through NAT or an internet gateway.
        const ephemeral =
          from === 1024 &&
          to === 65535 &&
          !allProtocols(r.protocol) &&
          aclSubnetsRouteOut(context.stack, r.acl);
        if (ephemeral) continue;
        const ports = ADMIN_AND_DATABASE_PORTS.filter((p) => p >= from && p <= to);
        if (all || ports.length > 0) {
          hits.push({
            address: r.node.address,
            message: all ? `allows all ports from ${r.cidr}` : `allows ${ports.join(", ")} from ${r.cidr}`,
          });
        }
      }
      return hits;
    },
  },
];
