import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { NetworkAcl } from "@cdktf/provider-aws/lib/network-acl";
import { NetworkAclRule } from "@cdktf/provider-aws/lib/network-acl-rule";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { AWS_REGIONS } from "../core/aws-limits";
import { type Connectable, Connections } from "../core/connections";
import { DEFAULT_LOG_RETENTION_DAYS } from "../core/defaults";
import { policyDocument, serviceTrustPolicy } from "../core/iam";
import { limitedName, NAME_LIMITS, type ResourceNaming, resourceName } from "../core/naming";
import { invalid, isUnresolved, requireIntegerInRange, requireLogRetention } from "../core/validation";
import type { KeyReference } from "../internal/references";

/**
 * How private subnets reach the internet:
 * - `none`: no NAT gateway and no default route; private subnets reach AWS services through VPC endpoints only;
 * - `single`: one NAT gateway in the first public subnet, shared by every zone (cheaper, one zone's outage
 *   cuts egress everywhere);
 * - `perAz`: one NAT gateway per zone, each zone's private subnet routing through its own.
 */
export type NatGatewayMode = "none" | "single" | "perAz";

const NAT_GATEWAY_MODES: readonly NatGatewayMode[] = ["none", "single", "perAz"];

/** The endpoints `vpcEndpoints` creates unless `endpoints` lists others: what a Fargate task needs. */
export const DEFAULT_ENDPOINTS: readonly string[] = ["s3", "ecr.api", "ecr.dkr", "logs", "secretsmanager"];

/** Services reached through gateway endpoints (on the route tables); every other one is an interface endpoint. */
const GATEWAY_SERVICES = ["s3", "dynamodb"];

/**
 * The endpoint services a network may list (`com.amazonaws.<region>.<service>`). Each exists in every
 * commercial region this repository accepts; extend the list when a platform needs another.
 */
export const ENDPOINT_SERVICES: readonly string[] = [
  "s3",
  "dynamodb",
  "ecr.api",
  "ecr.dkr",
  "logs",
  "secretsmanager",
  "kms",
  "sts",
  "ssm",
  "ssmmessages",
  "ec2messages",
  "sqs",
  "sns",
  "events",
  "monitoring",
  "ecs",
  "ecs-agent",
  "ecs-telemetry",
  "lambda",
  "execute-api",
  "aps-workspaces",
  "xray",
];

/** The endpoint service name of a service in a region. */
export function endpointServiceName(region: string, service: string): string {
  return `com.amazonaws.${region}.${service}`;
}

/**
 * Bits added to the VPC prefix for every subnet: eight equal slots, public subnets in the first half,
 * private subnets in the second. With the smallest VPC allowed (/24) each subnet is a /27, the smallest
 * an Application Load Balancer accepts.
 */
const SUBNET_NEWBITS = 3;
const PRIVATE_SLOT_OFFSET = 4;

/**
 * Network ACLs on the private and isolated subnets. ACLs are stateless, so each rule that admits a
 * connection has its reply's rule beside it:
 * - private subnets: everything within the VPC both ways; out to anywhere on `egressPorts` (through
 *   NAT or the gateway endpoints) and the replies back on the ephemeral ports 1024-65535;
 * - isolated subnets: `isolatedPorts` from the private subnets only, and the replies to them on the
 *   ephemeral ports; nothing from the public subnets or out of the VPC.
 */
export interface NetworkAclOptions {
  /**
   * TCP ports the private subnets may open to addresses outside the VPC.
   * @default [443]
   */
  readonly egressPorts?: readonly number[];
  /**
   * TCP ports the isolated subnets accept from the private subnets (the databases' and caches' ports).
   * @default [5432]
   */
  readonly isolatedPorts?: readonly number[];
}

