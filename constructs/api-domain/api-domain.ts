import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Construct } from "constructs";
import { MAX_HEALTH_CHECK_PATH_LENGTH } from "../core/aws-limits";
import type { Connections } from "../core/connections";
import { DEFAULT_CONTAINER_PORT } from "../core/defaults";
import { limitedName, NAME_LIMITS, type ResourceNaming } from "../core/naming";
import { invalid, isUnresolved, requireIntegerInRange } from "../core/validation";
import type { NetworkReference } from "../internal/references";
import { ApplicationLoadBalancer, type HttpMode, type RouteTarget } from "../load-balancer";

export { TLS_POLICY } from "../load-balancer";

/** Properties of {@link ApiDomain}. */
export interface ApiDomainProps {
  /** Project and environment resource names derive from. */
  readonly naming: ResourceNaming;
  /** The load balancer sits in the network's public subnets. */
  readonly network: NetworkReference;
  /** The API's DNS name, for example `api.example.com`. */
  readonly domainName: string;
  /**
   * An existing ACM certificate (in the stack's region) for `domainName`.
   * @default - a new certificate, DNS-validated in `hostedZoneName`
   */
  readonly certificateArn?: string;
  /**
   * Public Route 53 zone that holds `domainName`; needed for the alias record and for a new certificate.
   * @default - no alias record; `certificateArn` is then required
   */
  readonly hostedZoneName?: string;
  /**
   * Port the service's containers listen on.
   * @default 8080
   */
  readonly targetPort?: number;
  /**
   * Path the load balancer checks on each task.
   * @default "/health"
   */
  readonly healthCheckPath?: string;
  /**
   * Refuse to delete the load balancer.
   * @default false
   */
  readonly deletionProtection?: boolean;
  /**
   * Port 80 redirects to HTTPS, or is closed (HTTPS only).
   * @default "redirect"
   */
  readonly http?: HttpMode;
}

/**
 * The API's public entry point: an internet-facing ALB that redirects HTTP to HTTPS, terminates
 * TLS 1.2+ with an ACM certificate, drops invalid headers, and forwards to the service's tasks;
 * plus the Route 53 alias for the domain.
 */
export class ApiDomain extends Construct implements RouteTarget {
  /** The API's DNS name. */
  public readonly domainName: string;
  /** `https://<domainName>`. */
  public readonly url: string;
  /** ARN of the load balancer. */
  public readonly albArn: string;
  /** ARN suffix of the load balancer, the `LoadBalancer` dimension of its CloudWatch metrics. */
  public readonly albArnSuffix: string;
  /** DNS name AWS gave the load balancer. */
  public readonly albDnsName: string;
  /** Target group the service registers its tasks in. */
  public readonly targetGroupArn: string;
  /** ARN suffix of the target group, the `TargetGroup` dimension of its CloudWatch metrics. */
  public readonly targetGroupArnSuffix: string;
  /** Security group of the load balancer. */
  public readonly securityGroupId: string;
  /** ARN of the certificate the HTTPS listener serves. */
  public readonly certificateArn: string;
  /** The load balancer (its routes, security group and resources). */
  public readonly loadBalancer: ApplicationLoadBalancer;
  /** Whom the load balancer reaches: the service registers and is allowed through this. */
  public readonly connections: Connections;
  /** Port the service's targets listen on. */
  public readonly port: number;

