/**
 * daily-unblock: once a day (EventBridge Scheduler), finds the items blocked longer than the threshold and
 * puts one `ItemUnblockRequested` event per item on the bus. It reads the database as
 * `candlefish_unblock`, a role that may read three columns of `items` and nothing else, signing in with an
 * IAM authentication token (no password exists), over verified TLS.
 */
import { type EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { Logger } from "../shared/logger";
import { type DatabaseEndpoint, withSession } from "../shared/postgres";
import { ItemUnblockRequested, SOURCES } from "./events";

/** The database role the function signs in as (created by Candlefish's migration 3). */
export const UNBLOCK_ROLE = "candlefish_unblock";
/** Items one run handles at most (the oldest first); the next day's run takes the rest. */
export const MAX_ITEMS_PER_RUN = 500;

export interface UnblockDependencies {
  readonly endpoint: DatabaseEndpoint;
  /** An IAM authentication token for the role (RDS Signer); the tests give a password. */
  readonly password: () => Promise<string>;
  readonly thresholdDays: number;
  readonly busName: string;
  readonly eventBridge: EventBridgeClient;
  readonly logger: Logger;
}

export function createUnblockHandler(deps: UnblockDependencies): () => Promise<{ requested: number }> {
  return async () => {
    const token = await deps.password();
    deps.logger.redact(token);
    const rows = await withSession(deps.endpoint, "daily-unblock", UNBLOCK_ROLE, token, async (client) => {
      const result = await client.query<{ id: string; blocked_since: Date; days: number }>(
        `SELECT id, blocked_since, floor(extract(epoch FROM now() - blocked_since) / 86400)::int AS days
           FROM items
          WHERE status = 'blocked' AND blocked_since < now() - make_interval(days => $1)
          ORDER BY blocked_since
          LIMIT ${MAX_ITEMS_PER_RUN}`,
        [deps.thresholdDays],
      );
      return result.rows;
    });
    for (let i = 0; i < rows.length; i += 10) {
      const entries = rows.slice(i, i + 10).map((row) => ({
        EventBusName: deps.busName,
        Source: SOURCES.workflow,
        DetailType: "ItemUnblockRequested",
        Detail: JSON.stringify(
          ItemUnblockRequested.parse({
            itemId: row.id,
            blockedSince: row.blocked_since.toISOString(),
            blockedDays: row.days,
          }),
        ),
      }));
      const result = await deps.eventBridge.send(new PutEventsCommand({ Entries: entries }));
      if ((result.FailedEntryCount ?? 0) > 0) {
        throw new Error(
          `EventBridge refused ${result.FailedEntryCount} of ${entries.length} unblock events; the run fails so the schedule retries it.`,
        );
      }
    }
    deps.logger.info("unblock requested", { requested: rows.length, thresholdDays: deps.thresholdDays });
    return { requested: rows.length };
  };
}