/** Properties of a {@link Network}. */
export interface NetworkProps {
  /** Project and environment every name derives from. */
  readonly naming: ResourceNaming;
  /**
   * IPv4 CIDR block of the VPC, a network address with a prefix length from /16 to /24.
   * Split into eight equal subnets (prefix + 3): public subnets take slots 0 to 2, private subnets
   * slots 4 to 6, so `10.0.0.0/16` gives public `10.0.0.0/19`, `10.0.32.0/19`, ... and private
   * `10.0.128.0/19`, `10.0.160.0/19`, ...
   * @default "10.0.0.0/16"
   */
  readonly cidr?: string;
  /**
   * Number of availability zones (2 or 3) that get one public and one private subnet each.
   * Zones are the region's first zones that need no opt-in.
   * @default 2
   */
  readonly availabilityZones?: number;
  /**
   * NAT gateways that give private subnets a route to the internet.
   * @default "single"
   */
  readonly natGateways?: NatGatewayMode;
  /**
   * Whether to create VPC endpoints: an S3 gateway endpoint on the private route tables and interface
   * endpoints (private DNS on) for `ecr.api`, `ecr.dkr`, `logs` and `secretsmanager` in the private
   * subnets. Required when `natGateways` is `"none"`: without them private tasks cannot pull images,
   * write logs or read secrets.
   * @default - true when `natGateways` is "none", else false
   */
  readonly vpcEndpoints?: boolean;
  /**
   * Days CloudWatch Logs keeps VPC flow log records; one of the periods CloudWatch Logs accepts.
   * @default 30
   */
  readonly flowLogRetentionDays?: number;
  /** Key that encrypts the flow log group; the network grants CloudWatch Logs its use for that group. */
  readonly encryptionKey: KeyReference;
  /**
   * The stack's region, so endpoint service names are plain strings the synth can check.
   * @default - read from the provider at plan time (`aws_region`)
   */
  readonly region?: string;
  /**
   * The VPC endpoints, by service (`s3`, `dynamodb`, `ecr.api`, ...; {@link ENDPOINT_SERVICES}): `s3`
   * and `dynamodb` are gateway endpoints on the private and isolated route tables, the others interface
   * endpoints with private DNS in the private subnets, behind one security group that allows HTTPS from
   * the workloads connected to it ({@link Network.interfaceEndpoints}). Keyed by service: adding or removing one leaves the others where they are.
   * @default DEFAULT_ENDPOINTS when `vpcEndpoints` is on
   */
  readonly endpoints?: readonly string[];
  /**
   * A third tier of isolated (data) subnets, one per zone, with a route table of their own and no route
   * out of the VPC: for databases and caches.
   * @default false
   */
  readonly isolatedSubnets?: boolean;
  /**
   * Explicit subnet CIDRs per tier, one per zone in zone order, inside the VPC and not overlapping.
   * @default - computed from `cidr`: eight equal slots, public 0-2, private 4-6; isolated subnets are slot
   *   7 split in four (so a VPC of /23 or larger: AWS's smallest subnet is a /28)
   */
  readonly subnetCidrs?: {
    readonly public?: readonly string[];
    readonly private?: readonly string[];
    readonly isolated?: readonly string[];
  };
  /**
   * Network ACLs on the private and isolated subnets ({@link NetworkAclOptions}).
   * @default - none: the VPC's default ACL, which admits everything (security groups still filter)
   */
  readonly networkAcls?: NetworkAclOptions;
}

/**
 * A VPC with one public and one private subnet per availability zone, NAT gateways by mode, optional
 * VPC endpoints, a locked default security group and VPC flow logs (all traffic) to an encrypted
 * CloudWatch log group `/aws/vpc/<project>-<env>/flow-logs`.
 *
 * Public subnets do not assign public IPs: only the load balancer and NAT gateways live there.
 * Each private subnet has its own route table, so moving from `single` to `perAz` NAT only changes routes.
 */