  constructor(scope: Construct, id: string, props: ApiDomainProps) {
    super(scope, id);
    const targetPort = props.targetPort ?? DEFAULT_CONTAINER_PORT;
    const healthCheckPath = props.healthCheckPath ?? "/health";
    const deletionProtection = props.deletionProtection ?? false;
    validate(props, targetPort, healthCheckPath);

    const zone = props.hostedZoneName
      ? new DataAwsRoute53Zone(this, "zone", { name: props.hostedZoneName, privateZone: false })
      : undefined;

    let certificateArn: string;
    if (props.certificateArn) {
      certificateArn = props.certificateArn;
    } else {
      // validate() guarantees the zone exists when no certificate is given.
      const certificate = new AcmCertificate(this, "certificate", {
        domainName: props.domainName,
        validationMethod: "DNS",
        lifecycle: { createBeforeDestroy: true },
      });
      const option = (field: string) =>
        `\${tolist(${certificate.fqn}.domain_validation_options)[0].${field}}`;
      const record = new Route53Record(this, "certificate-validation", {
        zoneId: zone!.zoneId,
        name: option("resource_record_name"),
        type: option("resource_record_type"),
        records: [option("resource_record_value")],
        ttl: 60,
        allowOverwrite: true,
      });
      const validation = new AcmCertificateValidation(this, "certificate-validated", {
        certificateArn: certificate.arn,
        validationRecordFqdns: [record.fqdn],
      });
      certificateArn = validation.certificateArn;
    }

    this.loadBalancer = new ApplicationLoadBalancer(this, "load-balancer", {
      naming: props.naming,
      name: "api",
      network: props.network,
      certificateArn,
      deletionProtection,
      http: props.http,
      // Every request goes to the service. On the default port the group keeps the name it had before
      // routes existed (no replacement); on another port it takes a generated name, so a later port change
      // creates the new group before the old one goes (a fixed name would collide).
      defaultRoute: {
        key: "api",
        port: targetPort,
        healthCheck: { path: healthCheckPath },
        ...(targetPort === DEFAULT_CONTAINER_PORT
          ? { targetGroupName: limitedName(NAME_LIMITS.targetGroup, props.naming, "api") }
          : {}),
      },
    });
    const alb = this.loadBalancer;
    const target = alb.defaultTarget!;

    if (zone) {
      new Route53Record(this, "alias", {
        zoneId: zone.zoneId,
        name: props.domainName,
        type: "A",
        alias: { name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: true },
      });
    }

    this.domainName = props.domainName;
    this.url = `https://${props.domainName}`;
    this.albArn = alb.albArn;
    this.albArnSuffix = alb.albArnSuffix;
    this.albDnsName = alb.dnsName;
    this.targetGroupArn = target.targetGroupArn;
    this.targetGroupArnSuffix = target.targetGroupArnSuffix;
    this.securityGroupId = alb.securityGroupId;
    this.connections = alb.connections;
    this.port = target.port;
    this.certificateArn = certificateArn;
  }
}

function validate(props: ApiDomainProps, targetPort: number, healthCheckPath: string): void {
  const domain = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
  if (!isUnresolved(props.domainName) && !domain.test(props.domainName)) {
    throw invalid(
      "domainName",
      "must be a lowercase DNS name",
      props.domainName,
      "Use a name such as api.example.com.",
    );
  }
  if (!props.certificateArn && !props.hostedZoneName) {
    throw invalid(
      "certificateArn",
      "or hostedZoneName is required (a new certificate is validated through the Route 53 zone)",
      undefined,
      "Set certificateArn to an ACM certificate for the domain, or hostedZoneName to its public zone.",
    );
  }
  if (
    props.hostedZoneName &&
    !isUnresolved(props.domainName) &&
    !`.${props.domainName}`.endsWith(`.${props.hostedZoneName}`)
  ) {
    throw invalid(
      "domainName",
      `must be inside hostedZoneName (${props.hostedZoneName})`,
      props.domainName,
      "Use a name in that zone, or fix hostedZoneName.",
    );
  }
  requireIntegerInRange("targetPort", targetPort, 1, 65535);
  if (!healthCheckPath.startsWith("/")) {
    throw invalid("healthCheckPath", "must start with /", healthCheckPath, 'Use a path such as "/health".');
  }
  if (!isUnresolved(healthCheckPath) && healthCheckPath.length > MAX_HEALTH_CHECK_PATH_LENGTH) {
    throw invalid(
      "healthCheckPath",
      `must be at most ${MAX_HEALTH_CHECK_PATH_LENGTH} characters (the target group's limit)`,
      `${healthCheckPath.slice(0, 40)}... (${healthCheckPath.length} characters)`,
      "Use a short path such as /health.",
    );
  }
}
