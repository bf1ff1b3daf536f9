import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import type { Construct } from "constructs";
import { invalid, requireIntegerInRange } from "./validation";

/** Something with a security group that others may be allowed to reach, or that may reach others. */
export interface Connectable {
  readonly connections: Connections;
}

/**
 * The network side of a construct with a security group: `a.connections.allowTo(b, port)` lets `a`
 * reach `b` on one TCP port, writing the ingress rule on `b`'s group and the egress rule on `a`'s, both
 * in `b`'s scope (`ingress-from-<a>`, `<a>-egress-to-<b>`, by the sides' names), so neither construct
 * writes rules into the other's resources. Each pair of constructs is allowed once, and the sources that
 * reach one target need distinct names (a service's or load balancer's name in the stack is).
 */
export class Connections {
  private readonly allowed = new Set<string>();

  /**
   * @param scope where rules that let others reach this construct are created
   * @param name short id of this side in rule ids, unique among the constructs of its stack (`api`, `bot`)
   * @param label how rule descriptions name it (`the load balancer`)
   * @param securityGroupId its security group
   */
  constructor(
    readonly scope: Construct,
    readonly name: string,
    readonly label: string,
    readonly securityGroupId: string,
  ) {}

  /** Lets this side reach `other` on `port` (TCP). */
  allowTo(other: Connectable, port: number): void {
    requireIntegerInRange("port", port, 1, 65535);
    const to = other.connections;
    const pair = `${this.scope.node.path}->${to.scope.node.path}`;
    if (to.allowed.has(pair)) {
      throw invalid(
        "allowTo",
        `must be called once per pair (${this.label} already reaches ${to.label})`,
        port,
        "Allow one port per pair, or give the services their own security groups.",
      );
    }
    if (to.scope.node.tryFindChild(`ingress-from-${this.name}`)) {
      throw invalid(
        "allowTo",
        `must connect sources with distinct names to one target (another source named ${JSON.stringify(this.name)} already reaches ${to.label})`,
        this.scope.node.path,
        "Give the sources distinct names.",
      );
    }
    to.allowed.add(pair);
    const from = this.label.replace(/^the /, "");
    new VpcSecurityGroupIngressRule(to.scope, `ingress-from-${this.name}`, {
      securityGroupId: to.securityGroupId,
      description: `Traffic from ${this.label} only`,
      ipProtocol: "tcp",
      fromPort: port,
      toPort: port,
      referencedSecurityGroupId: this.securityGroupId,
    });
    new VpcSecurityGroupEgressRule(to.scope, `${this.name}-egress-to-${to.name}`, {
      securityGroupId: this.securityGroupId,
      description: `${from.charAt(0).toUpperCase()}${from.slice(1)} to ${to.label}`,
      ipProtocol: "tcp",
      fromPort: port,
      toPort: port,
      referencedSecurityGroupId: to.securityGroupId,
    });
  }
}