export class Network extends Construct {
  /** ID of the VPC. */
  readonly vpcId: string;
  /** IPv4 CIDR block of the VPC. */
  readonly vpcCidrBlock: string;
  /** IDs of the public subnets, one per availability zone, in zone order. */
  readonly publicSubnetIds: string[];
  /** IDs of the private subnets, one per availability zone, in zone order. */
  readonly privateSubnetIds: string[];
  /** CIDR blocks of the public subnets, in zone order. */
  readonly publicSubnetCidrs: string[];
  /** CIDR blocks of the private subnets, in zone order. */
  readonly privateSubnetCidrs: string[];
  /** IDs of the isolated subnets, in zone order (empty without `isolatedSubnets`). */
  readonly isolatedSubnetIds: string[] = [];
  /** CIDR blocks of the isolated subnets, in zone order. */
  readonly isolatedSubnetCidrs: string[] = [];
  /** Endpoint service names of the VPC endpoints, by service. */
  readonly endpointServiceNames: Readonly<Record<string, string>>;
  /** Number of availability zones the network spans. */
  readonly availabilityZones: number;
  /**
   * Names of the region's available zones that need no opt-in, in the order the subnets use them
   * (a list token, known at plan time); the first `availabilityZones` are the network's.
   */
  readonly zoneNames: string[];
  /** NAT gateway mode in effect. */
  readonly natGateways: NatGatewayMode;
  /** Whether VPC endpoints were created (the resolved default of {@link NetworkProps.vpcEndpoints}). */
  readonly vpcEndpoints: boolean;
  /** ID of the security group of the interface endpoints; set only when endpoints exist. */
  readonly endpointsSecurityGroupId?: string;
  /**
   * The interface endpoints' side of a connection, when the network has interface endpoints: a
   * workload reaches them once it calls `workload.connections.allowTo(network.interfaceEndpoints, 443)`.
   */
  readonly interfaceEndpoints?: Connectable;
  /** Name of the CloudWatch log group that receives the VPC flow logs. */
  readonly flowLogGroupName: string;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const cidr = props.cidr ?? "10.0.0.0/16";
    const zoneCount = props.availabilityZones ?? 2;
    const natGateways = props.natGateways ?? "single";
    const vpcEndpoints = props.vpcEndpoints ?? (natGateways === "none" || props.endpoints !== undefined);
    const endpoints = vpcEndpoints ? (props.endpoints ?? DEFAULT_ENDPOINTS) : [];
    const retentionDays = props.flowLogRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
    validate(cidr, zoneCount, natGateways, vpcEndpoints, retentionDays);
    validateTiers(props, cidr, zoneCount, endpoints);

    const name = resourceName(props.naming);
    const tagged = (suffix: string) => ({ Name: `${name}-${suffix}` });

    const zones = new DataAwsAvailabilityZones(this, "zones", {
      state: "available",
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
      lifecycle: {
        postcondition: [
          {
            condition: `\${length(self.names) >= ${zoneCount}}`,
            errorMessage: `The region has fewer than ${zoneCount} availability zones that are available and need no opt-in. Lower the network's availabilityZones setting.`,
          },
        ],
      },
    });
    const region = new DataAwsRegion(this, "region");
    const account = new DataAwsCallerIdentity(this, "account");

    const vpc = new Vpc(this, "vpc", {
      cidrBlock: cidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: tagged("vpc"),
    });

    new DefaultSecurityGroup(this, "default-security-group", {
      vpcId: vpc.id,
      ingress: [],
      egress: [],
      tags: tagged("default-locked"),
    });

    const igw = new InternetGateway(this, "internet-gateway", { vpcId: vpc.id, tags: tagged("igw") });

    const publicRouteTable = new RouteTable(this, "public-route-table", {
      vpcId: vpc.id,
      tags: tagged("public"),
    });
    new Route(this, "public-default-route", {
      routeTableId: publicRouteTable.id,
      destinationCidrBlock: "0.0.0.0/0",
      gatewayId: igw.id,
    });

