import { TerraformOutput, TerraformVariable } from "cdktf";
import { describe, expect, test } from "vitest";
import { AppKey, type AppKeyProps } from "../../constructs/keys";
import { addresses, dataOf, onlyResource, parsed, synthScope } from "../support/synth";

const naming = { projectName: "meeting-notes", environment: "staging" };

const KEY = "app-key_A8DE9A61";
const ALIAS = "app-key_alias_01879411";
const ACCOUNT = `\${data.aws_caller_identity.app-key_account_539EC54C.account_id}`;
const PARTITION = `\${data.aws_partition.app-key_partition_F0EFDC8D.partition}`;
const DNS_SUFFIX = `\${data.aws_partition.app-key_partition_F0EFDC8D.dns_suffix}`;
const REGION = `\${data.aws_region.app-key_region_C62CC302.name}`;

function build(props: Partial<AppKeyProps> = {}) {
  let key: AppKey | undefined;
  const json = synthScope((scope) => {
    key = new AppKey(scope, "app-key", { naming, ...props });
  });
  return { json, key: key! };
}

/** A key with two log groups and two topics wired to it, registered out of order. */
function wired() {
  let key: AppKey | undefined;
  const json = synthScope((scope) => {
    key = new AppKey(scope, "app-key", { naming });
    key.grantLogGroup("/ecs/b");
    key.grantLogGroup("/aws/lambda/a");
    key.grantTopicPublishers("alarms-only", ["cloudwatch-alarms"]);
    key.grantTopicPublishers("alarms-and-events", ["cloudwatch-alarms", "eventbridge"]);
  });
  return { json, key: key! };
}

function statement(json: ReturnType<typeof build>["json"], sid: string): any {
  const policy = parsed(onlyResource(json, "aws_kms_key").policy);
  const found = policy.Statement.filter((s: any) => s.Sid === sid);
  expect(found).toHaveLength(1);
  return found[0];
}

