import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener, type LbListenerDefaultAction } from "@cdktf/provider-aws/lib/lb-listener";
import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { LbTargetGroupAttachment } from "@cdktf/provider-aws/lib/lb-target-group-attachment";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";
import { MAX_HEALTH_CHECK_PATH_LENGTH } from "../core/aws-limits";
import { type Connectable, Connections } from "../core/connections";
import { limitedName, NAME_LIMITS, type ResourceNaming, resourceName, stableSuffix } from "../core/naming";
import { suppress } from "../core/suppressions";
import { invalid, isUnresolved, requireIntegerInRange } from "../core/validation";
import type { NetworkReference } from "../internal/references";

/** The TLS policy of the HTTPS listener: TLS 1.3 and 1.2 only. */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** AWS's limits on listener rules. */
const MAX_CONDITION_VALUES = 5;
const MAX_PATTERN_LENGTH = 128;
const MAX_PRIORITY = 50_000;

/** How the load balancer checks a route's targets. */
export interface RouteHealthCheck {
  /**
   * Path checked on each target.
   * @default "/health"
   */
  readonly path?: string;
  /**
   * HTTP codes that count as healthy.
   * @default "200-399"
   */
  readonly matcher?: string;
}

/** A route: where matching requests go. */
export interface RouteOptions {
  /** Stable key of the route (a service's key): its target group's and rule's ids. */
  readonly key: string;
  /** Path patterns to match (`/api/*`); with `hostHeaders`, both must match. */
  readonly pathPatterns?: readonly string[];
  /** Host names to match (`api.example.com`). */
  readonly hostHeaders?: readonly string[];
  /**
   * Rule priority, 1-50000, lower first.
   * @default - the next free multiple of 100, in the order routes are added
   */
  readonly priority?: number;
  /** Port the targets listen on. */
  readonly port: number;
  /** Health check of the targets. @default - `/health`, codes 200-399 */
  readonly healthCheck?: RouteHealthCheck;
  /**
   * Name of the target group, for one that already exists under a name of its own.
   * @default - `<project>-<env>-<lb name>-<key>` shortened to 32 characters, with a suffix from the
   *   attributes that force a replacement (port, protocol, target type): a changed port makes a new
   *   group, which the listener switches to before the old one is deleted
   */
  readonly targetGroupName?: string;
}

/** What a service registers in (`FargateService`'s `loadBalancer`). */
export interface RouteTarget extends Connectable {
  /** ARN of the route's target group. */
  readonly targetGroupArn: string;
  /** ARN suffix of the target group, its CloudWatch `TargetGroup` dimension. */
  readonly targetGroupArnSuffix: string;
  /** Port the targets listen on. */
  readonly port: number;
}

/** Properties of {@link ApplicationLoadBalancer}. */
/** A route to a Lambda function (`addFunctionRoute`). */
export interface FunctionRouteOptions {
  /** Route key: 1-20 lowercase letters, digits and hyphens; names its target group. */
  readonly key: string;
  /** Path patterns the route matches (`/webhooks/github`). */
  readonly pathPatterns?: readonly string[];
  /** Host headers the route matches. */
  readonly hostHeaders?: readonly string[];
  /** Listener rule priority (1-50000, unique). @default - the next free hundred */
  readonly priority?: number;
  /** The function that answers. */
  readonly functionName: string;
  /** Its ARN (the target registered in the group). */
  readonly functionArn: string;
}

/** The target group of a function route (for alarms). */
export interface FunctionRouteTarget {
  readonly targetGroupArn: string;
  readonly targetGroupArnSuffix: string;
}