    const publicSubnets: Subnet[] = [];
    const privateSubnets: Subnet[] = [];
    const privateRouteTables: RouteTable[] = [];
    const publicCidrs: string[] = [];
    const privateCidrs: string[] = [];
    for (let i = 0; i < zoneCount; i++) {
      const zone: string = Token.asString(Fn.element(zones.names, i));
      const publicCidr = props.subnetCidrs?.public?.[i] ?? subnetCidr(cidr, i);
      const privateCidr = props.subnetCidrs?.private?.[i] ?? subnetCidr(cidr, PRIVATE_SLOT_OFFSET + i);
      publicCidrs.push(publicCidr);
      privateCidrs.push(privateCidr);

      const publicSubnet = new Subnet(this, `public-subnet-${i}`, {
        vpcId: vpc.id,
        availabilityZone: zone,
        cidrBlock: publicCidr,
        mapPublicIpOnLaunch: false,
        tags: { Name: `${name}-public-${zone}` },
      });
      new RouteTableAssociation(this, `public-route-table-association-${i}`, {
        subnetId: publicSubnet.id,
        routeTableId: publicRouteTable.id,
      });
      publicSubnets.push(publicSubnet);

      const privateSubnet = new Subnet(this, `private-subnet-${i}`, {
        vpcId: vpc.id,
        availabilityZone: zone,
        cidrBlock: privateCidr,
        mapPublicIpOnLaunch: false,
        tags: { Name: `${name}-private-${zone}` },
      });
      const privateRouteTable = new RouteTable(this, `private-route-table-${i}`, {
        vpcId: vpc.id,
        tags: { Name: `${name}-private-${zone}` },
      });
      new RouteTableAssociation(this, `private-route-table-association-${i}`, {
        subnetId: privateSubnet.id,
        routeTableId: privateRouteTable.id,
      });
      privateSubnets.push(privateSubnet);
      privateRouteTables.push(privateRouteTable);
    }

    const isolatedRouteTables: RouteTable[] = [];
    if (props.isolatedSubnets) {
      // One route table for the tier, with no route out of the VPC (the local route only).
      const isolatedRouteTable = new RouteTable(this, "isolated-route-table", {
        vpcId: vpc.id,
        tags: { Name: `${name}-isolated` },
      });
      isolatedRouteTables.push(isolatedRouteTable);
      for (let i = 0; i < zoneCount; i++) {
        const zone: string = Token.asString(Fn.element(zones.names, i));
        const isolatedCidr = props.subnetCidrs?.isolated?.[i] ?? isolatedSubnetCidr(cidr, i);
        const subnet = new Subnet(this, `isolated-subnet-${i}`, {
          vpcId: vpc.id,
          availabilityZone: zone,
          cidrBlock: isolatedCidr,
          mapPublicIpOnLaunch: false,
          tags: { Name: `${name}-isolated-${zone}` },
        });
        new RouteTableAssociation(this, `isolated-route-table-association-${i}`, {
          subnetId: subnet.id,
          routeTableId: isolatedRouteTable.id,
        });
        this.isolatedSubnetIds.push(subnet.id);
        this.isolatedSubnetCidrs.push(isolatedCidr);
      }
    }

    // NAT gateway 0 is the same resource in "single" and "perAz", so switching modes adds or removes
    // the others without replacing it.
    const natCount = natGateways === "none" ? 0 : natGateways === "single" ? 1 : zoneCount;
    const nats: NatGateway[] = [];
    for (let i = 0; i < natCount; i++) {
      const eip = new Eip(this, `nat-eip-${i}`, { domain: "vpc", tags: tagged(`nat-${i}`) });
      nats.push(
        new NatGateway(this, `nat-gateway-${i}`, {
          allocationId: eip.allocationId,
          subnetId: publicSubnets[i]!.id,
          connectivityType: "public",
          tags: tagged(`nat-${i}`),
          dependsOn: [igw],
        }),
      );
    }
    if (nats.length > 0) {
      privateRouteTables.forEach((table, i) => {
        new Route(this, `private-default-route-${i}`, {
          routeTableId: table.id,
          destinationCidrBlock: "0.0.0.0/0",
          natGatewayId: (nats[i] ?? nats[0]!).id,
        });
      });
    }

