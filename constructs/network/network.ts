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
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { DEFAULT_LOG_RETENTION_DAYS } from "../core/defaults";
import { policyDocument, serviceTrustPolicy } from "../core/iam";
import { limitedName, NAME_LIMITS, type ResourceNaming, resourceName } from "../core/naming";
import { invalid, isUnresolved, requireIntegerInRange, requireLogRetention } from "../core/validation";
import type { AppKey } from "../keys/app-key";

/**
 * How private subnets reach the internet:
 * - `none`: no NAT gateway and no default route; private subnets reach AWS services through VPC endpoints only;
 * - `single`: one NAT gateway in the first public subnet, shared by every zone (cheaper, one zone's outage
 *   cuts egress everywhere);
 * - `perAz`: one NAT gateway per zone, each zone's private subnet routing through its own.
 */
export type NatGatewayMode = "none" | "single" | "perAz";

const NAT_GATEWAY_MODES: readonly NatGatewayMode[] = ["none", "single", "perAz"];

/** Interface endpoints created with `vpcEndpoints`, as `com.amazonaws.<region>.<service>` suffixes. */
const INTERFACE_ENDPOINTS = ["ecr.api", "ecr.dkr", "logs", "secretsmanager"] as const;

/**
 * Bits added to the VPC prefix for every subnet: eight equal slots, public subnets in the first half,
 * private subnets in the second. With the smallest VPC allowed (/24) each subnet is a /27, the smallest
 * an Application Load Balancer accepts.
 */
const SUBNET_NEWBITS = 3;
const PRIVATE_SLOT_OFFSET = 4;

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
  /** Key that encrypts the flow log group. Its key policy must let CloudWatch Logs use it ({@link AppKey} does). */
  readonly encryptionKey: AppKey;
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
  /** Number of availability zones the network spans. */
  readonly availabilityZones: number;
  /** NAT gateway mode in effect. */
  readonly natGateways: NatGatewayMode;
  /** Whether VPC endpoints were created (the resolved default of {@link NetworkProps.vpcEndpoints}). */
  readonly vpcEndpoints: boolean;
  /** ID of the security group of the interface endpoints; set only when endpoints exist. */
  readonly endpointsSecurityGroupId?: string;
  /** Name of the CloudWatch log group that receives the VPC flow logs. */
  readonly flowLogGroupName: string;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const cidr = props.cidr ?? "10.0.0.0/16";
    const zoneCount = props.availabilityZones ?? 2;
    const natGateways = props.natGateways ?? "single";
    const vpcEndpoints = props.vpcEndpoints ?? natGateways === "none";
    const retentionDays = props.flowLogRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS;
    validate(cidr, zoneCount, natGateways, vpcEndpoints, retentionDays);

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
      const publicCidr = subnetCidr(cidr, i);
      const privateCidr = subnetCidr(cidr, PRIVATE_SLOT_OFFSET + i);
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

    if (vpcEndpoints) {
      new VpcEndpoint(this, "s3-endpoint", {
        vpcId: vpc.id,
        serviceName: `com.amazonaws.${region.name}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: privateRouteTables.map((t) => t.id),
        tags: tagged("s3"),
      });
      const endpointsGroup = new SecurityGroup(this, "endpoints-security-group", {
        name: limitedName(NAME_LIMITS.securityGroup, props.naming, "vpc-endpoints"),
        description: "HTTPS from inside the VPC to the interface VPC endpoints",
        vpcId: vpc.id,
        tags: tagged("vpc-endpoints"),
      });
      new VpcSecurityGroupIngressRule(this, "endpoints-https-ingress", {
        securityGroupId: endpointsGroup.id,
        description: "HTTPS from the VPC",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: vpc.cidrBlock,
      });
      for (const service of INTERFACE_ENDPOINTS) {
        new VpcEndpoint(this, `${service.replace(".", "-")}-endpoint`, {
          vpcId: vpc.id,
          serviceName: `com.amazonaws.${region.name}.${service}`,
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: privateSubnets.map((s) => s.id),
          securityGroupIds: [endpointsGroup.id],
          tags: tagged(service.replace(".", "-")),
        });
      }
      this.endpointsSecurityGroupId = endpointsGroup.id;
    }

    this.flowLogGroupName = `/aws/vpc/${name}/flow-logs`;
    const flowLogGroup = new CloudwatchLogGroup(this, "flow-log-group", {
      name: this.flowLogGroupName,
      retentionInDays: retentionDays,
      kmsKeyId: props.encryptionKey.keyArn,
    });
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
    this.natGateways = natGateways;
    this.vpcEndpoints = vpcEndpoints;
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
