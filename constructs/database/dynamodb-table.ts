import { DynamodbTable as DynamodbTableResource } from "@cdktf/provider-aws/lib/dynamodb-table";
import { Construct } from "constructs";
import type { PolicyStatement } from "../core/iam";
import { limitedName, type ResourceNaming } from "../core/naming";
import { suppress } from "../core/suppressions";
import { invalid, requireIntegerInRange } from "../core/validation";
import type { KeyReference } from "../internal/references";

/** A key attribute's type: string, number or binary. */
export type AttributeType = "S" | "N" | "B";

/** A global secondary index. */
export interface GlobalIndex {
  /** Index name (3-255 letters, digits, `_`, `-`, `.`). */
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  /**
   * What the index copies: `ALL`, `KEYS_ONLY`, or the listed attributes besides the keys (`INCLUDE`).
   * @default "ALL"
   */
  readonly projection?: "ALL" | "KEYS_ONLY" | readonly string[];
}

/** Properties of {@link DynamodbTable}. */
export interface DynamodbTableProps {
  /** Project and environment the name derives from. */
  readonly naming: ResourceNaming;
  /** Table suffix: the table is `<project>-<environment>-<name>` (changing it replaces the table). */
  readonly name: string;
  /**
   * The key attributes and their types: exactly those the table's and indexes' keys use (DynamoDB keeps
   * no schema for the other attributes of an item).
   */
  readonly attributes: Readonly<Record<string, AttributeType>>;
  /** Partition (hash) key attribute (changing it replaces the table). */
  readonly partitionKey: string;
  /** Sort (range) key attribute (changing it replaces the table). */
  readonly sortKey?: string;
  /** Global secondary indexes (added and removed in place). */
  readonly globalIndexes?: readonly GlobalIndex[];
  /** Attribute that holds an item's expiry (epoch seconds); DynamoDB deletes expired items. */
  readonly ttlAttribute?: string;
  /** Key the table (and its backups and streams) are encrypted with. */
  readonly encryptionKey: KeyReference;
  /**
   * Refuse to delete the table.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Days of point-in-time recovery (1 to 35).
   * @default 35
   */
  readonly pointInTimeRecoveryDays?: number;
}

/**
 * A DynamoDB table billed on demand, encrypted with the customer key, with point-in-time recovery,
 * deletion protection and an optional TTL attribute. The key schema is checked at synth time: every key
 * attribute is declared with its type, and every declared attribute is a key of the table or an index
 * (DynamoDB refuses the table otherwise, after `terraform validate` has accepted it).
 */
export class DynamodbTable extends Construct {
  /** The table's name, `<project>-<environment>-<name>`. */
  public readonly tableName: string;
  /** ARN of the table. */
  public readonly tableArn: string;
  /** The table resource. */
  public readonly table: DynamodbTableResource;
  /** ARN of the key the table is encrypted with. */
  public readonly keyArn: string;
  private readonly indexed: boolean;

  constructor(scope: Construct, id: string, props: DynamodbTableProps) {
    super(scope, id);
    validate(props);
    this.tableName = limitedName(255, props.naming, props.name);
    const indexes = props.globalIndexes ?? [];
    this.indexed = indexes.length > 0;
    this.table = new DynamodbTableResource(this, "table", {
      name: this.tableName,
      billingMode: "PAY_PER_REQUEST",
      hashKey: props.partitionKey,
      ...(props.sortKey ? { rangeKey: props.sortKey } : {}),
      attribute: Object.entries(props.attributes)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, type]) => ({ name, type })),
      ...(indexes.length > 0
        ? {
            globalSecondaryIndex: indexes.map((index) => {
              const projection = index.projection ?? "ALL";
              return {
                name: index.name,
                hashKey: index.partitionKey,
                ...(index.sortKey ? { rangeKey: index.sortKey } : {}),
                projectionType: typeof projection === "string" ? projection : "INCLUDE",
                ...(typeof projection === "string" ? {} : { nonKeyAttributes: [...projection] }),
              };
            }),
          }
        : {}),
      ...(props.ttlAttribute ? { ttl: { enabled: true, attributeName: props.ttlAttribute } } : {}),
      serverSideEncryption: { enabled: true, kmsKeyArn: props.encryptionKey.keyArn },
      pointInTimeRecovery: {
        enabled: true,
        recoveryPeriodInDays: props.pointInTimeRecoveryDays ?? 35,
      },
      deletionProtectionEnabled: props.deletionProtection ?? true,
    });
    if (props.deletionProtection === false) {
      suppress(
        this.table,
        "DDB-003",
        "deletionProtection is false in this environment's settings (disposable environments)",
        { deletion_protection_enabled: false },
      );
    }
    this.tableArn = this.table.arn;
    this.keyArn = props.encryptionKey.keyArn;
  }

  /**
   * What a caller needs of the table and of its key: {@link accessStatement} and the key's use through
   * DynamoDB (`kms:ViaService`), which a table encrypted with a customer key requires of every caller.
   */
  accessStatements(access: "read" | "readWrite", sid: string): PolicyStatement[] {
    return [
      this.accessStatement(access, sid),
      {
        sid: `${sid}Key`,
        actions:
          access === "read"
            ? ["kms:Decrypt", "kms:DescribeKey"]
            : ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
        resources: [this.keyArn],
        conditions: { StringLike: { "kms:ViaService": "dynamodb.*.amazonaws.com" } },
      },
    ];
  }

  /** A policy statement that lets a role read (`read`) or read and write (`readWrite`) items of the table and its indexes. */
  accessStatement(access: "read" | "readWrite", sid?: string): PolicyStatement {
    const read = [
      "dynamodb:GetItem",
      "dynamodb:BatchGetItem",
      "dynamodb:Query",
      "dynamodb:Scan",
      "dynamodb:ConditionCheckItem",
      "dynamodb:DescribeTable",
    ];
    const write = [
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:BatchWriteItem",
    ];
    return {
      ...(sid ? { sid } : {}),
      actions: access === "read" ? read : [...read, ...write],
      resources: this.indexed ? [this.tableArn, `${this.tableArn}/index/*`] : [this.tableArn],
    };
  }
}