export interface ApplicationLoadBalancerProps {
  /** Project and environment the names derive from. */
  readonly naming: ResourceNaming;
  /** Name suffix: `<project>-<env>-<name>` (shortened to ALB's 32 characters). */
  readonly name: string;
  /** The load balancer sits in the network's public subnets. */
  readonly network: NetworkReference;
  /** ACM certificate (in the stack's region) the HTTPS listener serves. */
  readonly certificateArn: string;
  /**
   * Where requests no route matches go.
   * @default - a fixed 404 response
   */
  readonly defaultRoute?: Omit<RouteOptions, "pathPatterns" | "hostHeaders" | "priority">;
  /**
   * Refuse to delete the load balancer.
   * @default false
   */
  readonly deletionProtection?: boolean;
  /**
   * Access logs to an existing S3 bucket (SSE-S3: ALB access logs cannot use a KMS key), whose policy
   * lets this region's log delivery write.
   * @default - no access logs
   */
  readonly accessLogs?: { readonly bucketName: string; readonly prefix?: string };
  /**
   * Port 80: `"redirect"` answers every HTTP request with a 301 to HTTPS; `"closed"` has no HTTP
   * listener and no port-80 rule, so plain HTTP is refused at the network (HTTPS only).
   * @default "redirect"
   */
  readonly http?: HttpMode;
}

/** What a load balancer does with plain HTTP on port 80. */
export type HttpMode = "redirect" | "closed";

/**
 * An internet-facing ALB: HTTP redirected to HTTPS with a 301 (or port 80 closed), TLS 1.2+ on HTTPS, invalid headers dropped,
 * optional access logs, and routes by path and host to target groups ({@link addRoute}) whose invariants
 * are checked at synth (unique keys and priorities, no duplicate patterns, AWS's rule limits).
 */
export class ApplicationLoadBalancer extends Construct implements Connectable {
  /** ARN of the load balancer. */
  public readonly albArn: string;
  /** ARN suffix, the `LoadBalancer` dimension of its CloudWatch metrics. */
  public readonly albArnSuffix: string;
  /** DNS name AWS gave the load balancer. */
  public readonly dnsName: string;
  /** Route 53 zone of `dnsName`, for alias records. */
  public readonly zoneId: string;
  /** Security group of the load balancer. */
  public readonly securityGroupId: string;
  /** Whom the load balancer reaches (`alb.connections.allowTo(service, port)`). */
  public readonly connections: Connections;
  /** The default route's target, when there is one. */
  public readonly defaultTarget?: RouteTarget;
  /** The resources, by role (a platform that had them elsewhere moves them from there). */
  public readonly resources: {
    readonly securityGroup: SecurityGroup;
    readonly ingress: readonly VpcSecurityGroupIngressRule[];
    readonly loadBalancer: Lb;
    /** The port-80 listener; absent with `http: "closed"`. */
    readonly httpListener?: LbListener;
    readonly httpsListener: LbListener;
    readonly targetGroups: Record<string, LbTargetGroup>;
  };

  private readonly props: ApplicationLoadBalancerProps;
  private readonly targetGroups: Record<string, LbTargetGroup>;
  private readonly routes: { key: string; priority?: number; patterns: string }[] = [];
  private readonly priorities = new Set<number>();

  constructor(scope: Construct, id: string, props: ApplicationLoadBalancerProps) {
    super(scope, id);
    this.props = props;
    const deletionProtection = props.deletionProtection ?? false;
    const http = props.http ?? "redirect";
    if (http !== "redirect" && http !== "closed") {
      throw invalid("http", 'must be "redirect" or "closed"', http, "Pick one of the two.");
    }
    if (!/^[a-z][a-z0-9-]{0,19}$/.test(props.name)) {
      throw invalid(
        "name",
        "must be 1-20 lowercase letters, digits and hyphens, starting with a letter",
        props.name,
        'Use a short name such as "api".',
      );
    }
    if (
      props.accessLogs &&
      !isUnresolved(props.accessLogs.bucketName) &&
      !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(props.accessLogs.bucketName)
    ) {
      throw invalid(
        "accessLogs.bucketName",
        "must be an S3 bucket name (3-63 lowercase letters, digits, dots and hyphens)",
        props.accessLogs.bucketName,
        "Give the name of the existing log bucket, not its ARN.",
      );
    }
    const name = resourceName(props.naming, props.name);
    const securityGroup = new SecurityGroup(this, "security-group", {
      name: `${name}-alb`,
      description:
        http === "closed"
          ? `Public HTTPS to the ${name} load balancer`
          : `Public HTTP and HTTPS to the ${name} load balancer`,
      vpcId: props.network.vpcId,
      lifecycle: { createBeforeDestroy: true },
    });
    const ingress = (http === "closed" ? [443] : [80, 443]).map((port) => {
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
        "a public load balancer must accept HTTP (redirect only) and HTTPS from the internet",
        { ip_protocol: "tcp", from_port: port, to_port: port, cidr_ipv4: "0.0.0.0/0" },
      );
      return rule;
    });

