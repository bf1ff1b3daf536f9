import { describe, expect, test } from "vitest";
import { DynamodbTable, type DynamodbTableProps } from "../../constructs/database";
import { naming, RecordingKey } from "../support/fixtures";
import { addresses, onlyResource, synthScope } from "../support/synth";

const base: DynamodbTableProps = {
  naming,
  name: "sessions",
  attributes: { sessionId: "S" },
  partitionKey: "sessionId",
  ttlAttribute: "expiresAt",
  encryptionKey: new RecordingKey(),
};
const build = (props: Partial<DynamodbTableProps> = {}) =>
  synthScope((s) => {
    new DynamodbTable(s, "sessions", { ...base, ...props });
  });
const table = (props: Partial<DynamodbTableProps> = {}) => onlyResource(build(props), "aws_dynamodb_table");

describe("DynamodbTable", () => {
  test("on demand, encrypted with the key, 35 days of point-in-time recovery, deletion protection, TTL", () => {
    expect(table()).toEqual({
      name: "meeting-notes-staging-sessions",
      billing_mode: "PAY_PER_REQUEST",
      hash_key: "sessionId",
      attribute: [{ name: "sessionId", type: "S" }],
      ttl: { enabled: true, attribute_name: "expiresAt" },
      server_side_encryption: { enabled: true, kms_key_arn: new RecordingKey().keyArn },
      point_in_time_recovery: { enabled: true, recovery_period_in_days: 35 },
      deletion_protection_enabled: true,
    });
  });

  test("a sort key and an index with its keys and projection; deletion protection off for a disposable table", () => {
    const t = table({
      name: "metrics",
      attributes: { metricId: "S", timestamp: "N", stage: "S" },
      partitionKey: "metricId",
      sortKey: "timestamp",
      globalIndexes: [
        { name: "by-stage", partitionKey: "stage", sortKey: "timestamp", projection: ["value"] },
      ],
      ttlAttribute: undefined,
      deletionProtection: false,
      pointInTimeRecoveryDays: 7,
    });
    expect(t).toMatchObject({
      hash_key: "metricId",
      range_key: "timestamp",
      attribute: [
        { name: "metricId", type: "S" },
        { name: "stage", type: "S" },
        { name: "timestamp", type: "N" },
      ],
      global_secondary_index: [
        {
          name: "by-stage",
          hash_key: "stage",
          range_key: "timestamp",
          projection_type: "INCLUDE",
          non_key_attributes: ["value"],
        },
      ],
      deletion_protection_enabled: false,
      point_in_time_recovery: { enabled: true, recovery_period_in_days: 7 },
    });
    expect(t.ttl).toBeUndefined();
  });

  test("access statements scoped to the table, and its indexes when it has some", () => {
    let plain: DynamodbTable | undefined;
    let indexed: DynamodbTable | undefined;
    synthScope((s) => {
      plain = new DynamodbTable(s, "plain", base);
      indexed = new DynamodbTable(s, "indexed", {
        ...base,
        name: "indexed",
        attributes: { sessionId: "S", user: "S" },
        globalIndexes: [{ name: "by-user", partitionKey: "user" }],
      });
    });
    const read = plain!.accessStatement("read");
    expect(read.resources).toEqual([plain!.tableArn]);
    expect(read.actions).not.toContain("dynamodb:PutItem");
    expect(read.actions?.every((a) => a.startsWith("dynamodb:") && !a.includes("*"))).toBe(true);
    const write = indexed!.accessStatement("readWrite", "Sessions");
    expect(write).toMatchObject({ sid: "Sessions" });
    expect(write.actions).toEqual(expect.arrayContaining(["dynamodb:PutItem", "dynamodb:UpdateItem"]));
    expect(write.resources).toEqual([indexed!.tableArn, `${indexed!.tableArn}/index/*`]);
  });

  test("pins its address", () => {
    expect(addresses(build())).toEqual(["aws_dynamodb_table.sessions_table_1CD4FC2F"]);
  });

  test.each<[string, Partial<DynamodbTableProps>, string]>([
    [
      "a key attribute not declared",
      { partitionKey: "id" },
      '`partitionKey` must name a declared attribute (declared: sessionId), got "id". Declare it in attributes with its type, such as { id: "S" }.',
    ],
    [
      "an index key not declared",
      { globalIndexes: [{ name: "by-user", partitionKey: "userId" }] },
      '`globalIndexes[0].partitionKey` must name a declared attribute (declared: sessionId), got "userId". Declare it in attributes with its type, such as { userId: "S" }.',
    ],
    [
      "a declared attribute no key uses",
      { attributes: { sessionId: "S", userId: "S" } },
      '`attributes` must declare only the attributes a key of the table or an index uses (DynamoDB refuses the others at apply), got ["userId"]. Remove them: items can carry any other attribute without a declaration.',
    ],
    [
      "an attribute type DynamoDB keys do not have",
      { attributes: { sessionId: "BOOL" as "S" } },
      '`attributes.sessionId` must be a key attribute type: "S" (string), "N" (number) or "B" (binary), got "BOOL". Pick one of the three.',
    ],
    [
      "two indexes of one name",
      {
        attributes: { sessionId: "S", a: "S" },
        globalIndexes: [
          { name: "idx", partitionKey: "a" },
          { name: "idx", partitionKey: "a" },
        ],
      },
      '`globalIndexes[1].name` must be a distinct index name of 3-255 letters, digits, `_`, `-` and `.`, got "idx". Rename the index.',
    ],
    [
      "recovery kept 36 days",
      { pointInTimeRecoveryDays: 36 },
      "`pointInTimeRecoveryDays` must be a whole number from 1 to 35 (DynamoDB keeps 1 to 35 days of point-in-time recovery), got 36.",
    ],
    [
      "a string key as the TTL",
      { ttlAttribute: "sessionId" },
      '`ttlAttribute` must be a number attribute (epoch seconds) when it is also a key, got "sessionId".',
    ],
  ])("refuses %s", (_what, props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});