const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,255}$/;

function validate(p: DynamodbTableProps): void {
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(p.name) || p.name.endsWith("-")) {
    throw invalid(
      "name",
      "must be 1-40 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen",
      p.name,
      'Use a short name such as "sessions".',
    );
  }
  for (const [name, type] of Object.entries(p.attributes)) {
    if (!ATTRIBUTE_NAME.test(name)) {
      throw invalid(
        `attributes.${name}`,
        "must be a key attribute name of 1-255 letters, digits, `_`, `-` and `.`",
        name,
        "Rename it.",
      );
    }
    if (type !== "S" && type !== "N" && type !== "B") {
      throw invalid(
        `attributes.${name}`,
        'must be a key attribute type: "S" (string), "N" (number) or "B" (binary)',
        type,
        "Pick one of the three.",
      );
    }
  }
  const used = new Map<string, string>();
  const key = (field: string, attribute: string | undefined) => {
    if (attribute === undefined) return;
    if (!(attribute in p.attributes)) {
      throw invalid(
        field,
        `must name a declared attribute (declared: ${Object.keys(p.attributes).join(", ") || "none"})`,
        attribute,
        `Declare it in attributes with its type, such as { ${attribute}: "S" }.`,
      );
    }
    used.set(attribute, field);
  };
  key("partitionKey", p.partitionKey);
  key("sortKey", p.sortKey);
  const names = new Set<string>();
  (p.globalIndexes ?? []).forEach((index, i) => {
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(index.name) || names.has(index.name)) {
      throw invalid(
        `globalIndexes[${i}].name`,
        "must be a distinct index name of 3-255 letters, digits, `_`, `-` and `.`",
        index.name,
        "Rename the index.",
      );
    }
    names.add(index.name);
    key(`globalIndexes[${i}].partitionKey`, index.partitionKey);
    key(`globalIndexes[${i}].sortKey`, index.sortKey);
    if (Array.isArray(index.projection) && index.projection.length === 0) {
      throw invalid(
        `globalIndexes[${i}].projection`,
        "must list at least one attribute to include",
        index.projection,
        'Use "KEYS_ONLY", or list the attributes.',
      );
    }
  });
  const unused = Object.keys(p.attributes).filter((a) => !used.has(a));
  if (unused.length > 0) {
    throw invalid(
      "attributes",
      "must declare only the attributes a key of the table or an index uses (DynamoDB refuses the others at apply)",
      unused,
      "Remove them: items can carry any other attribute without a declaration.",
    );
  }
  if (p.ttlAttribute !== undefined) {
    if (!ATTRIBUTE_NAME.test(p.ttlAttribute)) {
      throw invalid(
        "ttlAttribute",
        "must be an attribute name",
        p.ttlAttribute,
        "Use a name such as expiresAt.",
      );
    }
    if (p.ttlAttribute in p.attributes && p.attributes[p.ttlAttribute] !== "N") {
      throw invalid(
        "ttlAttribute",
        "must be a number attribute (epoch seconds) when it is also a key",
        p.ttlAttribute,
        "Use a separate, undeclared attribute for the expiry.",
      );
    }
  }
  if (p.pointInTimeRecoveryDays !== undefined) {
    requireIntegerInRange(
      "pointInTimeRecoveryDays",
      p.pointInTimeRecoveryDays,
      1,
      35,
      "DynamoDB keeps 1 to 35 days of point-in-time recovery",
    );
  }
}