describe("AppKey", () => {
  test("creates a rotated symmetric customer-managed key at a pinned address", () => {
    const { json } = build();
    expect(addresses(json)).toContain(`aws_kms_key.${KEY}`);
    expect(addresses(json)).toContain(`aws_kms_alias.${ALIAS}`);
    const key = onlyResource(json, "aws_kms_key");
    expect(key.enable_key_rotation).toBe(true);
    expect(key.key_usage).toBe("ENCRYPT_DECRYPT");
    expect(key.customer_master_key_spec).toBe("SYMMETRIC_DEFAULT");
    expect(key.description).toBe(
      "meeting-notes-staging general application key (alert topic, log groups, secrets)",
    );
  });

  test("names its alias alias/<project>-<env>-app-general and points it at the key", () => {
    const { json, key } = build();
    const alias = onlyResource(json, "aws_kms_alias");
    expect(alias.name).toBe("alias/meeting-notes-staging-app-general");
    expect(alias.target_key_id).toBe(`\${aws_kms_key.${KEY}.key_id}`);
    expect(key.aliasName).toBe("alias/meeting-notes-staging-app-general");
  });

  test("exposes the key's ARN and ID as references to the key", () => {
    const json = synthScope((scope) => {
      const key = new AppKey(scope, "app-key", { naming });
      new TerraformOutput(scope, "arn", { value: key.keyArn });
      new TerraformOutput(scope, "id", { value: key.keyId });
    });
    expect(json.output?.arn.value).toBe(`\${aws_kms_key.${KEY}.arn}`);
    expect(json.output?.id.value).toBe(`\${aws_kms_key.${KEY}.key_id}`);
  });

  test("deletion window defaults to 30 days", () => {
    expect(onlyResource(build().json, "aws_kms_key").deletion_window_in_days).toBe(30);
  });

  test("deletion window can be shortened", () => {
    expect(onlyResource(build({ deletionWindowDays: 7 }).json, "aws_kms_key").deletion_window_in_days).toBe(
      7,
    );
  });

  test("reads account, partition and region from data sources", () => {
    const { json } = build();
    expect(Object.keys(dataOf(json, "aws_caller_identity"))).toEqual(["app-key_account_539EC54C"]);
    expect(Object.keys(dataOf(json, "aws_partition"))).toEqual(["app-key_partition_F0EFDC8D"]);
    expect(Object.keys(dataOf(json, "aws_region"))).toEqual(["app-key_region_C62CC302"]);
  });

  test("a key nothing is wired to grants the account root only", () => {
    const policy = parsed(onlyResource(build().json, "aws_kms_key").policy);
    expect(policy.Version).toBe("2012-10-17");
    expect(policy.Statement.map((s: any) => s.Sid)).toEqual(["AccountRootFullAccess"]);
  });

  test("key policy statements follow what is wired to the key, in a fixed order", () => {
    const { json } = wired();
    const policy = parsed(onlyResource(json, "aws_kms_key").policy);
    expect(policy.Statement.map((s: any) => s.Sid)).toEqual([
      "AccountRootFullAccess",
      "CloudWatchAlarmsPublishToEncryptedTopics",
      "EventBridgePublishToEncryptedTopics",
      "CloudWatchLogsEncryptLogGroups",
    ]);
    expect(policy.Statement.every((s: any) => s.Effect === "Allow" && s.Resource === "*")).toBe(true);
  });

  test("gives the account root principal full access, so IAM policies can grant use of the key", () => {
    const s = statement(build().json, "AccountRootFullAccess");
    expect(s.Principal).toEqual({ AWS: `arn:${PARTITION}:iam::${ACCOUNT}:root` });
    expect(s.Action).toBe("kms:*");
    expect(s.Condition).toBeUndefined();
  });

  test("lets CloudWatch Alarms of this account use the key for the registered topics only", () => {
    const s = statement(wired().json, "CloudWatchAlarmsPublishToEncryptedTopics");
    expect(s.Principal).toEqual({ Service: "cloudwatch.amazonaws.com" });
    expect(s.Action).toEqual(["kms:Decrypt", "kms:GenerateDataKey*"]);
    expect(s.Condition).toEqual({
      StringEquals: {
        "aws:SourceAccount": ACCOUNT,
        "kms:EncryptionContext:aws:sns:topicArn": [
          `arn:${PARTITION}:sns:${REGION}:${ACCOUNT}:alarms-and-events`,
          `arn:${PARTITION}:sns:${REGION}:${ACCOUNT}:alarms-only`,
        ],
      },
    });
  });

  test("lets EventBridge use the key for its topics only, without a source condition it does not send", () => {
    const s = statement(wired().json, "EventBridgePublishToEncryptedTopics");
    expect(s.Principal).toEqual({ Service: "events.amazonaws.com" });
    expect(s.Action).toEqual(["kms:Decrypt", "kms:GenerateDataKey*"]);
    expect(s.Condition).toEqual({
      StringEquals: {
        "kms:EncryptionContext:aws:sns:topicArn": `arn:${PARTITION}:sns:${REGION}:${ACCOUNT}:alarms-and-events`,
      },
    });
  });

  test("lets CloudWatch Logs of this region use the key for the registered log groups only", () => {
    const s = statement(wired().json, "CloudWatchLogsEncryptLogGroups");
    expect(s.Principal).toEqual({ Service: `logs.${REGION}.${DNS_SUFFIX}` });
    expect(s.Action).toEqual([
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]);
    expect(s.Condition).toEqual({
      ArnEquals: {
        "kms:EncryptionContext:aws:logs:arn": [
          `arn:${PARTITION}:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/a`,
          `arn:${PARTITION}:logs:${REGION}:${ACCOUNT}:log-group:/ecs/b`,
        ],
      },
    });
  });

  test("one registered log group is a single condition value; a name registered twice is granted once", () => {
    const json = synthScope((scope) => {
      const key = new AppKey(scope, "app-key", { naming });
      key.grantLogGroup("/ecs/only");
      key.grantLogGroup("/ecs/only");
    });
    expect(statement(json, "CloudWatchLogsEncryptLogGroups").Condition).toEqual({
      ArnEquals: {
        "kms:EncryptionContext:aws:logs:arn": `arn:${PARTITION}:logs:${REGION}:${ACCOUNT}:log-group:/ecs/only`,
      },
    });
  });

  test("grants registered after the key was created still reach its policy", () => {
    const json = synthScope((scope) => {
      const key = new AppKey(scope, "app-key", { naming });
      new TerraformOutput(scope, "arn", { value: key.keyArn });
      key.grantLogGroup("/late/group");
    });
    expect(JSON.stringify(statement(json, "CloudWatchLogsEncryptLogGroups"))).toContain("/late/group");
  });

  test("grants no service principal kms:* or key administration", () => {
    const policy = parsed(onlyResource(wired().json, "aws_kms_key").policy);
    const serviceStatements = policy.Statement.filter((s: any) => s.Principal.Service);
    const actions = serviceStatements.flatMap((s: any) => [s.Action].flat());
    expect(actions).not.toContain("kms:*");
    expect(actions.some((a: string) => /^kms:(Put|Delete|Schedule|Disable|Create)/.test(a))).toBe(false);
  });

  test("skips validation of an unresolved deletion window", () => {
    const json = synthScope((scope) => {
      const days = new TerraformVariable(scope, "days", { type: "number" });
      new AppKey(scope, "app-key", { naming, deletionWindowDays: days.numberValue });
    });
    expect(onlyResource(json, "aws_kms_key").deletion_window_in_days).toBe(`\${var.days}`);
  });

  test.each([
    [6, "6"],
    [31, "31"],
    [10.5, "10.5"],
  ])("rejects deletionWindowDays %s", (days, shown) => {
    expect(() => build({ deletionWindowDays: days })).toThrow(
      `\`deletionWindowDays\` must be a whole number from 7 to 30 (KMS accepts a deletion window of 7 to 30 days), got ${shown}. Set it to a whole number from 7 to 30.`,
    );
  });
});
