/**
 * Entry of `daily-unblock` (daily-unblock.ts). Environment: `DB_HOST`, `DB_PORT`, `DB_NAME`,
 * `BLOCKED_DAYS`, `EVENT_BUS_NAME`; trusts the Amazon RDS CAs through NODE_EXTRA_CA_CERTS.
 */
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { Signer } from "@aws-sdk/rds-signer";
import { CLIENT_OPTIONS } from "../../shared/aws";
import { requireEnvInteger, requireEnvMatching } from "../../shared/env";
import { createLogger } from "../../shared/logger";
import { readBusName } from "../config";
import { createUnblockHandler, UNBLOCK_ROLE } from "../daily-unblock";

const host = requireEnvMatching(
  "DB_HOST",
  /^[a-z0-9.-]{1,253}$/i,
  "must be a host name",
  "Set it to the cluster's reader endpoint.",
);
const port = requireEnvInteger("DB_PORT", { min: 1150, max: 65_535, why: "the ports RDS allows" });
const signer = new Signer({ hostname: host, port, username: UNBLOCK_ROLE });

export const handler = createUnblockHandler({
  endpoint: {
    host,
    port,
    database: requireEnvMatching(
      "DB_NAME",
      /^[A-Za-z][A-Za-z0-9_]{0,62}$/,
      "must be a database name",
      "Set it to the cluster's database.",
    ),
  },
  password: () => signer.getAuthToken(),
  thresholdDays: requireEnvInteger("BLOCKED_DAYS", {
    min: 1,
    max: 365,
    why: "days an item may stay blocked",
  }),
  busName: readBusName(),
  eventBridge: new EventBridgeClient(CLIENT_OPTIONS),
  logger: createLogger({ service: "daily-unblock" }),
});
