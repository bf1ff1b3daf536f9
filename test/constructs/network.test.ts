import { TerraformOutput, TerraformVariable } from "cdktf";
import { describe, expect, test } from "vitest";
import { AppKey } from "../../constructs/keys";
import { LambdaFunction } from "../../constructs/lambda";
import { type NatGatewayMode, Network, type NetworkProps } from "../../constructs/network";
import { RuntimeSecrets } from "../../constructs/secrets";
import { EcsCluster, FargateService } from "../../constructs/service";
import { functionCodeFixture, secretAccess } from "../support/fixtures";
import {
  addresses,
  dataOf,
  onlyResource,
  parsed,
  resourcesOf,
  synthScope,
  type TerraformJson,
} from "../support/synth";

const naming = { projectName: "meeting-notes", environment: "staging" };

// Terraform addresses derive from construct paths; renaming a construct ID replaces the resource.
const VPC = "network_vpc_4E8F0223";
const PUBLIC_SUBNETS = [
  "network_public-subnet-0_3247A438",
  "network_public-subnet-1_63BED862",
  "network_public-subnet-2_7DE9A83A",
];
const PRIVATE_SUBNETS = [
  "network_private-subnet-0_0C797916",
  "network_private-subnet-1_F0ACDF2C",
  "network_private-subnet-2_1AC61B04",
];
const PRIVATE_ROUTE_TABLES = [
  "network_private-route-table-0_CDB158CA",
  "network_private-route-table-1_E67E48F1",
  "network_private-route-table-2_A9D58357",
];
const NAT_GATEWAYS = [
  "network_nat-gateway-0_FFBF52FB",
  "network_nat-gateway-1_D0A14D71",
  "network_nat-gateway-2_2BF00B8E",
];
const FLOW_LOG_GROUP = "network_flow-log-group_73759AFD";
const FLOW_LOG_ROLE = "network_flow-log-role_D4C6C2EC";
const IGW = "network_internet-gateway_E855E801";
const PUBLIC_ROUTE_TABLE = "network_public-route-table_A6CE870C";
const ZONES = "data.aws_availability_zones.network_zones_2241F3F0";
const ENDPOINTS_GROUP = "network_endpoints-security-group_1455F9C6";
const KEY = "app-key_A8DE9A61";

const ref = (type: string, name: string, attribute: string) => `\${${type}.${name}.${attribute}}`;

type Overrides = Partial<Omit<NetworkProps, "naming" | "encryptionKey">>;

function build(overrides: Overrides = {}) {
  let network: Network | undefined;
  const json = synthScope((scope) => {
    const encryptionKey = new AppKey(scope, "app-key", { naming });
    network = new Network(scope, "network", { naming, encryptionKey, ...overrides });
  });
  return { json, network: network! };
}

const sorted = (record: Record<string, any>) => Object.keys(record).sort();
const byName = (json: TerraformJson, type: string, name: string) => resourcesOf(json, type)[name];
const defaultRoutes = (json: TerraformJson) =>
  Object.entries(resourcesOf(json, "aws_route")).filter(([name]) => name.includes("private-default-route"));