    // The region as a string when the stack gives it (a checked, plain service name), else the provider's.
    const regionName = props.region ?? region.name;
    const serviceNames: Record<string, string> = {};
    for (const service of endpoints) serviceNames[service] = endpointServiceName(regionName, service);
    this.endpointServiceNames = serviceNames;
    const gateways = endpoints.filter((e) => GATEWAY_SERVICES.includes(e));
    const interfaces = endpoints.filter((e) => !GATEWAY_SERVICES.includes(e));
    for (const service of gateways) {
      new VpcEndpoint(this, `${service}-endpoint`, {
        vpcId: vpc.id,
        serviceName: serviceNames[service]!,
        vpcEndpointType: "Gateway",
        routeTableIds: [...privateRouteTables, ...isolatedRouteTables].map((t) => t.id),
        tags: tagged(service),
      });
    }
    if (interfaces.length > 0) {
      const endpointsGroup = new SecurityGroup(this, "endpoints-security-group", {
        name: limitedName(NAME_LIMITS.securityGroup, props.naming, "vpc-endpoints"),
        description: "HTTPS from the workloads that use the interface VPC endpoints",
        vpcId: vpc.id,
        tags: tagged("vpc-endpoints"),
      });
      // No rule from the VPC's CIDR: each workload that uses the endpoints connects to them
      // (`workload.connections.allowTo(network.interfaceEndpoints, 443)`; FargateService and a
      // LambdaFunction in the VPC do it themselves), so the group admits exactly those.
      this.interfaceEndpoints = {
        connections: new Connections(this, "vpc-endpoints", "the interface VPC endpoints", endpointsGroup.id),
      };
      for (const service of interfaces) {
        new VpcEndpoint(this, `${service.replace(/\./g, "-")}-endpoint`, {
          vpcId: vpc.id,
          serviceName: serviceNames[service]!,
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: privateSubnets.map((s) => s.id),
          securityGroupIds: [endpointsGroup.id],
          tags: tagged(service.replace(/\./g, "-")),
        });
      }
      this.endpointsSecurityGroupId = endpointsGroup.id;
    }

    if (props.networkAcls) {
      this.addNetworkAcls(props.networkAcls, {
        vpcId: vpc.id,
        vpcCidr: cidr,
        tagged,
        privateSubnets: privateSubnets.map((s) => s.id),
        privateCidrs,
        isolatedSubnets: this.isolatedSubnetIds,
      });
    }

    this.flowLogGroupName = `/aws/vpc/${name}/flow-logs`;
    const flowLogGroup = new CloudwatchLogGroup(this, "flow-log-group", {
      name: this.flowLogGroupName,
      retentionInDays: retentionDays,
      kmsKeyId: props.encryptionKey.keyArn,
    });
    props.encryptionKey.grantLogGroup(this.flowLogGroupName);
    const flowLogRole = new IamRole(this, "flow-log-role", {
      name: limitedName(NAME_LIMITS.iamRole, props.naming, "vpc-flow-logs"),
      description: "Lets VPC Flow Logs deliver records to the VPC's flow log group",
      assumeRolePolicy: serviceTrustPolicy("vpc-flow-logs.amazonaws.com", {
        StringEquals: { "aws:SourceAccount": account.accountId },
      }),
    });
    new IamRolePolicy(this, "flow-log-role-policy", {
      name: "deliver-flow-logs",
      role: flowLogRole.id,
      policy: policyDocument([
        {
          sid: "DeliverToFlowLogGroup",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          resources: [`${flowLogGroup.arn}:*`],
        },
      ]),
    });
    new FlowLog(this, "flow-log", {
      vpcId: vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: flowLogGroup.arn,
      iamRoleArn: flowLogRole.arn,
      tags: tagged("flow-log"),
    });

