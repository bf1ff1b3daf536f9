/**
 * Every resource encrypted with a customer key of this repository must be able to use it. A service
 * that uses a key itself (CloudWatch Logs, CloudWatch Alarms or EventBridge publishing to an
 * encrypted topic, CloudTrail) needs a statement in the key policy and fails silently without one;
 * a service that uses it on behalf of a role (Secrets Manager, ECR, Lambda, Prometheus, S3) needs
 * the account-root statement that makes the role's IAM policy effective.
 *
 * This walks every synthesized stack, finds each resource that names a key, and checks the key's
 * policy grants what that kind of resource needs, scoped to that resource. A resource of a kind
 * without a rule here fails the test: decide what its service needs and add the rule (and the
 * grant in the construct that wires it).
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { KinesisStream } from "@cdktf/provider-aws/lib/kinesis-stream";
import type { Construct } from "constructs";
import { describe, expect, test } from "vitest";
import { Alerts } from "../../constructs/alerts";
import { EncryptedQueue, EventBus, QueueRule } from "../../constructs/events";
import type { KeyReference } from "../../constructs/internal/references";
import { AppKey } from "../../constructs/keys";
import { PLATFORMS } from "../../stacks/platforms";
import { naming } from "../support/fixtures";
import {
  synthPlatform,
  synthRegistry,
  WITH_ALERTS_AND_API,
  WITHOUT_ALERTS_AND_API,
} from "../support/platform";
import { parsed, synthScope, type TerraformJson } from "../support/synth";

/** Resource types that refer to a key without encrypting anything with it. */
const NOT_ENCRYPTION = new Set([
  "aws_kms_alias",
  "aws_iam_role_policy",
  "aws_iam_policy",
  "aws_iam_user_policy",
  "aws_kms_key_policy",
]);

/** Resource types whose service uses the key on behalf of the calling role. */
const ON_BEHALF_OF_A_ROLE = new Set([
  "aws_secretsmanager_secret",
  "aws_ecr_repository",
  "aws_lambda_function",
  "aws_prometheus_workspace",
  "aws_s3_bucket_server_side_encryption_configuration",
  "aws_dynamodb_table",
  "aws_db_instance",
  "aws_elasticache_replication_group",
  "aws_rds_cluster",
  "aws_rds_cluster_instance",
  // Scheduler decrypts the target input with the schedule's execution role.
  "aws_scheduler_schedule",
  // Synthetics writes SSE-KMS artifacts to S3 with the canary's execution role.
  "aws_synthetics_canary",
]);

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: { AWS?: string | string[]; Service?: string | string[] };
  Action: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

const list = (value: string | string[] | undefined) => (value === undefined ? [] : [value].flat());

function statementsFor(policy: Statement[], service: string): Statement[] {
  return policy.filter(
    (s) =>
      s.Effect === "Allow" && list(s.Principal?.Service).some((p) => p === service || p.startsWith(service)),
  );
}

function conditionValues(statement: Statement, key: string): string[] {
  return Object.values(statement.Condition ?? {}).flatMap((block) => list(block[key]));
}

