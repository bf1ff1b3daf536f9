// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fixtures hold Terraform references, which are literal "${...}" strings
/**
 * Hand-written Terraform JSON fixtures: for every rule one stack that violates it and one that does
 * not. Fixtures hold only what the rule under test looks at, so other rules may fire on them.
 */

import { policyDocument, serviceTrustPolicy } from "../constructs/core/iam";
import { LAMBDA_NODEJS_RUNTIME } from "../constructs/core/runtimes";

type Json = Record<string, unknown>;

/**
 * Builds Terraform JSON from `{ "<type>.<name>": config, "data.<type>.<name>": config }` plus
 * top-level blocks (`terraform`, `//`).
 */
export function tf(nodes: Record<string, Json>, top: Json = {}): Json {
  const json: Record<string, any> = { ...top };
  for (const [address, config] of Object.entries(nodes)) {
    const parts = address.split(".");
    const [kind, type, name] =
      parts[0] === "data" ? ["data", parts[1]!, parts[2]!] : ["resource", parts[0]!, parts[1]!];
    json[kind] ??= {};
    json[kind][type] ??= {};
    json[kind][type][name] = config;
  }
  return json;
}

const ROLE_ARN = "${aws_iam_role.app.arn}";
const ROOT = "arn:aws:iam::123456789012:root";
const KEY_ARN = "${aws_kms_key.k.arn}";
const bucket = { "aws_s3_bucket.b": { bucket: "b-bucket" } };
const ofBucket = { bucket: "${aws_s3_bucket.b.id}" };
const sse = (algorithm: string) => ({
  ...bucket,
  "aws_s3_bucket_server_side_encryption_configuration.b": {
    ...ofBucket,
    rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: algorithm } }],
  },
});
const bucketPolicy = (statements: Parameters<typeof policyDocument>[0]) => ({
  ...bucket,
  "aws_s3_bucket_policy.b": { ...ofBucket, policy: policyDocument(statements) },
});
const stateBackend = {
  terraform: { backend: { s3: { bucket: "b-bucket", key: "state", region: "us-east-1" } } },
};
const rolePolicy = (statements: Parameters<typeof policyDocument>[0]) => ({
  "aws_iam_role_policy.app": { role: "${aws_iam_role.app.id}", policy: policyDocument(statements) },
});
const keyPolicy = (statements: Parameters<typeof policyDocument>[0]) => ({
  "aws_kms_key.k": { enable_key_rotation: true, policy: policyDocument(statements) },
});
const trust = (policy: string) => ({ "aws_iam_role.app": { assume_role_policy: policy } });
const githubTrust = (sub: string) => tf(githubTrustNodes(sub));
const githubTrustNodes = (sub: string): Record<string, Json> => ({
  "aws_iam_openid_connect_provider.github": { url: "https://token.actions.githubusercontent.com" },
  ...trust(
    policyDocument([
      {
        actions: ["sts:AssumeRoleWithWebIdentity"],
        principals: { Federated: "${aws_iam_openid_connect_provider.github.arn}" },
        conditions: {
          StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
          StringLike: { "token.actions.githubusercontent.com:sub": sub },
        },
      },
    ]),
  ),
});
const container = (extra: Json) =>
  JSON.stringify([
    {
      name: "app",
      image: "app:1",
      readonlyRootFilesystem: true,
      logConfiguration: {
        logDriver: "awslogs",
        options: { "awslogs-group": "${aws_cloudwatch_log_group.app.name}" },
      },
      ...extra,
    },
  ]);
const task = (extra: Json, config: Json = {}) => ({
  "aws_ecs_task_definition.app": {
    family: "app",
    execution_role_arn: "${aws_iam_role.execution.arn}",
    task_role_arn: ROLE_ARN,
    container_definitions: container(extra),
    ...config,
  },
});
const vpc = { "aws_vpc.main": { cidr_block: "10.0.0.0/16" } };
const subnetRoutedTo = (gateway: Json) => tf(subnetRoutedToNodes(gateway));
const subnetRoutedToNodes = (gateway: Json): Record<string, Json> => ({
  ...vpc,
  "aws_subnet.a": {
    vpc_id: "${aws_vpc.main.id}",
    cidr_block: "10.0.0.0/24",
    map_public_ip_on_launch: true,
  },
  "aws_internet_gateway.igw": { vpc_id: "${aws_vpc.main.id}" },
  "aws_nat_gateway.nat": { subnet_id: "${aws_subnet.a.id}" },
  "aws_route_table.rt": { vpc_id: "${aws_vpc.main.id}" },
  "aws_route.default": {
    route_table_id: "${aws_route_table.rt.id}",
    destination_cidr_block: "0.0.0.0/0",
    ...gateway,
  },
  "aws_route_table_association.a": {
    subnet_id: "${aws_subnet.a.id}",
    route_table_id: "${aws_route_table.rt.id}",
  },
});
const lb = (config: Json) => ({ "aws_lb.web": { load_balancer_type: "application", ...config } });
const listener = (config: Json) => ({
  "aws_lb_listener.web": { load_balancer_arn: "${aws_lb.web.arn}", ...config },
});
const lambda = (config: Json) => ({
  "aws_lambda_function.fn": {
    function_name: "fn",
    role: ROLE_ARN,
    runtime: LAMBDA_NODEJS_RUNTIME,
    handler: "index.handler",
    ...config,
  },
});
const permission = (config: Json) => ({
  "aws_lambda_permission.fn": {
    action: "lambda:InvokeFunction",
    function_name: "${aws_lambda_function.fn.function_name}",
    ...config,
  },
});
const suppressed = (rule: string, reason: string, bound: Json | null = { bucket: "b-bucket" }) =>
  tf({
    "aws_s3_bucket.b": {
      bucket: "b-bucket",
      "//": { policy_suppressions: [{ rule, reason, ...(bound ? { bound } : {}) }] },
    },
  });