    this.vpcId = vpc.id;
    this.vpcCidrBlock = vpc.cidrBlock;
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.publicSubnetCidrs = publicCidrs;
    this.privateSubnetCidrs = privateCidrs;
    this.availabilityZones = zoneCount;
    this.zoneNames = zones.names;
    this.natGateways = natGateways;
    this.vpcEndpoints = vpcEndpoints;
  }

  private addNetworkAcls(
    options: NetworkAclOptions,
    tier: {
      vpcId: string;
      vpcCidr: string;
      tagged: (suffix: string) => Record<string, string>;
      privateSubnets: string[];
      privateCidrs: readonly string[];
      isolatedSubnets: string[];
    },
  ): void {
    const anywhere = "0.0.0.0/0";
    const rule = (
      acl: NetworkAcl,
      id: string,
      ruleNumber: number,
      egress: boolean,
      cidrBlock: string,
      ports?: readonly [number, number],
    ) =>
      new NetworkAclRule(this, id, {
        networkAclId: acl.id,
        ruleNumber,
        egress,
        ruleAction: "allow",
        cidrBlock,
        ...(ports ? { protocol: "6", fromPort: ports[0], toPort: ports[1] } : { protocol: "-1" }),
      });
    const ephemeral = [1024, 65535] as const;

    const privateAcl = new NetworkAcl(this, "private-acl", {
      vpcId: tier.vpcId,
      subnetIds: tier.privateSubnets,
      tags: tier.tagged("private"),
    });
    rule(privateAcl, "private-acl-in-vpc", 100, false, tier.vpcCidr);
    rule(privateAcl, "private-acl-in-replies", 200, false, anywhere, ephemeral);
    rule(privateAcl, "private-acl-out-vpc", 100, true, tier.vpcCidr);
    [...(options.egressPorts ?? [443])]
      .sort((a, b) => a - b)
      .forEach((port, i) => {
        rule(privateAcl, `private-acl-out-${port}`, 200 + i, true, anywhere, [port, port]);
      });

    if (tier.isolatedSubnets.length === 0) return;
    const isolatedAcl = new NetworkAcl(this, "isolated-acl", {
      vpcId: tier.vpcId,
      subnetIds: tier.isolatedSubnets,
      tags: tier.tagged("isolated"),
    });
    tier.privateCidrs.forEach((privateCidr, zone) => {
      (options.isolatedPorts ?? [5432]).forEach((port, p) => {
        rule(isolatedAcl, `isolated-acl-in-${port}-${zone}`, 100 + p * 10 + zone, false, privateCidr, [
          port,
          port,
        ]);
      });
      rule(isolatedAcl, `isolated-acl-out-replies-${zone}`, 100 + zone, true, privateCidr, ephemeral);
    });
  }
}

const CIDR_SHAPE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

interface ParsedCidr {
  readonly address: number;
  readonly prefix: number;
}

function parseCidr(cidr: string): ParsedCidr | undefined {
  const match = CIDR_SHAPE.exec(cidr);
  if (!match) return undefined;
  // AWS reads 010 as 8 (octal) or refuses it: a leading zero is never what was meant.
  if (match.slice(1, 6).some((part) => part.length > 1 && part.startsWith("0"))) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { address, prefix };
}

function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

/** The `slot`-th subnet of the VPC CIDR; computed here when the CIDR is known, by Terraform otherwise. */
function subnetCidr(cidr: string, slot: number): string {
  if (isUnresolved(cidr)) return Fn.cidrsubnet(cidr, SUBNET_NEWBITS, slot);
  const { address, prefix } = parseCidr(cidr)!;
  const subnetPrefix = prefix + SUBNET_NEWBITS;
  return `${formatAddress(address + slot * 2 ** (32 - subnetPrefix))}/${subnetPrefix}`;
}

/** Isolated subnet `i`: slot 7 of the eight, split in four. */
function isolatedSubnetCidr(cidr: string, i: number): string {
  const slot = subnetCidr(cidr, 7);
  if (isUnresolved(cidr)) return Fn.cidrsubnet(slot, 2, i);
  const { address, prefix } = parseCidr(slot)!;
  return `${formatAddress(address + i * 2 ** (32 - prefix - 2))}/${prefix + 2}`;
}

function contains(outer: ParsedCidr, inner: ParsedCidr): boolean {
  const size = 2 ** (32 - outer.prefix);
  return (
    inner.prefix >= outer.prefix && inner.address >= outer.address && inner.address < outer.address + size
  );
}