/** What is missing for one resource encrypted with a key, or nothing when it is granted. */
function missingGrant(
  json: TerraformJson,
  type: string,
  name: string,
  resource: Record<string, any>,
  policy: Statement[],
): string | undefined {
  const rootGranted = policy.some(
    (s) =>
      s.Effect === "Allow" && list(s.Principal?.AWS).some((p) => p.endsWith(":root")) && s.Action === "kms:*",
  );
  if (ON_BEHALF_OF_A_ROLE.has(type)) return rootGranted ? undefined : "the account-root statement";

  if (type === "aws_cloudwatch_log_group") {
    const granted = statementsFor(policy, "logs.").some((s) =>
      conditionValues(s, "kms:EncryptionContext:aws:logs:arn").some((arn) =>
        arn.endsWith(`:log-group:${resource.name}`),
      ),
    );
    return granted ? undefined : `CloudWatch Logs for log group ${resource.name}`;
  }

  if (type === "aws_sns_topic") {
    const reference = `\${aws_sns_topic.${name}.arn}`;
    const publishers = new Set<string>();
    for (const alarm of Object.values(json.resource?.aws_cloudwatch_metric_alarm ?? {})) {
      if ([...(alarm.alarm_actions ?? []), ...(alarm.ok_actions ?? [])].includes(reference)) {
        publishers.add("cloudwatch.amazonaws.com");
      }
    }
    for (const target of Object.values(json.resource?.aws_cloudwatch_event_target ?? {})) {
      if (target.arn === reference) publishers.add("events.amazonaws.com");
    }
    for (const topicPolicy of Object.values(json.resource?.aws_sns_topic_policy ?? {})) {
      if (topicPolicy.arn !== reference) continue;
      for (const s of parsed<{ Statement: Statement[] }>(topicPolicy.policy).Statement) {
        if (s.Effect === "Allow") for (const service of list(s.Principal?.Service)) publishers.add(service);
      }
    }
    const missing = [...publishers].filter(
      (service) =>
        !statementsFor(policy, service).some((s) =>
          conditionValues(s, "kms:EncryptionContext:aws:sns:topicArn").some(
            (arn) => arn.includes(":sns:") && arn.endsWith(`:${resource.name}`),
          ),
        ),
    );
    return missing.length === 0 ? undefined : `${missing.join(" and ")} for topic ${resource.name}`;
  }

  if (type === "aws_sqs_queue") {
    // EventBridge delivering to the queue (a rule's target or a target's dead-letter queue) uses the key itself.
    const reference = new RegExp(`^\\$\\{aws_sqs_queue\\.${name}\\.arn\\}$`);
    const fromEventBridge = Object.values(json.resource?.aws_cloudwatch_event_target ?? {}).some(
      (target) => reference.test(target.arn) || reference.test(target.dead_letter_config?.arn ?? ""),
    );
    if (!fromEventBridge) return rootGranted ? undefined : "the account-root statement";
    const granted = statementsFor(policy, "events.amazonaws.com").some((s) =>
      conditionValues(s, "kms:EncryptionContext:aws:sqs:arn").some((arn) =>
        arn.endsWith(`:${resource.name}`),
      ),
    );
    return granted ? undefined : `events.amazonaws.com for queue ${resource.name}`;
  }

  if (type === "aws_cloudwatch_event_bus") {
    const granted = statementsFor(policy, "events.amazonaws.com").some((s) =>
      conditionValues(s, "kms:EncryptionContext:aws:events:event-bus:arn").some((arn) =>
        arn.endsWith(`:event-bus/${resource.name}`),
      ),
    );
    return granted ? undefined : `events.amazonaws.com for event bus ${resource.name}`;
  }

  if (type === "aws_cloudtrail") {
    const granted = statementsFor(policy, "cloudtrail.amazonaws.com").some((s) =>
      list(s.Action).some((a) => a.startsWith("kms:GenerateDataKey")),
    );
    return granted ? undefined : `CloudTrail for trail ${resource.name}`;
  }

  return `a rule in this test for ${type} (what does its service need of the key?)`;
}

/** Every resource of a stack encrypted with one of its keys that the key does not grant, and how many there are. */
function ungranted(json: TerraformJson): { problems: string[]; consumers: number } {
  const problems: string[] = [];
  let consumers = 0;
  for (const [keyName, key] of Object.entries(json.resource?.aws_kms_key ?? {})) {
    const policy = parsed<{ Statement: Statement[] }>(key.policy).Statement;
    const reference = new RegExp(`\\$\\{aws_kms_key\\.${keyName}\\.(arn|key_id|id)\\}`);
    for (const [type, resources] of Object.entries(json.resource ?? {})) {
      if (type === "aws_kms_key" || NOT_ENCRYPTION.has(type)) continue;
      for (const [name, resource] of Object.entries(resources)) {
        if (!reference.test(JSON.stringify(resource))) continue;
        consumers += 1;
        const missing = missingGrant(json, type, name, resource, policy);
        if (missing) problems.push(`${type}.${name} (key ${keyName}) lacks ${missing}`);
      }
    }
  }
  return { problems, consumers };
}