describe("Network defaults", () => {
  test("creates the VPC with DNS support and hostnames at a pinned address", () => {
    const { json } = build();
    expect(addresses(json)).toContain(`aws_vpc.${VPC}`);
    expect(onlyResource(json, "aws_vpc")).toEqual({
      cidr_block: "10.0.0.0/16",
      enable_dns_support: true,
      enable_dns_hostnames: true,
      tags: { Name: "meeting-notes-staging-vpc" },
    });
  });

  test("spans two zones with one public and one private subnet each, at pinned addresses", () => {
    const { json } = build();
    expect(sorted(resourcesOf(json, "aws_subnet"))).toEqual(
      [...PUBLIC_SUBNETS.slice(0, 2), ...PRIVATE_SUBNETS.slice(0, 2)].sort(),
    );
    const subnet = (name: string) => byName(json, "aws_subnet", name);
    expect(PUBLIC_SUBNETS.slice(0, 2).map((n) => subnet(n).cidr_block)).toEqual([
      "10.0.0.0/19",
      "10.0.32.0/19",
    ]);
    expect(PRIVATE_SUBNETS.slice(0, 2).map((n) => subnet(n).cidr_block)).toEqual([
      "10.0.128.0/19",
      "10.0.160.0/19",
    ]);
    [0, 1].forEach((i) => {
      const zone = `\${element(${ZONES}.names, ${i})}`;
      expect(subnet(PUBLIC_SUBNETS[i]!).availability_zone).toBe(zone);
      expect(subnet(PRIVATE_SUBNETS[i]!).availability_zone).toBe(zone);
      expect(subnet(PUBLIC_SUBNETS[i]!).vpc_id).toBe(ref("aws_vpc", VPC, "id"));
    });
  });

  test("never assigns public IPs on launch, not even in public subnets", () => {
    const { json } = build();
    const subnets = Object.values(resourcesOf(json, "aws_subnet"));
    expect(subnets.map((s) => s.map_public_ip_on_launch)).toEqual([false, false, false, false]);
  });

  test("picks available zones that need no opt-in, and fails the plan when the region has too few", () => {
    const zones = Object.values(dataOf(build().json, "aws_availability_zones"));
    expect(zones).toHaveLength(1);
    expect(zones[0].state).toBe("available");
    expect(zones[0].filter).toEqual([{ name: "opt-in-status", values: ["opt-in-not-required"] }]);
    expect(zones[0].lifecycle.postcondition).toEqual([
      {
        condition: `\${length(self.names) >= 2}`,
        error_message:
          "The region has fewer than 2 availability zones that are available and need no opt-in. Lower the network's availabilityZones setting.",
      },
    ]);
  });

  test("routes public subnets to the internet gateway", () => {
    const { json } = build();
    expect(onlyResource(json, "aws_internet_gateway").vpc_id).toBe(ref("aws_vpc", VPC, "id"));
    expect(byName(json, "aws_route", "network_public-default-route_9AB86AC6")).toEqual({
      route_table_id: ref("aws_route_table", PUBLIC_ROUTE_TABLE, "id"),
      destination_cidr_block: "0.0.0.0/0",
      gateway_id: ref("aws_internet_gateway", IGW, "id"),
    });
    const associations = Object.values(resourcesOf(json, "aws_route_table_association"));
    for (const name of PUBLIC_SUBNETS.slice(0, 2)) {
      expect(associations).toContainEqual({
        subnet_id: ref("aws_subnet", name, "id"),
        route_table_id: ref("aws_route_table", PUBLIC_ROUTE_TABLE, "id"),
      });
    }
  });

  test("gives each private subnet its own route table", () => {
    const { json } = build();
    const associations = Object.values(resourcesOf(json, "aws_route_table_association"));
    [0, 1].forEach((i) => {
      expect(associations).toContainEqual({
        subnet_id: ref("aws_subnet", PRIVATE_SUBNETS[i]!, "id"),
        route_table_id: ref("aws_route_table", PRIVATE_ROUTE_TABLES[i]!, "id"),
      });
    });
    expect(Object.keys(resourcesOf(json, "aws_route_table"))).toHaveLength(3);
  });

  test("uses one NAT gateway in the first public subnet for every private route table", () => {
    const { json, network } = build();
    expect(network.natGateways).toBe("single");
    expect(sorted(resourcesOf(json, "aws_nat_gateway"))).toEqual([NAT_GATEWAYS[0]]);
    const nat = onlyResource(json, "aws_nat_gateway");
    expect(nat.subnet_id).toBe(ref("aws_subnet", PUBLIC_SUBNETS[0]!, "id"));
    expect(nat.allocation_id).toBe(ref("aws_eip", "network_nat-eip-0_31DC63CB", "allocation_id"));
    expect(nat.depends_on).toEqual([`aws_internet_gateway.${IGW}`]);
    expect(onlyResource(json, "aws_eip").domain).toBe("vpc");
    expect(defaultRoutes(json).map(([, r]) => r)).toEqual([
      {
        route_table_id: ref("aws_route_table", PRIVATE_ROUTE_TABLES[0]!, "id"),
        destination_cidr_block: "0.0.0.0/0",
        nat_gateway_id: ref("aws_nat_gateway", NAT_GATEWAYS[0]!, "id"),
      },
      {
        route_table_id: ref("aws_route_table", PRIVATE_ROUTE_TABLES[1]!, "id"),
        destination_cidr_block: "0.0.0.0/0",
        nat_gateway_id: ref("aws_nat_gateway", NAT_GATEWAYS[0]!, "id"),
      },
    ]);
  });

  test("creates no VPC endpoints", () => {
    const { json, network } = build();
    expect(resourcesOf(json, "aws_vpc_endpoint")).toEqual({});
    expect(resourcesOf(json, "aws_security_group")).toEqual({});
    expect(network.vpcEndpoints).toBe(false);
    expect(network.endpointsSecurityGroupId).toBeUndefined();
  });

  test("locks the default security group by managing it with no rules", () => {
    const group = onlyResource(build().json, "aws_default_security_group");
    expect(group.vpc_id).toBe(ref("aws_vpc", VPC, "id"));
    expect(group.ingress).toEqual([]);
    expect(group.egress).toEqual([]);
  });

  test("exposes what it built", () => {
    const { network } = build();
    expect(network.availabilityZones).toBe(2);
    expect(network.publicSubnetIds).toHaveLength(2);
    expect(network.privateSubnetIds).toHaveLength(2);
    expect(network.publicSubnetCidrs).toEqual(["10.0.0.0/19", "10.0.32.0/19"]);
    expect(network.privateSubnetCidrs).toEqual(["10.0.128.0/19", "10.0.160.0/19"]);
    expect(network.flowLogGroupName).toBe("/aws/vpc/meeting-notes-staging/flow-logs");
  });

  test("resolves its attributes to the resources", () => {
    const json = synthScope((scope) => {
      const encryptionKey = new AppKey(scope, "app-key", { naming });
      const n = new Network(scope, "network", { naming, encryptionKey });
      new TerraformOutput(scope, "vpc", { value: n.vpcId });
      new TerraformOutput(scope, "cidr", { value: n.vpcCidrBlock });
      new TerraformOutput(scope, "private", { value: n.privateSubnetIds });
      new TerraformOutput(scope, "public", { value: n.publicSubnetIds });
    });
    expect(json.output?.vpc.value).toBe(ref("aws_vpc", VPC, "id"));
    expect(json.output?.cidr.value).toBe(ref("aws_vpc", VPC, "cidr_block"));
    expect(json.output?.private.value).toEqual(
      PRIVATE_SUBNETS.slice(0, 2).map((n) => ref("aws_subnet", n, "id")),
    );
    expect(json.output?.public.value).toEqual(
      PUBLIC_SUBNETS.slice(0, 2).map((n) => ref("aws_subnet", n, "id")),
    );
  });
});