    const alb = new Lb(this, "alb", {
      name: limitedName(NAME_LIMITS.loadBalancer, props.naming, props.name),
      loadBalancerType: "application",
      internal: false,
      subnets: props.network.publicSubnetIds,
      securityGroups: [securityGroup.id],
      dropInvalidHeaderFields: true,
      enableDeletionProtection: deletionProtection,
      idleTimeout: 60,
      ...(props.accessLogs
        ? {
            accessLogs: {
              bucket: props.accessLogs.bucketName,
              prefix: props.accessLogs.prefix,
              enabled: true,
            },
          }
        : {}),
    });
    if (!props.accessLogs) {
      suppress(
        alb,
        "ALB-005",
        "access logs are opt-in (accessLogs): they need a per-region log-delivery S3 bucket (opt-in in terraform-aws-modules/alb too)",
        { name: alb.nameInput },
      );
    }
    if (!deletionProtection) {
      suppress(
        alb,
        "ALB-004",
        "deletionProtection is false in this environment's settings (disposable environments)",
        { enable_deletion_protection: false },
      );
    }
    this.connections = new Connections(this, props.name, "the load balancer", securityGroup.id);

    const targetGroups: Record<string, LbTargetGroup> = {};
    // Target groups are created by targetGroup(), which records them here.
    this.targetGroups = targetGroups;
    const httpListener =
      http === "redirect"
        ? new LbListener(this, "http", {
            loadBalancerArn: alb.arn,
            port: 80,
            protocol: "HTTP",
            defaultAction: [
              { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
            ],
          })
        : undefined;
    let defaultAction: LbListenerDefaultAction[] = [
      {
        type: "fixed-response",
        fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "Not found" },
      },
    ];
    if (props.defaultRoute) {
      this.defaultTarget = this.targetGroup(props.defaultRoute);
      defaultAction = [{ type: "forward", targetGroupArn: this.defaultTarget.targetGroupArn }];
    }
    const httpsListener = new LbListener(this, "https", {
      loadBalancerArn: alb.arn,
      port: 443,
      protocol: "HTTPS",
      sslPolicy: TLS_POLICY,
      certificateArn: props.certificateArn,
      defaultAction,
    });
    this.resources = { securityGroup, ingress, loadBalancer: alb, httpListener, httpsListener, targetGroups };
    this.albArn = alb.arn;
    this.albArnSuffix = alb.arnSuffix;
    this.dnsName = alb.dnsName;
    this.zoneId = alb.zoneId;
    this.securityGroupId = securityGroup.id;
  }

  /**
   * Routes requests matching the path patterns and host headers (both, when both are given) to a target
   * group of its own; returns what a service registers in.
   */
  addRoute(options: RouteOptions): RouteTarget {
    const priority = this.claimRule(options);
    const target = this.targetGroup(options);
    this.listenerRule(options, priority, target.targetGroupArn);
    return target;
  }

  /**
   * Routes requests matching the path patterns and host headers to a Lambda function (a target group
   * of type `lambda`): the permission that lets this load balancer's target group invoke the
   * function, and its registration, created after the permission as ELB requires. The function
   * answers with an ALB response (`statusCode`, `headers`, `body`); multi-value headers stay off.
   */
  addFunctionRoute(options: FunctionRouteOptions): FunctionRouteTarget {
    const priority = this.claimRule(options);
    if (!/^[a-z][a-z0-9-]{0,19}$/.test(options.key) || this.targetGroups[options.key]) {
      throw invalid(
        "routes",
        "must have unique keys of 1-20 lowercase letters, digits and hyphens, starting with a letter",
        options.key,
        "Use the function's key.",
      );
    }
    const group = new LbTargetGroup(this, `${options.key}-targets`, {
      name: limitedName(NAME_LIMITS.targetGroup, this.props.naming, `${this.props.name}-${options.key}`),
      targetType: "lambda",
      lambdaMultiValueHeadersEnabled: false,
      healthCheck: { enabled: false },
    });
    this.targetGroups[options.key] = group;
    const permission = new LambdaPermission(this, `${options.key}-invoke`, {
      statementId: "AllowLoadBalancerTargetGroup",
      action: "lambda:InvokeFunction",
      functionName: options.functionName,
      principal: "elasticloadbalancing.amazonaws.com",
      sourceArn: group.arn,
    });
    new LbTargetGroupAttachment(this, `${options.key}-target`, {
      targetGroupArn: group.arn,
      targetId: options.functionArn,
      dependsOn: [permission],
    });
    this.listenerRule(options, priority, group.arn);
    return { targetGroupArn: group.arn, targetGroupArnSuffix: group.arnSuffix };
  }

  /** Checks a route's patterns and priority against the listener's others and reserves its priority. */
  private claimRule(
    options: Pick<RouteOptions, "key" | "pathPatterns" | "hostHeaders" | "priority">,
  ): number {
    const paths = options.pathPatterns ?? [];
    const hosts = options.hostHeaders ?? [];
    const at = `routes.${options.key}`;
    if (paths.length + hosts.length === 0) {
      throw invalid(
        `${at}`,
        "must match something: give pathPatterns or hostHeaders (the default route takes the rest)",
        options.key,
        "Add a pattern, or make it the defaultRoute.",
      );
    }
    if (paths.length + hosts.length > MAX_CONDITION_VALUES) {
      throw invalid(
        `${at}`,
        `must have at most ${MAX_CONDITION_VALUES} path patterns and host headers together (AWS's limit per rule)`,
        [...paths, ...hosts],
        "Split it into two routes.",
      );
    }
    for (const p of paths) {
      if (!p.startsWith("/") || p.length > MAX_PATTERN_LENGTH) {
        throw invalid(
          `${at}.pathPatterns`,
          `must start with / and have at most ${MAX_PATTERN_LENGTH} characters`,
          p,
          "Use a pattern such as /api/*.",
        );
      }
    }
    for (const h of hosts) {
      if (!/^(\*\.)?([a-z0-9-]+\.)*[a-z0-9-]+$/.test(h) || h.length > MAX_PATTERN_LENGTH) {
        throw invalid(
          `${at}.hostHeaders`,
          `must be lowercase host names (a leading *. allowed), at most ${MAX_PATTERN_LENGTH} characters`,
          h,
          "Use a name such as api.example.com.",
        );
      }
    }
    const patterns = JSON.stringify([[...hosts].sort(), [...paths].sort()]);
    const twin = this.routes.find((r) => r.patterns === patterns);
    if (twin) {
      throw invalid(
        `${at}`,
        `must not match exactly what route ${twin.key} matches`,
        [...hosts, ...paths],
        "Remove one of the routes, or tell them apart.",
      );
    }
    let priority = options.priority;
    if (priority !== undefined) {
      requireIntegerInRange(`${at}.priority`, priority, 1, MAX_PRIORITY);
      if (this.priorities.has(priority)) {
        throw invalid(`${at}.priority`, "must be unique on the listener", priority, "Pick another priority.");
      }
    } else {
      priority = 100;
      while (this.priorities.has(priority)) priority += 100;
    }
    this.priorities.add(priority);
    this.routes.push({ key: options.key, priority, patterns });
    return priority;
  }

  private listenerRule(
    options: Pick<RouteOptions, "key" | "pathPatterns" | "hostHeaders">,
    priority: number,
    targetGroupArn: string,
  ): void {
    const paths = options.pathPatterns ?? [];
    const hosts = options.hostHeaders ?? [];
    new LbListenerRule(this, `${options.key}-rule`, {
      listenerArn: this.resources.httpsListener.arn,
      priority,
      action: [{ type: "forward", targetGroupArn }],
      condition: [
        ...(paths.length > 0 ? [{ pathPattern: { values: [...paths] } }] : []),
        ...(hosts.length > 0 ? [{ hostHeader: { values: [...hosts] } }] : []),
      ],
    });
  }

  private targetGroup(options: Omit<RouteOptions, "pathPatterns" | "hostHeaders" | "priority">): RouteTarget {
    if (!/^[a-z][a-z0-9-]{0,19}$/.test(options.key)) {
      throw invalid(
        "routes",
        "must have keys of 1-20 lowercase letters, digits and hyphens, starting with a letter",
        options.key,
        "Use the service's key.",
      );
    }
    if (this.targetGroups[options.key]) {
      throw invalid("routes", "must have unique keys", options.key, "Rename one of the routes.");
    }
    requireIntegerInRange(`routes.${options.key}.port`, options.port, 1, 65535);
    const path = options.healthCheck?.path ?? "/health";
    if (!path.startsWith("/") || (!isUnresolved(path) && path.length > MAX_HEALTH_CHECK_PATH_LENGTH)) {
      throw invalid(
        `routes.${options.key}.healthCheck.path`,
        `must start with / and have at most ${MAX_HEALTH_CHECK_PATH_LENGTH} characters (the target group's limit)`,
        path.length > 100 ? `${path.slice(0, 40)}... (${path.length} characters)` : path,
        "Use a short path such as /health.",
      );
    }
    if (
      options.targetGroupName !== undefined &&
      !/^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(options.targetGroupName)
    ) {
      throw invalid(
        `routes.${options.key}.targetGroupName`,
        "must be 1-32 letters, digits and hyphens, not starting or ending with a hyphen (ELB's rule)",
        options.targetGroupName,
        "Leave it out to get a generated name.",
      );
    }
    const name =
      options.targetGroupName ??
      limitedName(
        NAME_LIMITS.targetGroup,
        this.props.naming,
        `${this.props.name}-${options.key}`,
        // Literals only: an unresolved VPC id is a token whose text depends on how many tokens were
        // made before it, so hashing it would rename (replace) the group on unrelated changes.
        stableSuffix(
          4,
          String(options.port),
          "HTTP",
          "ip",
          ...(isUnresolved(this.props.network.vpcId) ? [] : [this.props.network.vpcId]),
        ),
      );
    const group = new LbTargetGroup(
      this,
      options.key === this.props.defaultRoute?.key ? "targets" : `${options.key}-targets`,
      {
        name,
        port: options.port,
        protocol: "HTTP",
        targetType: "ip",
        vpcId: this.props.network.vpcId,
        deregistrationDelay: "30",
        healthCheck: {
          enabled: true,
          path,
          protocol: "HTTP",
          matcher: options.healthCheck?.matcher ?? "200-399",
          interval: 30,
          healthyThreshold: 2,
          unhealthyThreshold: 3,
        },
        // A replacement (a new port) creates the new group first, under its new name, and the listener
        // switches to it before the old one is deleted.
        lifecycle: { createBeforeDestroy: true },
      },
    );
    this.targetGroups[options.key] = group;
    return {
      targetGroupArn: group.arn,
      targetGroupArnSuffix: group.arnSuffix,
      port: options.port,
      connections: this.connections,
    };
  }
}
