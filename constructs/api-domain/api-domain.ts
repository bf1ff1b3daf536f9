import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import { MAX_HEALTH_CHECK_PATH_LENGTH } from "../core/aws-limits";
import { DEFAULT_CONTAINER_PORT } from "../core/defaults";
import { limitedName, NAME_LIMITS, type ResourceNaming, resourceName } from "../core/naming";
import { suppress } from "../core/suppressions";
import { invalid, isUnresolved, requireIntegerInRange } from "../core/validation";
import type { NetworkReference } from "../internal/references";

/** The TLS policy of the HTTPS listener: TLS 1.3 and 1.2 only. */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

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
}

/**
 * The API's public entry point: an internet-facing ALB that redirects HTTP to HTTPS, terminates
 * TLS 1.2+ with an ACM certificate, drops invalid headers, and forwards to the service's tasks;
 * plus the Route 53 alias for the domain.
 */
export class ApiDomain extends Construct {
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

  constructor(scope: Construct, id: string, props: ApiDomainProps) {
    super(scope, id);
    const targetPort = props.targetPort ?? DEFAULT_CONTAINER_PORT;
    const healthCheckPath = props.healthCheckPath ?? "/health";
    const deletionProtection = props.deletionProtection ?? false;
    validate(props, targetPort, healthCheckPath);

    const name = resourceName(props.naming, "api");
    const securityGroup = new SecurityGroup(this, "security-group", {
      name: `${name}-alb`,
      description: `Public HTTP and HTTPS to the ${name} load balancer`,
      vpcId: props.network.vpcId,
      lifecycle: { createBeforeDestroy: true },
    });
    for (const port of [80, 443]) {
      const rule = new VpcSecurityGroupIngressRule(this, `ingress-${port}-ipv4`, {
        securityGroupId: securityGroup.id,
        description: port === 80 ? "HTTP from anywhere (redirected to HTTPS)" : "HTTPS from anywhere",
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        cidrIpv4: "0.0.0.0/0",
      });
      suppress(
        rule,
        "SG-001",
        "the API's public load balancer must accept HTTP (redirect only) and HTTPS from the internet",
        { ip_protocol: "tcp", from_port: port, to_port: port, cidr_ipv4: "0.0.0.0/0" },
      );
    }

    const alb = new Lb(this, "alb", {
      // ALB names allow 32 characters.
      name: limitedName(NAME_LIMITS.loadBalancer, props.naming, "api"),
      loadBalancerType: "application",
      internal: false,
      subnets: props.network.publicSubnetIds,
      securityGroups: [securityGroup.id],
      dropInvalidHeaderFields: true,
      enableDeletionProtection: deletionProtection,
      idleTimeout: 60,
    });
    suppress(
      alb,
      "ALB-005",
      "access logs need a per-region log-delivery S3 bucket that this construct does not create yet (opt-in in terraform-aws-modules/alb too)",
      { name: alb.nameInput },
    );
    if (!deletionProtection) {
      suppress(
        alb,
        "ALB-004",
        "deletionProtection is false in this environment's settings (disposable environments)",
        { enable_deletion_protection: false },
      );
    }

    const targetGroup = new LbTargetGroup(this, "targets", {
      name: limitedName(NAME_LIMITS.targetGroup, props.naming, "api"),
      port: targetPort,
      protocol: "HTTP",
      targetType: "ip",
      vpcId: props.network.vpcId,
      deregistrationDelay: "30",
      healthCheck: {
        enabled: true,
        path: healthCheckPath,
        protocol: "HTTP",
        matcher: "200-399",
        interval: 30,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
      lifecycle: { createBeforeDestroy: true },
    });

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

    new LbListener(this, "http", {
      loadBalancerArn: alb.arn,
      port: 80,
      protocol: "HTTP",
      defaultAction: [
        { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
      ],
    });
    new LbListener(this, "https", {
      loadBalancerArn: alb.arn,
      port: 443,
      protocol: "HTTPS",
      sslPolicy: TLS_POLICY,
      certificateArn,
      defaultAction: [{ type: "forward", targetGroupArn: targetGroup.arn }],
    });

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
    this.albArn = alb.arn;
    this.albArnSuffix = alb.arnSuffix;
    this.albDnsName = alb.dnsName;
    this.targetGroupArn = targetGroup.arn;
    this.targetGroupArnSuffix = targetGroup.arnSuffix;
    this.securityGroupId = securityGroup.id;
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