describe("Network flow logs", () => {
  test("sends all traffic to an encrypted log group at a pinned address", () => {
    const { json } = build();
    expect(addresses(json)).toContain(`aws_cloudwatch_log_group.${FLOW_LOG_GROUP}`);
    expect(onlyResource(json, "aws_cloudwatch_log_group")).toEqual({
      name: "/aws/vpc/meeting-notes-staging/flow-logs",
      retention_in_days: 30,
      kms_key_id: ref("aws_kms_key", KEY, "arn"),
    });
    const flowLog = onlyResource(json, "aws_flow_log");
    expect(flowLog.vpc_id).toBe(ref("aws_vpc", VPC, "id"));
    expect(flowLog.traffic_type).toBe("ALL");
    expect(flowLog.log_destination_type).toBe("cloud-watch-logs");
    expect(flowLog.log_destination).toBe(ref("aws_cloudwatch_log_group", FLOW_LOG_GROUP, "arn"));
    expect(flowLog.iam_role_arn).toBe(ref("aws_iam_role", FLOW_LOG_ROLE, "arn"));
  });

  test("keeps flow logs for the given retention", () => {
    expect(
      onlyResource(build({ flowLogRetentionDays: 365 }).json, "aws_cloudwatch_log_group").retention_in_days,
    ).toBe(365);
  });

  test("lets only the flow logs service of this account assume the delivery role", () => {
    const { json } = build();
    const role = onlyResource(json, "aws_iam_role");
    expect(role.name).toBe("meeting-notes-staging-vpc-flow-logs");
    expect(parsed(role.assume_role_policy).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "vpc-flow-logs.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: {
            "aws:SourceAccount": `\${data.aws_caller_identity.network_account_C591B5E0.account_id}`,
          },
        },
      },
    ]);
  });

  test("scopes the delivery role to the flow log group's streams", () => {
    const policy = onlyResource(build().json, "aws_iam_role_policy");
    expect(policy.role).toBe(ref("aws_iam_role", FLOW_LOG_ROLE, "id"));
    expect(parsed(policy.policy).Statement).toEqual([
      {
        Sid: "DeliverToFlowLogGroup",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        Resource: `${ref("aws_cloudwatch_log_group", FLOW_LOG_GROUP, "arn")}:*`,
      },
    ]);
  });
});