describe.each([
  ["alerts and API domain on", WITH_ALERTS_AND_API],
  ["alerts and API domain off", WITHOUT_ALERTS_AND_API],
] as const)("key grants, %s", (_variant, overrides) => {
  const stacks = synthPlatform(overrides);

  test.each(Object.keys(stacks))("every resource encrypted in %s is granted its key", (stackName) => {
    const json = stacks[stackName];
    const { problems, consumers } = ungranted(json);
    expect(problems).toEqual([]);
    if (Object.keys(json.resource?.aws_kms_key ?? {}).length > 0) expect(consumers).toBeGreaterThan(0);
  });
});

describe("key grants, every other platform's stacks", () => {
  const stacks = synthRegistry(
    PLATFORMS,
    undefined,
    PLATFORMS.filter((p) => p.name !== "meeting-notes"),
  );
  test.each(Object.keys(stacks))("every resource encrypted in %s is granted its key", (stackName) => {
    const json = stacks[stackName]!;
    const { problems, consumers } = ungranted(json);
    expect(problems).toEqual([]);
    if (Object.keys(json.resource?.aws_kms_key ?? {}).length > 0) expect(consumers).toBeGreaterThan(0);
  });
});

describe("the key-grant check", () => {
  const withoutGrants = (build: (scope: Construct, key: KeyReference) => void) =>
    synthScope((scope) => {
      const key = new AppKey(scope, "key", { naming });
      const silent: KeyReference = {
        keyArn: key.keyArn,
        grantLogGroup: () => {},
        grantTopicPublishers: () => {},
        grantQueueSenders: () => {},
        grantEventBus: () => {},
      };
      build(scope, silent);
    });

  test("flags a log group whose key policy does not name it", () => {
    const json = withoutGrants((scope, key) => {
      new CloudwatchLogGroup(scope, "logs", { name: "/ecs/forgotten", kmsKeyId: key.keyArn });
    });
    expect(ungranted(json).problems).toEqual([
      expect.stringMatching(
        /^aws_cloudwatch_log_group\.logs \(key key_\w+\) lacks CloudWatch Logs for log group \/ecs\/forgotten$/,
      ),
    ]);
  });

  test("flags a topic whose alarm and EventBridge publishers the key does not grant", () => {
    const json = withoutGrants((scope, key) => {
      new Alerts(scope, "alerts", { naming, encryptionKey: key });
    });
    expect(ungranted(json).problems).toEqual([
      expect.stringContaining(
        "lacks cloudwatch.amazonaws.com and events.amazonaws.com for topic meeting-notes-staging-critical-alerts",
      ),
    ]);
  });

  test("flags a kind of resource it has no rule for", () => {
    const json = withoutGrants((scope, key) => {
      new KinesisStream(scope, "stream", { name: "s", encryptionType: "KMS", kmsKeyId: key.keyArn });
    });
    expect(ungranted(json).problems).toEqual([
      expect.stringContaining("lacks a rule in this test for aws_kinesis_stream"),
    ]);
  });

  test("flags a queue and a bus EventBridge cannot use the key for; passes them through a real key", () => {
    const build = (scope: Construct, key: KeyReference) => {
      const bus = new EventBus(scope, "bus", { naming, encryptionKey: key });
      const queue = new EncryptedQueue(scope, "q", { naming, name: "wip", encryptionKey: key });
      new QueueRule(scope, "r", { naming, name: "wip", bus, eventPattern: { source: ["x"] }, queue });
    };
    expect(ungranted(withoutGrants(build)).problems.sort()).toEqual([
      expect.stringMatching(/lacks events\.amazonaws\.com for event bus meeting-notes-staging-events$/),
      expect.stringMatching(/lacks events\.amazonaws\.com for queue meeting-notes-staging-wip-dlq$/),
      expect.stringMatching(/lacks events\.amazonaws\.com for queue meeting-notes-staging-wip$/),
    ]);
    const granted = synthScope((scope) => build(scope, new AppKey(scope, "key", { naming })));
    expect(ungranted(granted)).toEqual({ problems: [], consumers: 3 });
  });

  test("passes what the constructs wire through a real key", () => {
    const json = synthScope((scope) => {
      const key = new AppKey(scope, "key", { naming });
      new Alerts(scope, "alerts", { naming, encryptionKey: key });
    });
    expect(ungranted(json)).toEqual({ problems: [], consumers: 1 });
  });
});