function overlaps(a: ParsedCidr, b: ParsedCidr): boolean {
  const end = (c: ParsedCidr) => c.address + 2 ** (32 - c.prefix);
  return a.address < end(b) && b.address < end(a);
}

/** The tiers' CIDRs (given or computed) and the endpoint services. */
function validateTiers(
  props: NetworkProps,
  cidr: string,
  zoneCount: number,
  endpoints: readonly string[],
): void {
  if (props.region !== undefined && !AWS_REGIONS.includes(props.region)) {
    throw invalid(
      "region",
      "must be an AWS region this provider knows",
      props.region,
      "Pass the stack's region.",
    );
  }
  for (const service of endpoints) {
    if (!ENDPOINT_SERVICES.includes(service)) {
      throw invalid(
        "endpoints",
        `must list endpoint services this construct knows (${ENDPOINT_SERVICES.join(", ")})`,
        service,
        "Remove it, or add the service to ENDPOINT_SERVICES in constructs/network/network.ts.",
      );
    }
  }
  if (new Set(endpoints).size !== endpoints.length) {
    throw invalid("endpoints", "must list each service once", endpoints, "Remove the repeated service.");
  }
  if (props.vpcEndpoints === false && props.endpoints !== undefined) {
    throw invalid(
      "endpoints",
      "only applies with vpcEndpoints on",
      props.endpoints,
      "Remove vpcEndpoints: false, or the endpoints.",
    );
  }
  const needed = ["s3", "ecr.api", "ecr.dkr", "logs", "secretsmanager"];
  const missing = needed.filter((n) => !endpoints.includes(n));
  if (props.natGateways === "none" && missing.length > 0) {
    throw invalid(
      "endpoints",
      `must include ${needed.join(", ")} when natGateways is "none" (private tasks reach ECR, its image layers in S3, CloudWatch Logs and Secrets Manager only through them)`,
      missing,
      "Add the missing services, or choose a NAT gateway mode.",
    );
  }
  validateAcls(props);
  if (isUnresolved(cidr)) return;
  const vpc = parseCidr(cidr)!;
  const given = props.subnetCidrs ?? {};
  if (props.isolatedSubnets && !given.isolated && vpc.prefix > 23) {
    throw invalid(
      "isolatedSubnets",
      "needs a VPC of /23 or larger for computed isolated subnets (slot 7 split in four; AWS's smallest subnet is a /28)",
      cidr,
      "Use a larger VPC, or give subnetCidrs.isolated.",
    );
  }
  if (given.isolated && !props.isolatedSubnets) {
    throw invalid(
      "subnetCidrs.isolated",
      "only applies with isolatedSubnets",
      given.isolated,
      "Set isolatedSubnets, or remove it.",
    );
  }
  const tiers: [string, readonly string[]][] = [];
  for (const tier of ["public", "private", "isolated"] as const) {
    const list = given[tier];
    if (list && list.length !== zoneCount) {
      throw invalid(
        `subnetCidrs.${tier}`,
        `must list one CIDR per zone (${zoneCount})`,
        list,
        "Give one block per availability zone.",
      );
    }
    const computed = Array.from({ length: zoneCount }, (_, i) =>
      tier === "public"
        ? subnetCidr(cidr, i)
        : tier === "private"
          ? subnetCidr(cidr, PRIVATE_SLOT_OFFSET + i)
          : isolatedSubnetCidr(cidr, i),
    );
    if (tier !== "isolated" || props.isolatedSubnets) tiers.push([tier, list ?? computed]);
  }
  const all: { at: string; block: string; parsed: ParsedCidr }[] = [];
  for (const [tier, list] of tiers) {
    list.forEach((block, i) => {
      const parsed = parseCidr(block);
      // A load balancer's subnets need /27 or larger; any other subnet /28.
      const smallest = tier === "public" ? 27 : 28;
      if (!parsed || parsed.prefix > smallest || !contains(vpc, parsed)) {
        throw invalid(
          `subnetCidrs.${tier}`,
          `must hold CIDR blocks of /${smallest} or larger inside the VPC (${cidr})`,
          block,
          "Pick a block inside the VPC.",
        );
      }
      const size = 2 ** (32 - parsed.prefix);
      if (parsed.address % size !== 0) {
        const network = `${formatAddress(parsed.address - (parsed.address % size))}/${parsed.prefix}`;
        throw invalid(
          `subnetCidrs.${tier}`,
          "must hold network addresses (host bits all zero)",
          block,
          `Use ${network}.`,
        );
      }
      const twin = all.find((o) => overlaps(o.parsed, parsed));
      if (twin) {
        throw invalid(
          `subnetCidrs.${tier}`,
          `must not overlap another subnet (${twin.at}: ${twin.block})`,
          block,
          "Pick blocks that do not overlap.",
        );
      }
      all.push({ at: `${tier}[${i}]`, block, parsed });
    });
  }
}