describe("Network overrides", () => {
  test("three zones give three public and three private subnets", () => {
    const { json, network } = build({ availabilityZones: 3 });
    expect(sorted(resourcesOf(json, "aws_subnet"))).toEqual([...PUBLIC_SUBNETS, ...PRIVATE_SUBNETS].sort());
    expect(byName(json, "aws_subnet", PUBLIC_SUBNETS[2]!).cidr_block).toBe("10.0.64.0/19");
    expect(byName(json, "aws_subnet", PRIVATE_SUBNETS[2]!).cidr_block).toBe("10.0.192.0/19");
    expect(byName(json, "aws_subnet", PRIVATE_SUBNETS[2]!).availability_zone).toBe(
      `\${element(${ZONES}.names, 2)}`,
    );
    expect(
      Object.values(dataOf(json, "aws_availability_zones"))[0].lifecycle.postcondition[0].condition,
    ).toBe(`\${length(self.names) >= 3}`);
    expect(network.availabilityZones).toBe(3);
    expect(Object.keys(resourcesOf(json, "aws_route_table"))).toHaveLength(4);
  });

  test("a /24 VPC splits into /27 subnets", () => {
    const { json, network } = build({ cidr: "192.168.4.0/24", availabilityZones: 3 });
    expect(onlyResource(json, "aws_vpc").cidr_block).toBe("192.168.4.0/24");
    expect(network.publicSubnetCidrs).toEqual(["192.168.4.0/27", "192.168.4.32/27", "192.168.4.64/27"]);
    expect(network.privateSubnetCidrs).toEqual(["192.168.4.128/27", "192.168.4.160/27", "192.168.4.192/27"]);
    expect(byName(json, "aws_subnet", PRIVATE_SUBNETS[1]!).cidr_block).toBe("192.168.4.160/27");
  });

  test("a /20 VPC splits into /23 subnets", () => {
    const { network } = build({ cidr: "172.16.16.0/20" });
    expect(network.publicSubnetCidrs).toEqual(["172.16.16.0/23", "172.16.18.0/23"]);
    expect(network.privateSubnetCidrs).toEqual(["172.16.24.0/23", "172.16.26.0/23"]);
  });

  test("an unresolved CIDR is split by Terraform", () => {
    const json = synthScope((scope) => {
      const cidr = new TerraformVariable(scope, "cidr", { type: "string" });
      const encryptionKey = new AppKey(scope, "app-key", { naming });
      new Network(scope, "network", { naming, encryptionKey, cidr: cidr.stringValue });
    });
    expect(byName(json, "aws_subnet", PUBLIC_SUBNETS[1]!).cidr_block).toBe(`\${cidrsubnet(var.cidr, 3, 1)}`);
    expect(byName(json, "aws_subnet", PRIVATE_SUBNETS[0]!).cidr_block).toBe(`\${cidrsubnet(var.cidr, 3, 4)}`);
  });

  test("an unresolved retention is passed through unchecked", () => {
    const json = synthScope((scope) => {
      const days = new TerraformVariable(scope, "days", { type: "number" });
      const encryptionKey = new AppKey(scope, "app-key", { naming });
      new Network(scope, "network", { naming, encryptionKey, flowLogRetentionDays: days.numberValue });
    });
    expect(onlyResource(json, "aws_cloudwatch_log_group").retention_in_days).toBe(`\${var.days}`);
  });

  test('"single" with three zones routes every private table through NAT gateway 0', () => {
    const { json } = build({ availabilityZones: 3, natGateways: "single" });
    expect(sorted(resourcesOf(json, "aws_nat_gateway"))).toEqual([NAT_GATEWAYS[0]]);
    expect(defaultRoutes(json).map(([, r]) => r.nat_gateway_id)).toEqual([
      ref("aws_nat_gateway", NAT_GATEWAYS[0]!, "id"),
      ref("aws_nat_gateway", NAT_GATEWAYS[0]!, "id"),
      ref("aws_nat_gateway", NAT_GATEWAYS[0]!, "id"),
    ]);
  });

  test('"perAz" puts a NAT gateway in each public subnet and routes each zone through its own', () => {
    const { json, network } = build({ availabilityZones: 3, natGateways: "perAz" });
    expect(network.natGateways).toBe("perAz");
    expect(sorted(resourcesOf(json, "aws_nat_gateway"))).toEqual([...NAT_GATEWAYS].sort());
    expect(Object.keys(resourcesOf(json, "aws_eip"))).toHaveLength(3);
    [0, 1, 2].forEach((i) => {
      expect(byName(json, "aws_nat_gateway", NAT_GATEWAYS[i]!).subnet_id).toBe(
        ref("aws_subnet", PUBLIC_SUBNETS[i]!, "id"),
      );
    });
    const routes = defaultRoutes(json).map(([, r]) => r);
    expect(routes).toHaveLength(3);
    [0, 1, 2].forEach((i) => {
      expect(routes).toContainEqual({
        route_table_id: ref("aws_route_table", PRIVATE_ROUTE_TABLES[i]!, "id"),
        destination_cidr_block: "0.0.0.0/0",
        nat_gateway_id: ref("aws_nat_gateway", NAT_GATEWAYS[i]!, "id"),
      });
    });
  });

  test('"none" creates no NAT gateway, no EIP and no private default route, and turns endpoints on', () => {
    const { json, network } = build({ natGateways: "none" });
    expect(resourcesOf(json, "aws_nat_gateway")).toEqual({});
    expect(resourcesOf(json, "aws_eip")).toEqual({});
    expect(defaultRoutes(json)).toEqual([]);
    expect(Object.keys(resourcesOf(json, "aws_route"))).toEqual(["network_public-default-route_9AB86AC6"]);
    expect(network.vpcEndpoints).toBe(true);
    expect(Object.keys(resourcesOf(json, "aws_vpc_endpoint"))).toHaveLength(5);
  });

  test('"none" accepts vpcEndpoints set to true', () => {
    const { json } = build({ natGateways: "none", vpcEndpoints: true });
    expect(Object.keys(resourcesOf(json, "aws_vpc_endpoint"))).toHaveLength(5);
  });

  test.each<NatGatewayMode>(["single", "perAz"])(
    "vpcEndpoints false with %s creates no endpoints",
    (mode) => {
      const { json, network } = build({ natGateways: mode, vpcEndpoints: false });
      expect(resourcesOf(json, "aws_vpc_endpoint")).toEqual({});
      expect(network.vpcEndpoints).toBe(false);
    },
  );
});

