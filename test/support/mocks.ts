/**
 * The `mock_provider "aws"` block of every engine test. The mock provider invents random strings for
 * computed attributes; where the provider validates a value (ARNs) or the configuration indexes a
 * list (availability zones), realistic defaults stand in.
 */
export const AWS_MOCK_PROVIDER = `
mock_provider "aws" {
  mock_data "aws_availability_zones" {
    defaults = { names = ["us-east-1a", "us-east-1b", "us-east-1c"] }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:user/ci" }
  }
  mock_data "aws_region" {
    defaults = { name = "us-east-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_iam_openid_connect_provider" {
    defaults = { arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
  }
  mock_data "aws_route53_zone" {
    defaults = { zone_id = "Z0123456789ABCDEFGHIJ" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/mock" }
  }
  mock_resource "aws_iam_openid_connect_provider" {
    defaults = { arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:mock" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:us-east-1:123456789012:mock" }
  }
  mock_resource "aws_secretsmanager_secret" {
    defaults = { arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:mock-AbCdEf" }
  }
  mock_resource "aws_db_instance" {
    defaults = {
      arn                = "arn:aws:rds:us-east-1:123456789012:db:mock"
      master_user_secret = [{
        secret_arn    = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-mock-AbCdEf"
        kms_key_id    = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
        secret_status = "active"
      }]
    }
  }
  mock_resource "aws_lb" {
    defaults = {
      arn        = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/mock/0123456789abcdef"
      arn_suffix = "app/mock/0123456789abcdef"
    }
  }
  mock_resource "aws_lb_target_group" {
    defaults = {
      arn        = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/mock/0123456789abcdef"
      arn_suffix = "targetgroup/mock/0123456789abcdef"
    }
  }
  mock_resource "aws_lb_listener" {
    defaults = { arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/mock/0123456789abcdef/0123456789abcdef" }
  }
  mock_resource "aws_acm_certificate" {
    defaults = {
      arn = "arn:aws:acm:us-east-1:123456789012:certificate/0f0e1d2c-aaaa-bbbb-cccc-1234567890ab"
      domain_validation_options = [{
        domain_name           = "api.staging.example.com"
        resource_record_name  = "_x.api.staging.example.com."
        resource_record_type  = "CNAME"
        resource_record_value = "_y.acm-validations.aws."
      }]
    }
  }
  mock_resource "aws_acm_certificate_validation" {
    defaults = { certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/0f0e1d2c-aaaa-bbbb-cccc-1234567890ab" }
  }
  mock_resource "aws_ecs_cluster" {
    defaults = { arn = "arn:aws:ecs:us-east-1:123456789012:cluster/mock" }
  }
  mock_resource "aws_ecr_repository" {
    defaults = { arn = "arn:aws:ecr:us-east-1:123456789012:repository/mock", repository_url = "123456789012.dkr.ecr.us-east-1.amazonaws.com/mock" }
  }
  mock_resource "aws_ecs_task_definition" {
    defaults = { arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/mock:1" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::mock-bucket" }
  }
  mock_resource "aws_dynamodb_table" {
    defaults = { arn = "arn:aws:dynamodb:us-east-1:123456789012:table/mock" }
  }
  mock_resource "aws_lambda_function" {
    defaults = { arn = "arn:aws:lambda:us-east-1:123456789012:function:mock" }
  }
  mock_resource "aws_sqs_queue" {
    defaults = { arn = "arn:aws:sqs:us-east-1:123456789012:mock", url = "https://sqs.us-east-1.amazonaws.com/123456789012/mock" }
  }
  mock_resource "aws_cloudwatch_event_bus" {
    defaults = { arn = "arn:aws:events:us-east-1:123456789012:event-bus/mock" }
  }
  mock_resource "aws_rds_cluster" {
    defaults = {
      arn                = "arn:aws:rds:us-east-1:123456789012:cluster:mock"
      master_user_secret = [{
        secret_arn    = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-mock-AbCdEf"
        kms_key_id    = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
        secret_status = "active"
      }]
    }
  }
  mock_resource "aws_lambda_invocation" {
    defaults = { result = "{\\"applied\\":[1,2],\\"version\\":2}" }
  }
  mock_resource "aws_wafv2_web_acl" {
    defaults = { arn = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/mock/0f0e1d2c-aaaa-bbbb-cccc-1234567890ab" }
  }
  mock_resource "aws_cloudwatch_event_rule" {
    defaults = { arn = "arn:aws:events:us-east-1:123456789012:rule/mock" }
  }
  mock_resource "aws_prometheus_workspace" {
    defaults = { arn = "arn:aws:aps:us-east-1:123456789012:workspace/ws-mock", prometheus_endpoint = "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-mock/" }
  }
  mock_resource "aws_grafana_workspace" {
    defaults = { arn = "arn:aws:grafana:us-east-1:123456789012:/workspaces/g-mock", endpoint = "g-mock.grafana-workspace.us-east-1.amazonaws.com" }
  }
}
`;