function validateAcls(props: NetworkProps): void {
  const acls = props.networkAcls;
  if (!acls) return;
  for (const [field, ports] of [
    ["networkAcls.egressPorts", acls.egressPorts],
    ["networkAcls.isolatedPorts", acls.isolatedPorts],
  ] as const) {
    if (ports === undefined) continue;
    if (ports.length === 0 || ports.length > 9 || new Set(ports).size !== ports.length) {
      throw invalid(field, "must list 1 to 9 distinct TCP ports", ports, "List each port once.");
    }
    for (const port of ports) requireIntegerInRange(field, port, 1, 65535, "a TCP port");
  }
  if (acls.isolatedPorts !== undefined && !props.isolatedSubnets) {
    throw invalid(
      "networkAcls.isolatedPorts",
      "only applies with isolatedSubnets",
      acls.isolatedPorts,
      "Set isolatedSubnets, or remove isolatedPorts.",
    );
  }
}

function validate(
  cidr: string,
  zoneCount: number,
  natGateways: NatGatewayMode,
  vpcEndpoints: boolean,
  retentionDays: number,
): void {
  if (!isUnresolved(cidr)) {
    const parsed = parseCidr(cidr);
    if (!parsed) {
      throw invalid(
        "cidr",
        "must be an IPv4 CIDR block such as 10.0.0.0/16",
        cidr,
        "Write four numbers from 0 to 255 without leading zeros, separated by dots, a slash and a prefix length.",
      );
    }
    if (parsed.prefix < 16 || parsed.prefix > 24) {
      throw invalid(
        "cidr",
        "must have a prefix length from /16 to /24 (AWS allows at most /16; a /24 still splits into /27 subnets, the smallest a load balancer accepts)",
        cidr,
        "Use a prefix length from 16 to 24, for example 10.0.0.0/16.",
      );
    }
    const size = 2 ** (32 - parsed.prefix);
    if (parsed.address % size !== 0) {
      const network = `${formatAddress(parsed.address - (parsed.address % size))}/${parsed.prefix}`;
      throw invalid("cidr", "must be a network address (host bits all zero)", cidr, `Use ${network}.`);
    }
  }
  if (isUnresolved(zoneCount)) {
    throw invalid(
      "availabilityZones",
      "must be known at synth time (it sets how many subnets are built)",
      "an unresolved token",
      "Pass the number 2 or 3.",
    );
  }
  requireIntegerInRange(
    "availabilityZones",
    zoneCount,
    2,
    3,
    "a load balancer needs two zones; the VPC CIDR is split for at most three",
  );
  if (!NAT_GATEWAY_MODES.includes(natGateways)) {
    throw invalid(
      "natGateways",
      'must be "none", "single" or "perAz"',
      natGateways,
      "Pick one of those modes.",
    );
  }
  if (natGateways === "none" && !vpcEndpoints) {
    throw invalid(
      "vpcEndpoints",
      'must not be false when `natGateways` is "none" (private subnets would reach neither ECR, CloudWatch Logs nor Secrets Manager)',
      vpcEndpoints,
      'Leave `vpcEndpoints` unset or set it to true, or set `natGateways` to "single" or "perAz".',
    );
  }
  requireLogRetention("flowLogRetentionDays", retentionDays);
}