describe("Network VPC endpoints", () => {
  const endpoints = () => build({ vpcEndpoints: true, availabilityZones: 3 });
  const REGION = `\${data.aws_region.network_region_17522769.name}`;

  test("adds an S3 gateway endpoint on every private route table", () => {
    const { json } = endpoints();
    const s3 = byName(json, "aws_vpc_endpoint", "network_s3-endpoint_3093E6A5");
    expect(s3.service_name).toBe(`com.amazonaws.${REGION}.s3`);
    expect(s3.vpc_endpoint_type).toBe("Gateway");
    expect(s3.vpc_id).toBe(ref("aws_vpc", VPC, "id"));
    expect(s3.route_table_ids).toEqual(PRIVATE_ROUTE_TABLES.map((t) => ref("aws_route_table", t, "id")));
  });

  test.each([
    ["ecr.api", "network_ecr-api-endpoint_20D82926"],
    ["ecr.dkr", "network_ecr-dkr-endpoint_219CEFE6"],
    ["logs", "network_logs-endpoint_AA0045E1"],
    ["secretsmanager", "network_secretsmanager-endpoint_A2479E1D"],
  ])("adds an interface endpoint for %s in the private subnets with private DNS", (service, name) => {
    const endpoint = byName(endpoints().json, "aws_vpc_endpoint", name);
    expect(endpoint).toMatchObject({
      service_name: `com.amazonaws.${REGION}.${service}`,
      vpc_endpoint_type: "Interface",
      private_dns_enabled: true,
      vpc_id: ref("aws_vpc", VPC, "id"),
      subnet_ids: PRIVATE_SUBNETS.map((s) => ref("aws_subnet", s, "id")),
      security_group_ids: [ref("aws_security_group", ENDPOINTS_GROUP, "id")],
    });
  });

  test("admits nothing to the interface endpoints until a workload connects to them", () => {
    const { json, network } = endpoints();
    const group = onlyResource(json, "aws_security_group");
    expect(group.vpc_id).toBe(ref("aws_vpc", VPC, "id"));
    expect(group.name).toBe("meeting-notes-staging-vpc-endpoints");
    expect(group.ingress).toBeUndefined();
    expect(group.egress).toBeUndefined();
    expect(resourcesOf(json, "aws_vpc_security_group_ingress_rule")).toEqual({});
    expect(resourcesOf(json, "aws_vpc_security_group_egress_rule")).toEqual({});
    expect(network.endpointsSecurityGroupId).toBeDefined();
    expect(network.interfaceEndpoints?.connections.name).toBe("vpc-endpoints");
  });

  test("a Fargate service and a Lambda function in the VPC each get HTTPS to the endpoints, from their own group only", () => {
    const json = synthScope((scope) => {
      const encryptionKey = new AppKey(scope, "app-key", { naming });
      const network = new Network(scope, "network", { naming, encryptionKey, vpcEndpoints: true });
      const secrets = new RuntimeSecrets(scope, "secrets", { naming, encryptionKey, ...secretAccess });
      new FargateService(scope, "service", {
        naming,
        cluster: new EcsCluster(scope, "cluster", { naming }),
        network,
        encryptionKey,
        secrets,
        imageTag: "abc123",
      });
      new LambdaFunction(scope, "fn", {
        naming,
        name: "report",
        description: "d",
        code: functionCodeFixture(),
        encryptionKey,
        statements: [],
        vpc: network,
      });
    });
    const ingress = Object.entries(resourcesOf(json, "aws_vpc_security_group_ingress_rule"))
      .filter(([name]) => name.startsWith("network_"))
      .map(([name, rule]) => [
        name.replace(/_[0-9A-F]{8}$/, ""),
        rule.referenced_security_group_id,
        rule.from_port,
      ]);
    expect(ingress).toEqual([
      ["network_ingress-from-bot", expect.stringMatching(/aws_security_group\.service_security-group_/), 443],
      ["network_ingress-from-report", expect.stringMatching(/aws_security_group\.fn_security-group_/), 443],
    ]);
    for (const [, rule] of Object.entries(resourcesOf(json, "aws_vpc_security_group_ingress_rule")).filter(
      ([n]) => n.startsWith("network_"),
    )) {
      expect(rule.security_group_id).toBe(ref("aws_security_group", ENDPOINTS_GROUP, "id"));
      expect(rule.cidr_ipv4).toBeUndefined();
    }
    const egress = Object.keys(resourcesOf(json, "aws_vpc_security_group_egress_rule")).filter((n) =>
      n.includes("egress-to-vpc-endpoints"),
    );
    expect(egress.map((n) => n.replace(/_[0-9A-F]{8}$/, "")).sort()).toEqual([
      "network_bot-egress-to-vpc-endpoints",
      "network_report-egress-to-vpc-endpoints",
    ]);
  });

  test("keeps the NAT gateway when endpoints are added to a NAT network", () => {
    expect(Object.keys(resourcesOf(endpoints().json, "aws_nat_gateway"))).toHaveLength(1);
  });
});