/** A `.tftest.hcl` file: the mock provider, then the given run blocks. */
export function tftest(...runs: string[]): string {
  return `${AWS_MOCK_PROVIDER}\n${runs.join("\n")}\n`;
}

/**
 * The computed attributes the mock provider would invent for a resource, pinned: for the created
 * resources an imported one's configuration refers to. The mock reads an imported resource back from
 * its configuration, so a reference to a value unknown at plan time (the new key's ARN) would leave it
 * unknown; pinned at plan time (`override_during = plan`), it is known. Config-set attributes are left
 * out: the configuration decides them.
 */
const PINNED_COMPUTED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  aws_kms_key: {
    arn: '"arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"',
    id: '"11111111-2222-3333-4444-555555555555"',
    key_id: '"11111111-2222-3333-4444-555555555555"',
    multi_region: "false",
    rotation_period_in_days: "365",
    tags_all: "{}",
  },
  aws_elasticache_user_group: {
    arn: '"arn:aws:elasticache:us-east-1:123456789012:usergroup:mock"',
    id: '"mock"',
    tags_all: "{}",
  },
  aws_ecs_task_definition: {
    arn: '"arn:aws:ecs:us-east-1:123456789012:task-definition/mock:1"',
    arn_without_revision: '"arn:aws:ecs:us-east-1:123456789012:task-definition/mock"',
    enable_fault_injection: "false",
    id: '"mock"',
    network_mode: '"awsvpc"',
    revision: "1",
    tags_all: "{}",
  },
  aws_cloudwatch_log_group: {
    arn: '"arn:aws:logs:us-east-1:123456789012:log-group:mock"',
    id: '"mock"',
    log_group_class: '"STANDARD"',
    name_prefix: '""',
    tags_all: "{}",
  },
};

/**
 * The `override_resource` blocks a mocked apply of a configuration with import blocks needs: one per
 * import (with `values` by resource type, where the mock cannot know what AWS would return), and one
 * pinned at plan time for each created resource an imported one refers to.
 */
export function importOverrides(
  json: {
    readonly import?: readonly { to: string }[];
    readonly resource?: Record<string, Record<string, unknown>>;
  },
  valuesByType: Readonly<Record<string, string>> = {},
): string {
  const imported = new Set((json.import ?? []).map((i) => i.to));
  const referenced = new Set<string>();
  for (const [type, resources] of Object.entries(json.resource ?? {})) {
    for (const [name, body] of Object.entries(resources)) {
      if (!imported.has(`${type}.${name}`)) continue;
      const { "//": _meta, depends_on: _d, lifecycle: _l, ...config } = body as Record<string, unknown>;
      for (const [, address] of JSON.stringify(config).matchAll(/\$\{(aws_[a-z0-9_]+\.[A-Za-z0-9_-]+)\./g)) {
        if (!imported.has(address!)) referenced.add(address!);
      }
    }
  }
  const blocks = [...imported].map((address) => {
    const values = valuesByType[address.split(".")[0]!];
    return `override_resource {\n  target = ${address}\n${values ? `  values = {\n    ${values}\n  }\n` : ""}}`;
  });
  for (const address of [...referenced].sort()) {
    const [type, name] = address.split(".") as [string, string];
    const pinned = PINNED_COMPUTED[type];
    if (!pinned) continue;
    const config = (json.resource?.[type]?.[name] ?? {}) as Record<string, unknown>;
    const values = Object.entries(pinned)
      .filter(([attribute]) => !(attribute in config))
      .map(([attribute, value]) => `${attribute} = ${value}`)
      .join("\n    ");
    blocks.push(
      `override_resource {\n  target = ${address}\n  override_during = plan\n  values = {\n    ${values}\n  }\n}`,
    );
  }
  return blocks.join("\n");
}
