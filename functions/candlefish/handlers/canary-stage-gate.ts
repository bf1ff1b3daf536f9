/** Entry of the `stage-gate` canary (canaries/stage-gate-round-trip.ts). Environment: `EVENT_BUS_NAME`, `CANARY_QUEUE_URL`. */
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SQSClient } from "@aws-sdk/client-sqs";
import { CLIENT_OPTIONS } from "../../shared/aws";
import { requireEnvHttpsUrl } from "../../shared/env";
import { createStageGateRoundTrip } from "../canaries/stage-gate-round-trip";
import { readBusName } from "../config";

const roundTrip = createStageGateRoundTrip({
  busName: readBusName(),
  queueUrl: requireEnvHttpsUrl(
    "CANARY_QUEUE_URL",
    "must be an SQS queue URL",
    "Set it to the canary queue's URL.",
  ),
  eventBridge: new EventBridgeClient(CLIENT_OPTIONS),
  sqs: new SQSClient(CLIENT_OPTIONS),
});

export const handler = async () => roundTrip();