describe("Network validation", () => {
  const RETENTIONS =
    "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653";
  const SHAPE =
    "must be an IPv4 CIDR block such as 10.0.0.0/16, got %s. Write four numbers from 0 to 255 without leading zeros, separated by dots, a slash and a prefix length.";
  const PREFIX =
    "must have a prefix length from /16 to /24 (AWS allows at most /16; a /24 still splits into /27 subnets, the smallest a load balancer accepts), got %s. Use a prefix length from 16 to 24, for example 10.0.0.0/16.";
  const ZONES_RULE =
    "must be a whole number from 2 to 3 (a load balancer needs two zones; the VPC CIDR is split for at most three), got %s. Set it to a whole number from 2 to 3.";

  test.each<[string, Overrides, string]>([
    ["a CIDR without prefix", { cidr: "10.0.0.0" }, `\`cidr\` ${SHAPE.replace("%s", '"10.0.0.0"')}`],
    [
      "a CIDR with a large octet",
      { cidr: "10.0.300.0/16" },
      `\`cidr\` ${SHAPE.replace("%s", '"10.0.300.0/16"')}`,
    ],
    ["an IPv6 CIDR", { cidr: "fd00::/56" }, `\`cidr\` ${SHAPE.replace("%s", '"fd00::/56"')}`],
    ["a /8 CIDR", { cidr: "10.0.0.0/8" }, `\`cidr\` ${PREFIX.replace("%s", '"10.0.0.0/8"')}`],
    ["a /25 CIDR", { cidr: "10.0.0.0/25" }, `\`cidr\` ${PREFIX.replace("%s", '"10.0.0.0/25"')}`],
    [
      "a CIDR with host bits",
      { cidr: "10.0.0.1/16" },
      '`cidr` must be a network address (host bits all zero), got "10.0.0.1/16". Use 10.0.0.0/16.',
    ],
    [
      "a /20 CIDR with host bits",
      { cidr: "10.1.2.0/20" },
      '`cidr` must be a network address (host bits all zero), got "10.1.2.0/20". Use 10.1.0.0/20.',
    ],
    ["one zone", { availabilityZones: 1 }, `\`availabilityZones\` ${ZONES_RULE.replace("%s", "1")}`],
    ["four zones", { availabilityZones: 4 }, `\`availabilityZones\` ${ZONES_RULE.replace("%s", "4")}`],
    [
      "a fractional zone count",
      { availabilityZones: 2.5 },
      `\`availabilityZones\` ${ZONES_RULE.replace("%s", "2.5")}`,
    ],
    [
      "an unknown NAT mode",
      { natGateways: "double" as NatGatewayMode },
      '`natGateways` must be "none", "single" or "perAz", got "double". Pick one of those modes.',
    ],
    [
      "no NAT and no endpoints",
      { natGateways: "none", vpcEndpoints: false },
      '`vpcEndpoints` must not be false when `natGateways` is "none" (private subnets would reach neither ECR, CloudWatch Logs nor Secrets Manager), got false. Leave `vpcEndpoints` unset or set it to true, or set `natGateways` to "single" or "perAz".',
    ],
    [
      "a retention CloudWatch Logs does not offer",
      { flowLogRetentionDays: 31 },
      `\`flowLogRetentionDays\` must be a CloudWatch Logs retention period, got 31. Use one of ${RETENTIONS}.`,
    ],
    [
      "a zero retention",
      { flowLogRetentionDays: 0 },
      `\`flowLogRetentionDays\` must be a CloudWatch Logs retention period, got 0. Use one of ${RETENTIONS}.`,
    ],
  ])("rejects %s", (_, overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });

  test("rejects an unresolved zone count, which decides how many subnets exist", () => {
    expect(() =>
      synthScope((scope) => {
        const zones = new TerraformVariable(scope, "zones", { type: "number" });
        const encryptionKey = new AppKey(scope, "app-key", { naming });
        new Network(scope, "network", { naming, encryptionKey, availabilityZones: zones.numberValue });
      }),
    ).toThrow(
      '`availabilityZones` must be known at synth time (it sets how many subnets are built), got "an unresolved token". Pass the number 2 or 3.',
    );
  });
});

describe("Network tiers and endpoints", () => {
  test("isolated subnets: slot 7 split in four, a route table of their own with no route out", () => {
    const { json, network } = build({ isolatedSubnets: true, availabilityZones: 3 });
    expect(network.isolatedSubnetCidrs).toEqual(["10.0.224.0/21", "10.0.232.0/21", "10.0.240.0/21"]);
    const isolated = Object.entries(resourcesOf(json, "aws_subnet")).filter(([id]) =>
      id.includes("isolated"),
    );
    expect(isolated.map(([, s]) => s.cidr_block)).toEqual(network.isolatedSubnetCidrs);
    expect(isolated.every(([, s]) => s.map_public_ip_on_launch === false)).toBe(true);
    const table = Object.entries(resourcesOf(json, "aws_route_table")).filter(([id]) =>
      id.includes("isolated"),
    );
    expect(table).toHaveLength(1);
    const routesOut = Object.values(resourcesOf(json, "aws_route")).filter((r) =>
      String(r.route_table_id).includes(table[0]![0]),
    );
    expect(routesOut).toEqual([]);
    const associations = Object.keys(resourcesOf(json, "aws_route_table_association")).filter((id) =>
      id.includes("isolated"),
    );
    expect(associations).toHaveLength(3);
  });

  test("no isolated tier by default", () => {
    const { json, network } = build();
    expect(network.isolatedSubnetIds).toEqual([]);
    expect(Object.keys(resourcesOf(json, "aws_subnet")).some((id) => id.includes("isolated"))).toBe(false);
  });

  test("explicit CIDRs per tier replace the computed ones", () => {
    const { network } = build({
      isolatedSubnets: true,
      subnetCidrs: {
        public: ["10.0.0.0/24", "10.0.1.0/24"],
        private: ["10.0.16.0/20", "10.0.32.0/20"],
        isolated: ["10.0.64.0/24", "10.0.65.0/24"],
      },
    });
    expect(network.publicSubnetCidrs).toEqual(["10.0.0.0/24", "10.0.1.0/24"]);
    expect(network.privateSubnetCidrs).toEqual(["10.0.16.0/20", "10.0.32.0/20"]);
    expect(network.isolatedSubnetCidrs).toEqual(["10.0.64.0/24", "10.0.65.0/24"]);
  });

  test("endpoints by service: names built as strings for the region, gateways on the private and isolated tables", () => {
    const { json, network } = build({
      region: "eu-west-1",
      isolatedSubnets: true,
      endpoints: ["s3", "dynamodb", "sts", "ecr.api"],
    });
    expect(network.endpointServiceNames).toEqual({
      s3: "com.amazonaws.eu-west-1.s3",
      dynamodb: "com.amazonaws.eu-west-1.dynamodb",
      sts: "com.amazonaws.eu-west-1.sts",
      "ecr.api": "com.amazonaws.eu-west-1.ecr.api",
    });
    const endpoints = resourcesOf(json, "aws_vpc_endpoint");
    const dynamodb = Object.entries(endpoints).find(([id]) => id.includes("dynamodb-endpoint"))![1];
    expect(dynamodb).toMatchObject({
      vpc_endpoint_type: "Gateway",
      service_name: "com.amazonaws.eu-west-1.dynamodb",
    });
    expect(dynamodb.route_table_ids).toHaveLength(3); // two private tables and the isolated one
    const sts = Object.entries(endpoints).find(([id]) => id.includes("sts-endpoint"))![1];
    expect(sts).toMatchObject({ vpc_endpoint_type: "Interface", private_dns_enabled: true });
    expect(Object.keys(endpoints)).toHaveLength(4);
  });

  test.each<[string, Partial<NetworkProps>, string]>([
    [
      "an endpoint service it does not know",
      { endpoints: ["s3", "ecr"] },
      "`endpoints` must list endpoint services this construct knows (",
    ],
    [
      "a service listed twice",
      { endpoints: ["s3", "s3"] },
      '`endpoints` must list each service once, got ["s3","s3"].',
    ],
    [
      "a region that does not exist",
      { region: "eu-moon-1" },
      '`region` must be an AWS region this provider knows, got "eu-moon-1".',
    ],
    [
      "computed isolated subnets in a /24",
      { cidr: "10.0.0.0/24", isolatedSubnets: true },
      '`isolatedSubnets` needs a VPC of /23 or larger for computed isolated subnets (slot 7 split in four; AWS\'s smallest subnet is a /28), got "10.0.0.0/24". Use a larger VPC, or give subnetCidrs.isolated.',
    ],
    [
      "overlapping explicit subnets",
      { subnetCidrs: { public: ["10.0.0.0/24", "10.0.1.0/24"], private: ["10.0.1.0/25", "10.0.2.0/24"] } },
      '`subnetCidrs.private` must not overlap another subnet (public[1]: 10.0.1.0/24), got "10.0.1.0/25". Pick blocks that do not overlap.',
    ],
    [
      "a subnet outside the VPC",
      { subnetCidrs: { public: ["10.1.0.0/24", "10.0.1.0/24"] } },
      '`subnetCidrs.public` must hold CIDR blocks of /27 or larger inside the VPC (10.0.0.0/16), got "10.1.0.0/24". Pick a block inside the VPC.',
    ],
    [
      "one CIDR too few",
      { subnetCidrs: { public: ["10.0.0.0/24"] } },
      '`subnetCidrs.public` must list one CIDR per zone (2), got ["10.0.0.0/24"]. Give one block per availability zone.',
    ],
  ])("refuses %s", (_what, overrides, message) => {
    expect(() => build(overrides as Overrides)).toThrow(message);
  });
});