/** A failing and a passing fixture for every rule ID. */
export const RULE_FIXTURES: Record<string, { readonly fail: Json; readonly pass: Json }> = {
  "S3-001": { fail: tf(bucket), pass: tf(sse("AES256")) },
  "S3-002": { fail: tf(sse("AES256")), pass: tf(sse("aws:kms")) },
  "S3-003": {
    fail: tf({
      ...bucket,
      "aws_s3_bucket_versioning.b": { ...ofBucket, versioning_configuration: { status: "Suspended" } },
    }),
    pass: tf({
      ...bucket,
      "aws_s3_bucket_versioning.b": { ...ofBucket, versioning_configuration: { status: "Enabled" } },
    }),
  },
  "S3-004": {
    fail: tf({
      ...bucket,
      "aws_s3_bucket_public_access_block.b": {
        ...ofBucket,
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: false,
      },
    }),
    pass: tf({
      ...bucket,
      "aws_s3_bucket_public_access_block.b": {
        ...ofBucket,
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      },
    }),
  },
  "S3-005": {
    fail: tf(
      bucketPolicy([
        { actions: ["s3:GetObject"], principals: { AWS: ROLE_ARN }, resources: ["${aws_s3_bucket.b.arn}/*"] },
      ]),
    ),
    pass: tf(
      bucketPolicy([
        {
          effect: "Deny",
          actions: ["s3:*"],
          principals: { AWS: "*" },
          resources: ["${aws_s3_bucket.b.arn}", "${aws_s3_bucket.b.arn}/*"],
          conditions: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
    ),
  },
  "S3-006": {
    fail: tf({ "aws_s3_bucket.b": { bucket: "b-bucket", force_destroy: true } }, stateBackend),
    pass: tf({ "aws_s3_bucket.b": { bucket: "b-bucket", force_destroy: false } }, stateBackend),
  },
  "S3-007": {
    fail: tf(bucket, stateBackend),
    pass: tf(
      { "aws_s3_bucket.b": { bucket: "b-bucket", lifecycle: { prevent_destroy: true } } },
      stateBackend,
    ),
  },
  "S3-008": {
    fail: tf({
      ...bucket,
      "aws_s3_bucket_ownership_controls.b": { ...ofBucket, rule: { object_ownership: "ObjectWriter" } },
    }),
    pass: tf({
      ...bucket,
      "aws_s3_bucket_ownership_controls.b": {
        ...ofBucket,
        rule: { object_ownership: "BucketOwnerEnforced" },
      },
    }),
  },
  "S3-009": {
    fail: tf(
      bucketPolicy([
        { actions: ["s3:GetObject"], principals: { AWS: "*" }, resources: ["${aws_s3_bucket.b.arn}/*"] },
      ]),
    ),
    pass: tf(
      bucketPolicy([
        {
          actions: ["s3:PutObject"],
          principals: { Service: "logging.s3.amazonaws.com" },
          resources: ["${aws_s3_bucket.b.arn}/*"],
          conditions: { StringEquals: { "aws:SourceAccount": "123456789012" } },
        },
      ]),
    ),
  },
  "S3-010": {
    fail: tf(bucket),
    pass: tf({
      ...bucket,
      "aws_s3_bucket_logging.b": { ...ofBucket, target_bucket: "logs-bucket", target_prefix: "b/" },
    }),
  },
  "S3-011": {
    fail: tf({
      ...bucket,
      "aws_s3_bucket_lifecycle_configuration.b": {
        ...ofBucket,
        rule: [{ id: "expire", status: "Enabled", expiration: { days: 30 } }],
      },
    }),
    pass: tf({
      ...bucket,
      "aws_s3_bucket_lifecycle_configuration.b": {
        ...ofBucket,
        rule: [
          { id: "abort", status: "Enabled", abort_incomplete_multipart_upload: { days_after_initiation: 7 } },
        ],
      },
    }),
  },
  "KMS-001": {
    fail: tf({ "aws_kms_key.k": { enable_key_rotation: false } }),
    pass: tf({ "aws_kms_key.k": { enable_key_rotation: true } }),
  },
  "KMS-002": {
    fail: tf({ "aws_kms_key.k": { enable_key_rotation: true } }),
    pass: tf({
      "aws_kms_key.k": { enable_key_rotation: true },
      "aws_kms_key_policy.k": {
        key_id: "${aws_kms_key.k.id}",
        policy: policyDocument([{ actions: ["kms:*"], principals: { AWS: ROOT }, resources: ["*"] }]),
      },
    }),
  },
  "KMS-003": {
    fail: tf(keyPolicy([{ actions: ["kms:*"], principals: { AWS: ROLE_ARN }, resources: ["*"] }])),
    pass: tf(
      keyPolicy([
        {
          actions: ["kms:*"],
          principals: { AWS: "arn:aws:iam::${data.aws_caller_identity.me.account_id}:root" },
          resources: ["*"],
        },
        { actions: ["kms:Decrypt"], principals: { AWS: ROLE_ARN }, resources: ["*"] },
      ]),
    ),
  },
  "KMS-004": {
    fail: tf(keyPolicy([{ actions: ["kms:Decrypt"], principals: { AWS: "*" }, resources: ["*"] }])),
    pass: tf(
      keyPolicy([
        {
          actions: ["kms:Decrypt"],
          principals: { AWS: "*" },
          resources: ["*"],
          conditions: { StringEquals: { "kms:CallerAccount": "123456789012" } },
        },
      ]),
    ),
  },
  "KMS-005": {
    fail: tf(
      keyPolicy([
        {
          actions: ["kms:Encrypt*", "kms:Decrypt*"],
          principals: { Service: "logs.us-east-1.amazonaws.com" },
          resources: ["*"],
        },
      ]),
    ),
    pass: tf(
      keyPolicy([
        {
          actions: ["kms:Encrypt*", "kms:Decrypt*"],
          principals: { Service: "logs.us-east-1.amazonaws.com" },
          resources: ["*"],
          conditions: {
            ArnLike: {
              "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:123456789012:log-group:*",
            },
          },
        },
      ]),
    ),
  },
  "IAM-001": {
    fail: tf(rolePolicy([{ actions: ["*"], resources: ["${aws_s3_bucket.b.arn}"] }])),
    pass: tf(rolePolicy([{ actions: ["s3:GetObject"], resources: ["${aws_s3_bucket.b.arn}/*"] }])),
  },
  "IAM-002": {
    fail: tf(rolePolicy([{ actions: ["s3:*"], resources: ["${aws_s3_bucket.b.arn}/*"] }])),
    pass: tf(
      rolePolicy([{ actions: ["s3:GetObject", "s3:PutObject"], resources: ["${aws_s3_bucket.b.arn}/*"] }]),
    ),
  },
  "IAM-003": {
    fail: tf(
      rolePolicy([
        { actions: ["ecr:GetAuthorizationToken", "secretsmanager:GetSecretValue"], resources: ["*"] },
      ]),
    ),
    pass: tf(
      rolePolicy([
        { actions: ["ecr:GetAuthorizationToken", "xray:Put*", "xray:GetSamplingRules"], resources: ["*"] },
        { actions: ["secretsmanager:GetSecretValue"], resources: ["${aws_secretsmanager_secret.s.arn}"] },
      ]),
    ),
  },
  "IAM-004": {
    fail: tf({
      "aws_iam_role_policy.app": {
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }],
        }),
      },
    }),
    pass: tf({
      "aws_iam_role_policy.app": {
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Deny", NotAction: "s3:GetObject", Resource: "${aws_s3_bucket.b.arn}/*" }],
        }),
      },
    }),
  },
  "IAM-005": {
    fail: tf(rolePolicy([{ actions: ["iam:PassRole"], resources: ["*"] }])),
    pass: tf(
      rolePolicy([
        {
          actions: ["iam:PassRole"],
          resources: [ROLE_ARN],
          conditions: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        },
      ]),
    ),
  },
  "IAM-006": {
    fail: tf(trust(policyDocument([{ actions: ["sts:AssumeRole"], principals: { AWS: "*" } }]))),
    pass: tf(trust(serviceTrustPolicy("ecs-tasks.amazonaws.com"))),
  },
  "IAM-007": {
    fail: githubTrust("repo:*"),
    pass: githubTrust("repo:acme/platform-infra:ref:refs/heads/main"),
  },
  "IAM-008": {
    fail: tf({
      "aws_iam_role_policy_attachment.admin": {
        role: "${aws_iam_role.app.name}",
        policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess",
      },
    }),
    pass: tf({
      "aws_iam_role_policy_attachment.exec": {
        role: "${aws_iam_role.app.name}",
        policy_arn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
      },
    }),
  },
  "IAM-009": {
    fail: tf({ "aws_iam_role_policy.app": { policy: "${data.aws_iam_policy_document.app.json}" } }),
    pass: tf(rolePolicy([{ actions: ["s3:GetObject"], resources: ["${aws_s3_bucket.b.arn}/*"] }])),
  },
  "SG-001": {
    fail: tf({
      "aws_vpc_security_group_ingress_rule.https": {
        security_group_id: "${aws_security_group.alb.id}",
        cidr_ipv4: "0.0.0.0/0",
        ip_protocol: "tcp",
        from_port: 443,
        to_port: 443,
        description: "HTTPS from the internet",
      },
    }),
    pass: tf({
      "aws_vpc_security_group_ingress_rule.app": {
        security_group_id: "${aws_security_group.app.id}",
        referenced_security_group_id: "${aws_security_group.alb.id}",
        ip_protocol: "tcp",
        from_port: 8080,
        to_port: 8080,
        description: "App port from the load balancer",
      },
    }),
  },
  "SG-002": {
    fail: tf({ "aws_security_group.app": { vpc_id: "${aws_vpc.main.id}", name: "app" } }),
    pass: tf({
      "aws_security_group.app": { vpc_id: "${aws_vpc.main.id}", name: "app", description: "App tasks" },
      "aws_vpc_security_group_egress_rule.https": {
        security_group_id: "${aws_security_group.app.id}",
        cidr_ipv4: "0.0.0.0/0",
        ip_protocol: "tcp",
        from_port: 443,
        to_port: 443,
        description: "HTTPS to AWS APIs",
      },
    }),
  },
  "SG-003": {
    fail: tf({
      "aws_vpc_security_group_egress_rule.all": {
        security_group_id: "${aws_security_group.app.id}",
        cidr_ipv4: "0.0.0.0/0",
        ip_protocol: "-1",
        description: "everything",
      },
    }),
    pass: tf({
      "aws_vpc_security_group_egress_rule.https": {
        security_group_id: "${aws_security_group.app.id}",
        cidr_ipv4: "0.0.0.0/0",
        ip_protocol: "tcp",
        from_port: 443,
        to_port: 443,
        description: "HTTPS to AWS APIs",
      },
    }),
  },
  "VPC-001": {
    fail: tf(vpc),
    pass: tf({
      ...vpc,
      "aws_flow_log.main": {
        vpc_id: "${aws_vpc.main.id}",
        traffic_type: "ALL",
        log_destination: "${aws_cloudwatch_log_group.flow.arn}",
      },
    }),
  },
  "VPC-002": {
    fail: tf(vpc),
    pass: tf({
      ...vpc,
      "aws_default_security_group.main": { vpc_id: "${aws_vpc.main.id}", ingress: [], egress: [] },
    }),
  },
  "VPC-003": {
    fail: subnetRoutedTo({ nat_gateway_id: "${aws_nat_gateway.nat.id}" }),
    pass: subnetRoutedTo({ gateway_id: "${aws_internet_gateway.igw.id}" }),
  },
  "VPC-004": {
    fail: tf({ "aws_flow_log.main": { vpc_id: "${aws_vpc.main.id}", traffic_type: "REJECT" } }),
    pass: tf({ "aws_flow_log.main": { vpc_id: "${aws_vpc.main.id}", traffic_type: "ALL" } }),
  },
  "ALB-001": {
    fail: tf(lb({})),
    pass: tf(lb({ drop_invalid_header_fields: true })),
  },
  "ALB-002": {
    fail: tf(listener({ protocol: "HTTPS", port: 443, ssl_policy: "ELBSecurityPolicy-2016-08" })),
    pass: tf(listener({ protocol: "HTTPS", port: 443, ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06" })),
  },
  "ALB-003": {
    fail: tf(
      listener({
        protocol: "HTTP",
        port: 80,
        default_action: [{ type: "forward", target_group_arn: "${aws_lb_target_group.app.arn}" }],
      }),
    ),
    pass: tf(
      listener({
        protocol: "HTTP",
        port: 80,
        default_action: [
          { type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } },
        ],
      }),
    ),
  },
  "ALB-004": {
    fail: tf(lb({})),
    pass: tf(lb({ enable_deletion_protection: true })),
  },
  "ALB-005": {
    fail: tf(lb({})),
    pass: tf(lb({ access_logs: { bucket: "${aws_s3_bucket.b.id}", enabled: true } })),
  },
  "ALB-006": {
    fail: tf(lb({ desync_mitigation_mode: "monitor" })),
    pass: tf(lb({ desync_mitigation_mode: "defensive" })),
  },
  "ACM-001": {
    fail: tf({ "aws_acm_certificate.api": { domain_name: "api.example.com", validation_method: "DNS" } }),
    pass: tf({
      "aws_acm_certificate.api": {
        domain_name: "api.example.com",
        validation_method: "DNS",
        lifecycle: { create_before_destroy: true },
      },
    }),
  },
  "ACM-002": {
    fail: tf({
      "aws_acm_certificate.api": {
        domain_name: "api.example.com",
        options: { certificate_transparency_logging_preference: "DISABLED" },
      },
    }),
    pass: tf({
      "aws_acm_certificate.api": {
        domain_name: "api.example.com",
        options: { certificate_transparency_logging_preference: "ENABLED" },
      },
    }),
  },
  "ECS-001": {
    fail: tf({ "aws_ecs_cluster.main": { name: "main" } }),
    pass: tf({
      "aws_ecs_cluster.main": { name: "main", setting: [{ name: "containerInsights", value: "enabled" }] },
    }),
  },
  "ECS-002": { fail: tf(task({ privileged: true })), pass: tf(task({ privileged: false })) },
  "ECS-003": { fail: tf(task({ readonlyRootFilesystem: false })), pass: tf(task({})) },
  "ECS-004": {
    fail: tf(task({ environment: [{ name: "DB_PASSWORD", value: "hunter2" }] })),
    pass: tf(
      task({
        environment: [{ name: "DB_PASSWORD_SECRET_ARN", value: "${aws_secretsmanager_secret.db.arn}" }],
        secrets: [{ name: "DB_PASSWORD", valueFrom: "${aws_secretsmanager_secret.db.arn}" }],
      }),
    ),
  },
  "ECS-005": { fail: tf(task({ logConfiguration: undefined })), pass: tf(task({})) },
  "ECS-006": {
    fail: tf({
      "aws_ecs_service.app": {
        network_configuration: { subnets: ["${aws_subnet.a.id}"], assign_public_ip: true },
      },
    }),
    pass: tf({
      "aws_ecs_service.app": {
        network_configuration: { subnets: ["${aws_subnet.a.id}"], assign_public_ip: false },
      },
    }),
  },
  "ECS-007": {
    fail: tf(task({}, { execution_role_arn: ROLE_ARN, task_role_arn: ROLE_ARN })),
    pass: tf(task({})),
  },
  "ECS-008": { fail: tf(task({}, { pid_mode: "host" })), pass: tf(task({}, { pid_mode: "task" })) },
  "ECS-009": {
    fail: tf({
      "aws_ecs_cluster.main": { configuration: { execute_command_configuration: { logging: "NONE" } } },
    }),
    pass: tf({
      "aws_ecs_cluster.main": { configuration: { execute_command_configuration: { logging: "DEFAULT" } } },
    }),
  },
  "ECR-001": {
    fail: tf({
      "aws_ecr_repository.app": { name: "app", image_scanning_configuration: { scan_on_push: false } },
    }),
    pass: tf({
      "aws_ecr_repository.app": { name: "app", image_scanning_configuration: { scan_on_push: true } },
    }),
  },
  "ECR-002": {
    fail: tf({ "aws_ecr_repository.app": { name: "app", image_tag_mutability: "MUTABLE" } }),
    pass: tf({ "aws_ecr_repository.app": { name: "app", image_tag_mutability: "IMMUTABLE" } }),
  },
  "ECR-003": {
    fail: tf({ "aws_ecr_repository.app": { name: "app" } }),
    pass: tf({
      "aws_ecr_repository.app": { name: "app" },
      "aws_ecr_lifecycle_policy.app": { repository: "${aws_ecr_repository.app.name}", policy: "{}" },
    }),
  },
  "ECR-004": {
    fail: tf({
      "aws_ecr_repository.app": { name: "app", encryption_configuration: [{ encryption_type: "AES256" }] },
    }),
    pass: tf({
      "aws_ecr_repository.app": {
        name: "app",
        encryption_configuration: [{ encryption_type: "KMS", kms_key: KEY_ARN }],
      },
    }),
  },
  "ECR-005": {
    fail: tf({
      "aws_ecr_repository_policy.app": {
        repository: "${aws_ecr_repository.app.name}",
        policy: policyDocument([{ actions: ["ecr:BatchGetImage"], principals: { AWS: "*" } }]),
      },
    }),
    pass: tf({
      "aws_ecr_repository_policy.app": {
        repository: "${aws_ecr_repository.app.name}",
        policy: policyDocument([{ actions: ["ecr:BatchGetImage"], principals: { AWS: ROOT } }]),
      },
    }),
  },
  "LOG-001": {
    fail: tf({ "aws_cloudwatch_log_group.app": { name: "/app" } }),
    pass: tf({ "aws_cloudwatch_log_group.app": { name: "/app", retention_in_days: 30 } }),
  },
  "LOG-002": {
    fail: tf({ "aws_cloudwatch_log_group.app": { name: "/app", retention_in_days: 30 } }),
    pass: tf({
      "aws_cloudwatch_log_group.app": { name: "/app", retention_in_days: 30, kms_key_id: KEY_ARN },
    }),
  },
  "CW-001": {
    fail: tf({ "aws_cloudwatch_metric_alarm.errors": { alarm_name: "errors", alarm_actions: [] } }),
    pass: tf({
      "aws_cloudwatch_metric_alarm.errors": {
        alarm_name: "errors",
        alarm_actions: ["${aws_sns_topic.alerts.arn}"],
      },
    }),
  },
  "SNS-001": {
    fail: tf({ "aws_sns_topic.alerts": { name: "alerts", kms_master_key_id: "alias/aws/sns" } }),
    pass: tf({ "aws_sns_topic.alerts": { name: "alerts", kms_master_key_id: "${aws_kms_key.k.id}" } }),
  },
  "SNS-002": {
    fail: tf({
      "aws_sns_topic_policy.alerts": {
        arn: "${aws_sns_topic.alerts.arn}",
        policy: policyDocument([
          { actions: ["SNS:Publish"], principals: { AWS: "*" }, resources: ["${aws_sns_topic.alerts.arn}"] },
        ]),
      },
    }),
    pass: tf({
      "aws_sns_topic_policy.alerts": {
        arn: "${aws_sns_topic.alerts.arn}",
        policy: policyDocument([
          {
            actions: ["SNS:Publish"],
            principals: { Service: "cloudwatch.amazonaws.com" },
            resources: ["${aws_sns_topic.alerts.arn}"],
            conditions: { StringEquals: { "aws:SourceAccount": "123456789012" } },
          },
        ]),
      },
    }),
  },
  "SNS-003": {
    fail: tf({
      "aws_sns_topic_subscription.hook": {
        topic_arn: "${aws_sns_topic.alerts.arn}",
        protocol: "http",
        endpoint: "http://x",
      },
    }),
    pass: tf({
      "aws_sns_topic_subscription.hook": {
        topic_arn: "${aws_sns_topic.alerts.arn}",
        protocol: "https",
        endpoint: "https://x",
      },
    }),
  },
  "SM-001": {
    fail: tf({ "aws_secretsmanager_secret.token": { name: "token" } }),
    pass: tf({ "aws_secretsmanager_secret.token": { name: "token", kms_key_id: KEY_ARN } }),
  },
  "SM-002": {
    fail: tf({ "aws_secretsmanager_secret.db": { name: "db" } }),
    pass: tf({
      "aws_secretsmanager_secret.db": { name: "db" },
      "aws_secretsmanager_secret_rotation.db": {
        secret_id: "${aws_secretsmanager_secret.db.id}",
        rotation_lambda_arn: "${aws_lambda_function.fn.arn}",
        rotation_rules: { automatically_after_days: 30 },
      },
    }),
  },
  "SM-003": {
    fail: tf({
      "aws_secretsmanager_secret_rotation.db": {
        secret_id: "${aws_secretsmanager_secret.db.id}",
        rotation_rules: { schedule_expression: "rate(365 days)" },
      },
    }),
    pass: tf({
      "aws_secretsmanager_secret_rotation.db": {
        secret_id: "${aws_secretsmanager_secret.db.id}",
        rotation_rules: { automatically_after_days: 30 },
      },
    }),
  },
  "LAMBDA-001": { fail: tf(lambda({})), pass: tf(lambda({ tracing_config: { mode: "Active" } })) },
  "LAMBDA-002": {
    fail: tf(permission({ principal: "*" })),
    pass: tf(
      permission({ principal: "events.amazonaws.com", source_arn: "${aws_cloudwatch_event_rule.tick.arn}" }),
    ),
  },
  "LAMBDA-003": {
    fail: tf(permission({ principal: "events.amazonaws.com" })),
    pass: tf(
      permission({ principal: "events.amazonaws.com", source_arn: "${aws_cloudwatch_event_rule.tick.arn}" }),
    ),
  },
  "LAMBDA-004": {
    fail: tf(lambda({ environment: { variables: { GRAFANA_API_TOKEN: "glsa_x" } } })),
    pass: tf(
      lambda({
        environment: {
          variables: {
            TOKEN_SECRET_ARN: "${aws_secretsmanager_secret.token.arn}",
            TOKEN_TTL_DAYS: "30",
            SECRET_ARNS: '["${aws_secretsmanager_secret.token.arn}"]',
          },
        },
      }),
    ),
  },
  "LAMBDA-005": {
    fail: tf(lambda({ environment: { variables: { WORKSPACE_ID: "g-1" } } })),
    pass: tf(lambda({ environment: { variables: { WORKSPACE_ID: "g-1" } }, kms_key_arn: KEY_ARN })),
  },
  // The passing fixture names a runtime far from its end of life, so it does not expire with ours.
  "LAMBDA-006": { fail: tf(lambda({ runtime: "nodejs20.x" })), pass: tf(lambda({ runtime: "nodejs24.x" })) },
  "CANARY-001": {
    fail: tf({
      "aws_synthetics_canary.health": {
        name: "health",
        runtime_version: "syn-nodejs-puppeteer-7.0",
        handler: "index.handler",
      },
    }),
    pass: tf({
      "aws_synthetics_canary.health": {
        name: "health",
        runtime_version: "syn-nodejs-playwright-5.1",
        handler: "index.handler",
      },
    }),
  },
  "EB-001": {
    fail: tf({ "aws_cloudwatch_event_rule.tick": { name: "tick", schedule_expression: "rate(25 days)" } }),
    pass: tf({
      "aws_cloudwatch_event_rule.tick": { name: "tick", schedule_expression: "rate(25 days)" },
      "aws_cloudwatch_event_target.tick": {
        rule: "${aws_cloudwatch_event_rule.tick.name}",
        arn: "${aws_lambda_function.fn.arn}",
      },
    }),
  },
  "EB-002": {
    fail: tf({
      ...lambda({}),
      "aws_cloudwatch_event_rule.tick": { name: "tick", schedule_expression: "rate(25 days)" },
      "aws_cloudwatch_event_target.tick": {
        rule: "${aws_cloudwatch_event_rule.tick.name}",
        arn: "${aws_lambda_function.fn.arn}",
      },
    }),
    pass: tf({
      ...lambda({}),
      "aws_cloudwatch_event_rule.tick": { name: "tick", schedule_expression: "rate(25 days)" },
      "aws_cloudwatch_event_target.tick": {
        rule: "${aws_cloudwatch_event_rule.tick.name}",
        arn: "${aws_lambda_function.fn.arn}",
      },
      ...permission({
        principal: "events.amazonaws.com",
        source_arn: "${aws_cloudwatch_event_rule.tick.arn}",
      }),
    }),
  },
  "DDB-001": {
    fail: tf({ "aws_dynamodb_table.t": { name: "t" } }),
    pass: tf({ "aws_dynamodb_table.t": { name: "t", point_in_time_recovery: { enabled: true } } }),
  },
  "DDB-002": {
    fail: tf({ "aws_dynamodb_table.t": { name: "t", server_side_encryption: { enabled: true } } }),
    pass: tf({
      "aws_dynamodb_table.t": { name: "t", server_side_encryption: { enabled: true, kms_key_arn: KEY_ARN } },
    }),
  },
  "DDB-003": {
    fail: tf({ "aws_dynamodb_table.t": { name: "t" } }),
    pass: tf({ "aws_dynamodb_table.t": { name: "t", deletion_protection_enabled: true } }),
  },
  "GRAF-001": {
    fail: tf({
      "aws_grafana_workspace.g": { account_access_type: "CURRENT_ACCOUNT", authentication_providers: [] },
    }),
    pass: tf({
      "aws_grafana_workspace.g": {
        account_access_type: "CURRENT_ACCOUNT",
        authentication_providers: ["AWS_SSO"],
      },
    }),
  },
  "AMP-001": {
    fail: tf({ "aws_prometheus_workspace.p": { alias: "p" } }),
    pass: tf({
      "aws_prometheus_workspace.p": {
        alias: "p",
        logging_configuration: { log_group_arn: "${aws_cloudwatch_log_group.amp.arn}:*" },
      },
    }),
  },
  "IAM-010": {
    fail: tf(
      rolePolicy([
        {
          actions: ["iam:CreateRole", "iam:PutRolePolicy"],
          resources: ["arn:aws:iam::123456789012:role/app-*"],
        },
      ]),
    ),
    pass: tf(
      rolePolicy([
        {
          actions: ["iam:CreateRole", "iam:PutRolePolicy"],
          resources: ["arn:aws:iam::123456789012:role/app-task"],
          conditions: {
            StringEquals: { "iam:PermissionsBoundary": "arn:aws:iam::123456789012:policy/app-boundary" },
          },
        },
      ]),
    ),
  },
  "IAM-011": {
    fail: tf(
      rolePolicy([{ actions: ["iam:PassRole"], resources: ["arn:aws:iam::123456789012:role/app-task"] }]),
    ),
    pass: tf(
      rolePolicy([
        {
          actions: ["iam:PassRole"],
          resources: ["arn:aws:iam::123456789012:role/app-task"],
          conditions: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        },
      ]),
    ),
  },
  "IAM-012": {
    fail: tf(
      rolePolicy([
        { actions: ["iam:UpdateAssumeRolePolicy"], resources: ["arn:aws:iam::123456789012:role/app-task"] },
      ]),
    ),
    pass: tf(
      rolePolicy([{ actions: ["iam:GetRole"], resources: ["arn:aws:iam::123456789012:role/app-task"] }]),
    ),
  },
  "IAM-013": {
    fail: tf({
      ...githubTrustNodes("repo:acme/platform-infra:*"),
      ...rolePolicy([{ actions: ["s3:PutObject"], resources: ["arn:aws:s3:::b-bucket/*"] }]),
    }),
    pass: tf({
      ...githubTrustNodes("repo:acme/platform-infra:*"),
      ...rolePolicy([{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b-bucket/*"] }]),
      "aws_iam_role_policy_attachment.read": {
        role: "${aws_iam_role.app.name}",
        policy_arn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
      },
    }),
  },
  "IAM-014": {
    fail: tf(
      keyPolicy([
        { actions: ["kms:*"], principals: { AWS: ROOT }, resources: ["*"] },
        {
          actions: ["kms:Decrypt"],
          principals: { AWS: "arn:aws:iam::999988887777:role/partner" },
          resources: ["*"],
        },
      ]),
    ),
    pass: tf(keyPolicy([{ actions: ["kms:*"], principals: { AWS: ROOT }, resources: ["*"] }]), {
      provider: { aws: [{ region: "us-east-1", allowed_account_ids: ["123456789012"] }] },
    }),
  },
  "IAM-015": {
    fail: tf(
      bucketPolicy([
        {
          actions: ["s3:GetObject"],
          principals: { AWS: "*" },
          resources: ["arn:aws:s3:::b-bucket/*"],
          conditions: { Bool: { "aws:SecureTransport": "true" } },
        },
      ]),
    ),
    pass: tf(
      bucketPolicy([
        {
          actions: ["s3:GetObject"],
          principals: { AWS: "*" },
          resources: ["arn:aws:s3:::b-bucket/*"],
          conditions: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
        },
      ]),
    ),
  },
  "SG-004": {
    fail: tf({
      "aws_security_group.web": { name: "web", description: "web" },
      "aws_vpc_security_group_ingress_rule.low": {
        security_group_id: "${aws_security_group.web.id}",
        cidr_ipv4: "0.0.0.0/1",
        ip_protocol: "tcp",
        from_port: 443,
        to_port: 443,
        description: "half the internet",
      },
      "aws_vpc_security_group_ingress_rule.high": {
        security_group_id: "${aws_security_group.web.id}",
        cidr_ipv4: "128.0.0.0/1",
        ip_protocol: "tcp",
        from_port: 443,
        to_port: 443,
        description: "the other half",
      },
    }),
    pass: tf({
      "aws_security_group.web": { name: "web", description: "web" },
      "aws_vpc_security_group_ingress_rule.office": {
        security_group_id: "${aws_security_group.web.id}",
        cidr_ipv4: "203.0.113.0/24",
        ip_protocol: "tcp",
        from_port: 443,
        to_port: 443,
        description: "the office",
      },
      "aws_vpc_security_group_ingress_rule.vpc": {
        security_group_id: "${aws_security_group.web.id}",
        cidr_ipv4: "10.0.0.0/8",
        ip_protocol: "tcp",
        from_port: 443,
        to_port: 443,
        description: "private space is not public",
      },
    }),
  },
  "NACL-001": {
    fail: tf({
      "aws_network_acl.private": { vpc_id: "${aws_vpc.main.id}" },
      "aws_network_acl_rule.ssh": {
        network_acl_id: "${aws_network_acl.private.id}",
        rule_number: 100,
        egress: false,
        protocol: "tcp",
        rule_action: "allow",
        cidr_block: "0.0.0.0/0",
        from_port: 22,
        to_port: 22,
      },
    }),
    pass: tf({
      ...subnetRoutedToNodes({ nat_gateway_id: "${aws_nat_gateway.nat.id}" }),
      "aws_network_acl.private": { vpc_id: "${aws_vpc.main.id}", subnet_ids: ["${aws_subnet.a.id}"] },
      "aws_network_acl_rule.return": {
        network_acl_id: "${aws_network_acl.private.id}",
        rule_number: 100,
        egress: false,
        protocol: "tcp",
        rule_action: "allow",
        cidr_block: "0.0.0.0/0",
        from_port: 1024,
        to_port: 65535,
      },
    }),
  },
  "SQS-001": {
    fail: tf({ "aws_sqs_queue.q": { name: "q", sqs_managed_sse_enabled: true } }),
    pass: tf({ "aws_sqs_queue.q": { name: "q", kms_master_key_id: "${aws_kms_key.k.arn}" } }),
  },
  "SQS-002": {
    fail: tf({ "aws_sqs_queue.q": { name: "q" } }),
    pass: tf({
      "aws_sqs_queue.dlq": { name: "dlq", message_retention_seconds: 1209600 },
      "aws_sqs_queue.q": {
        name: "q",
        redrive_policy: JSON.stringify({
          deadLetterTargetArn: "${aws_sqs_queue.dlq.arn}",
          maxReceiveCount: 5,
        }),
      },
    }),
  },
  "SQS-003": {
    fail: tf({
      "aws_sqs_queue.dlq": { name: "dlq", message_retention_seconds: 345600 },
      "aws_sqs_queue.q": {
        name: "q",
        message_retention_seconds: 345600,
        redrive_policy: JSON.stringify({
          deadLetterTargetArn: "${aws_sqs_queue.dlq.arn}",
          maxReceiveCount: 5,
        }),
      },
    }),
    pass: tf({
      "aws_sqs_queue.dlq": { name: "dlq", message_retention_seconds: 1209600 },
      "aws_sqs_queue.q": {
        name: "q",
        redrive_policy: JSON.stringify({
          deadLetterTargetArn: "${aws_sqs_queue.dlq.arn}",
          maxReceiveCount: 5,
        }),
      },
    }),
  },
  "EVB-001": {
    fail: tf({ "aws_cloudwatch_event_bus.b": { name: "b" } }),
    pass: tf({ "aws_cloudwatch_event_bus.b": { name: "b", kms_key_identifier: "${aws_kms_key.k.arn}" } }),
  },
  "EVB-002": {
    fail: tf({ "aws_cloudwatch_event_target.t": { rule: "r", arn: "${aws_sqs_queue.q.arn}" } }),
    pass: tf({
      "aws_cloudwatch_event_target.t": {
        rule: "r",
        arn: "${aws_sqs_queue.q.arn}",
        retry_policy: { maximum_retry_attempts: 185, maximum_event_age_in_seconds: 86400 },
        dead_letter_config: { arn: "${aws_sqs_queue.dlq.arn}" },
      },
    }),
  },
  "WAF-001": {
    fail: tf({ "aws_wafv2_web_acl.acl": { name: "acl", scope: "REGIONAL" } }),
    pass: tf({
      "aws_wafv2_web_acl.acl": { name: "acl", scope: "REGIONAL" },
      "aws_wafv2_web_acl_logging_configuration.log": {
        resource_arn: "${aws_wafv2_web_acl.acl.arn}",
        log_destination_configs: ["${aws_cloudwatch_log_group.waf.arn}"],
      },
    }),
  },
  "WAF-002": {
    fail: tf({
      "aws_wafv2_web_acl_logging_configuration.log": {
        resource_arn: "${aws_wafv2_web_acl.acl.arn}",
        log_destination_configs: ["${aws_cloudwatch_log_group.waf.arn}"],
        redacted_fields: [{ single_header: { name: "cookie" } }],
      },
    }),
    pass: tf({
      "aws_wafv2_web_acl_logging_configuration.log": {
        resource_arn: "${aws_wafv2_web_acl.acl.arn}",
        log_destination_configs: ["${aws_cloudwatch_log_group.waf.arn}"],
        redacted_fields: [{ single_header: { name: "authorization" } }],
      },
    }),
  },
  "LOG-003": {
    fail: tf(
      { "aws_cloudwatch_log_group.app": { name: "/app", retention_in_days: 14 } },
      {
        "//": { policy_settings: { log_retention_floor_days: 90 } },
      },
    ),
    pass: tf(
      { "aws_cloudwatch_log_group.app": { name: "/app", retention_in_days: 90 } },
      {
        "//": { policy_settings: { log_retention_floor_days: 90 } },
      },
    ),
  },
  "SECRET-001": {
    fail: tf({
      "data.aws_secretsmanager_secret_version.token": { secret_id: "${aws_secretsmanager_secret.s.id}" },
    }),
    pass: tf(
      { "data.aws_ssm_parameter.ami": { name: "/aws/service/ami", with_decryption: false } },
      {
        ephemeral: {
          aws_secretsmanager_secret_version: { token: { secret_id: "${aws_secretsmanager_secret.s.id}" } },
        },
      },
    ),
  },
  "POLICY-001": {
    fail: suppressed("S3-010", "  "),
    pass: suppressed("S3-010", "This bucket is the access-log sink."),
  },
  "POLICY-002": {
    fail: suppressed("S3-999", "typo"),
    pass: suppressed("S3-010", "This bucket is the access-log sink."),
  },
  "POLICY-003": {
    fail: suppressed("S3-010", "This bucket is the access-log sink.", null),
    pass: suppressed("S3-010", "This bucket is the access-log sink."),
  },
  "RDS-001": {
    fail: tf({ "aws_rds_cluster.db": { engine: "aurora-postgresql", storage_encrypted: true } }),
    pass: tf({
      "aws_rds_cluster.db": { engine: "aurora-postgresql", storage_encrypted: true, kms_key_id: KEY_ARN },
    }),
  },
  "RDS-002": {
    fail: tf({
      "aws_rds_cluster.db": {
        engine: "aurora-postgresql",
        db_cluster_parameter_group_name: "${aws_rds_cluster_parameter_group.p.name}",
      },
      "aws_rds_cluster_parameter_group.p": {
        family: "aurora-postgresql16",
        parameter: [{ name: "rds.force_ssl", value: "0" }],
      },
    }),
    pass: tf({
      "aws_rds_cluster.db": {
        engine: "aurora-postgresql",
        db_cluster_parameter_group_name: "${aws_rds_cluster_parameter_group.p.name}",
      },
      "aws_rds_cluster_parameter_group.p": {
        family: "aurora-postgresql16",
        parameter: [{ name: "rds.force_ssl", value: "1" }],
      },
    }),
  },
  "CANARY-002": {
    fail: tf({
      "aws_synthetics_canary.c": {
        name: "c",
        artifact_config: [{ s3_encryption: [{ encryption_mode: "SSE_S3" }] }],
      },
    }),
    pass: tf({
      "aws_synthetics_canary.c": {
        name: "c",
        artifact_config: [{ s3_encryption: [{ encryption_mode: "SSE_KMS", kms_key_arn: KEY_ARN }] }],
      },
    }),
  },
  "EFS-001": {
    fail: tf({ "aws_efs_file_system.fs": { encrypted: true } }),
    pass: tf({ "aws_efs_file_system.fs": { encrypted: true, kms_key_id: KEY_ARN } }),
  },
  "EFS-002": {
    fail: tf({ "aws_efs_file_system.fs": { encrypted: true, kms_key_id: KEY_ARN } }),
    pass: tf({
      "aws_efs_file_system.fs": { encrypted: true, kms_key_id: KEY_ARN },
      "aws_efs_file_system_policy.fs": {
        file_system_id: "${aws_efs_file_system.fs.id}",
        policy: policyDocument([
          {
            sid: "DenyInsecureTransport",
            effect: "Deny",
            principals: { AWS: "*" },
            actions: ["*"],
            resources: ["${aws_efs_file_system.fs.arn}"],
            conditions: { Bool: { "aws:SecureTransport": "false" } },
          },
        ]),
      },
    }),
  },
};
