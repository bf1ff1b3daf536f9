/**
 * An in-memory DynamoDB table for the Candlefish functions' tests: items by `pk`, conditional puts
 * (`attribute_not_exists(pk)`), `ADD` updates of a number, all-or-nothing transactions that fail with
 * TransactionCanceledException and per-item cancellation reasons, as DynamoDB does. Wire it behind
 * aws-sdk-client-mock; tests assert on the items, not on call order.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type GetItemCommandInput,
  type PutItemCommandInput,
  TransactionCanceledException,
  type TransactWriteItemsCommandInput,
} from "@aws-sdk/client-dynamodb";

type Item = Record<string, AttributeValue>;
const META = { $metadata: {} };

export class FakeTable {
  readonly items = new Map<string, Item>();
  constructor(readonly name: string) {}

  count(pk: string): number | undefined {
    const n = this.items.get(pk)?.count?.N;
    return n === undefined ? undefined : Number(n);
  }

  private table(name: string | undefined) {
    if (name !== this.name) throw new Error(`no table ${name}`);
  }

  private conditionHolds(condition: string | undefined, pk: string): boolean {
    if (condition === undefined) return true;
    if (condition === "attribute_not_exists(pk)") return !this.items.has(pk);
    throw new Error(`the fake does not know the condition ${condition}`);
  }

  getItem(input: GetItemCommandInput) {
    this.table(input.TableName);
    const item = this.items.get(input.Key!.pk!.S!);
    return { ...(item ? { Item: structuredClone(item) } : {}), ...META };
  }

  putItem(input: PutItemCommandInput) {
    this.table(input.TableName);
    const pk = input.Item!.pk!.S!;
    if (!this.conditionHolds(input.ConditionExpression, pk)) {
      throw new ConditionalCheckFailedException({ message: "The conditional request failed", ...META });
    }
    this.items.set(pk, structuredClone(input.Item!));
    return META;
  }

  transactWriteItems(input: TransactWriteItemsCommandInput) {
    const staged = new Map(this.items);
    const reasons = input.TransactItems!.map((op) => {
      if (op.Put) {
        this.table(op.Put.TableName);
        const pk = op.Put.Item!.pk!.S!;
        if (!this.conditionHolds(op.Put.ConditionExpression, pk)) return { Code: "ConditionalCheckFailed" };
        staged.set(pk, structuredClone(op.Put.Item!));
        return { Code: "None" };
      }
      if (op.Update) {
        this.table(op.Update.TableName);
        if (op.Update.UpdateExpression !== "ADD #count :by")
          throw new Error(`unknown ${op.Update.UpdateExpression}`);
        const pk = op.Update.Key!.pk!.S!;
        const current = Number(staged.get(pk)?.count?.N ?? "0");
        const by = Number(op.Update.ExpressionAttributeValues![":by"]!.N);
        staged.set(pk, { ...(staged.get(pk) ?? { pk: { S: pk } }), count: { N: String(current + by) } });
        return { Code: "None" };
      }
      throw new Error("the fake knows Put and Update only");
    });
    if (reasons.some((r) => r.Code !== "None")) {
      throw new TransactionCanceledException({
        message: "Transaction cancelled",
        CancellationReasons: reasons,
        ...META,
      });
    }
    this.items.clear();
    for (const [k, v] of staged) this.items.set(k, v);
    return META;
  }
}