describe("Network ACLs", () => {
  const rulesOf = (json: TerraformJson, acl: string) =>
    Object.values(resourcesOf(json, "aws_network_acl_rule"))
      .filter((r) => String(r.network_acl_id).includes(`network_${acl}-acl_`))
      .map((r) => ({
        rule: r.rule_number,
        out: r.egress,
        protocol: r.protocol,
        cidr: r.cidr_block,
        ports: r.from_port === undefined ? "all" : `${r.from_port}-${r.to_port}`,
      }))
      .sort((a, b) => Number(a.out) - Number(b.out) || a.rule - b.rule);

  test("none by default: the VPC's default ACL", () => {
    expect(resourcesOf(build().json, "aws_network_acl")).toEqual({});
  });

  test("private subnets: the VPC both ways, out on 443, and the replies back on the ephemeral ports", () => {
    const { json, network } = build({ networkAcls: {}, availabilityZones: 3, natGateways: "perAz" });
    const acls = resourcesOf(json, "aws_network_acl");
    expect(Object.keys(acls)).toHaveLength(1);
    const [acl] = Object.values(acls);
    expect(acl.subnet_ids).toHaveLength(network.privateSubnetIds.length);
    for (const id of acl.subnet_ids)
      expect(id).toMatch(/^\$\{aws_subnet\.network_private-subnet-\d_[A-F0-9]+\.id\}$/);
    expect(rulesOf(json, "private")).toEqual([
      { rule: 100, out: false, protocol: "-1", cidr: "10.0.0.0/16", ports: "all" },
      { rule: 200, out: false, protocol: "6", cidr: "0.0.0.0/0", ports: "1024-65535" },
      { rule: 100, out: true, protocol: "-1", cidr: "10.0.0.0/16", ports: "all" },
      { rule: 200, out: true, protocol: "6", cidr: "0.0.0.0/0", ports: "443-443" },
    ]);
  });

  test("isolated subnets: their ports from the private subnets only, the replies to them, nothing else", () => {
    const { json, network } = build({
      networkAcls: { egressPorts: [443, 80], isolatedPorts: [5432, 6379] },
      isolatedSubnets: true,
    });
    const isolated = Object.entries(resourcesOf(json, "aws_network_acl")).find(([id]) =>
      id.includes("isolated"),
    )![1];
    expect(isolated.subnet_ids).toHaveLength(2);
    for (const id of isolated.subnet_ids)
      expect(id).toMatch(/^\$\{aws_subnet\.network_isolated-subnet-\d_[A-F0-9]+\.id\}$/);
    const [a, b] = network.privateSubnetCidrs;
    expect(rulesOf(json, "isolated")).toEqual([
      { rule: 100, out: false, protocol: "6", cidr: a, ports: "5432-5432" },
      { rule: 101, out: false, protocol: "6", cidr: b, ports: "5432-5432" },
      { rule: 110, out: false, protocol: "6", cidr: a, ports: "6379-6379" },
      { rule: 111, out: false, protocol: "6", cidr: b, ports: "6379-6379" },
      { rule: 100, out: true, protocol: "6", cidr: a, ports: "1024-65535" },
      { rule: 101, out: true, protocol: "6", cidr: b, ports: "1024-65535" },
    ]);
    expect(rulesOf(json, "private").filter((r) => r.out && r.cidr === "0.0.0.0/0")).toEqual([
      { rule: 200, out: true, protocol: "6", cidr: "0.0.0.0/0", ports: "80-80" },
      { rule: 201, out: true, protocol: "6", cidr: "0.0.0.0/0", ports: "443-443" },
    ]);
  });

  test("the policy suite accepts them: replies from anywhere only where the subnets route out (NAT or gateway endpoints)", async () => {
    const { evaluate } = await import("../../policy/engine");
    const nacl = (json: TerraformJson) =>
      evaluate([{ name: "network", json }]).violations.filter((v) => v.ruleId === "NACL-001");
    expect(nacl(build({ networkAcls: {}, isolatedSubnets: true }).json)).toEqual([]);
    const endpointsOnly = build({
      networkAcls: {},
      natGateways: "none",
      endpoints: ["s3", "ecr.api", "ecr.dkr", "logs", "secretsmanager"],
    }).json;
    expect(nacl(endpointsOnly)).toEqual([]);
  });

  test.each<[string, Partial<NetworkProps>, string]>([
    [
      "isolated ports without isolated subnets",
      { networkAcls: { isolatedPorts: [5432] } },
      "`networkAcls.isolatedPorts` only applies with isolatedSubnets, got [5432]. Set isolatedSubnets, or remove isolatedPorts.",
    ],
    [
      "a port listed twice",
      { networkAcls: { egressPorts: [443, 443] } },
      "`networkAcls.egressPorts` must list 1 to 9 distinct TCP ports, got [443,443]. List each port once.",
    ],
    [
      "a port that is not one",
      { networkAcls: { egressPorts: [70000] } },
      "`networkAcls.egressPorts` must be a whole number from 1 to 65535 (a TCP port), got 70000.",
    ],
  ])("refuses %s", (_what, overrides, message) => {
    expect(() => build(overrides as Overrides)).toThrow(message);
  });
});

describe("the engine on a network with every tier and endpoints", () => {
  test("validates and applies (mocked)", async () => {
    const { EngineStack, requireTerraform } = await import("../support/engine");
    const { tftest } = await import("../support/mocks");
    await requireTerraform();
    const { json } = build({
      region: "us-east-1",
      availabilityZones: 3,
      isolatedSubnets: true,
      natGateways: "none",
      endpoints: ["s3", "dynamodb", "ecr.api", "ecr.dkr", "logs", "secretsmanager", "sts"],
      networkAcls: { isolatedPorts: [5432, 6379] },
    });
    const stack = await EngineStack.init("network-tiers", json, {
      "apply.tftest.hcl": tftest('run "apply" {\n  command = apply\n}'),
    });
    expect((await stack.validate()).output).toContain("The configuration is valid");
    expect((await stack.test()).output).toMatch(/1 passed, 0 failed/);
  }, 120_000);
});

describe("Network tier and endpoint rules", () => {
  test.each<[string, Partial<NetworkProps>, string]>([
    [
      "no NAT and an endpoint list without what tasks need",
      { natGateways: "none", endpoints: ["s3", "sts"] },
      '`endpoints` must include s3, ecr.api, ecr.dkr, logs, secretsmanager when natGateways is "none" (private tasks reach ECR, its image layers in S3, CloudWatch Logs and Secrets Manager only through them), got ["ecr.api","ecr.dkr","logs","secretsmanager"]. Add the missing services, or choose a NAT gateway mode.',
    ],
    [
      "endpoints with vpcEndpoints off",
      { vpcEndpoints: false, endpoints: ["s3"] },
      '`endpoints` only applies with vpcEndpoints on, got ["s3"]. Remove vpcEndpoints: false, or the endpoints.',
    ],
    [
      "a subnet CIDR with host bits set",
      { subnetCidrs: { private: ["10.0.16.5/24", "10.0.17.0/24"] } },
      '`subnetCidrs.private` must hold network addresses (host bits all zero), got "10.0.16.5/24". Use 10.0.16.0/24.',
    ],
    [
      "a public subnet too small for a load balancer",
      { subnetCidrs: { public: ["10.0.0.0/28", "10.0.0.16/28"] } },
      '`subnetCidrs.public` must hold CIDR blocks of /27 or larger inside the VPC (10.0.0.0/16), got "10.0.0.0/28". Pick a block inside the VPC.',
    ],
  ])("refuses %s", (_what, overrides, message) => {
    expect(() => build(overrides as Overrides)).toThrow(message);
  });
});

describe("Network key grant", () => {
  test("its key lets CloudWatch Logs encrypt the flow log group, and that group only", () => {
    const policy = parsed(onlyResource(build().json, "aws_kms_key").policy);
    const logs = policy.Statement.find((s: any) => s.Sid === "CloudWatchLogsEncryptLogGroups");
    expect(logs.Condition.ArnEquals["kms:EncryptionContext:aws:logs:arn"]).toMatch(
      /:log-group:\/aws\/vpc\/meeting-notes-staging\/flow-logs$/,
    );
  });
});
