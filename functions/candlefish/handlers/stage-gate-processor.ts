/** Entry of `stage-gate-processor` (stage-gate.ts). Environment: `EVENT_BUS_NAME`, `STAGES`. */
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { CLIENT_OPTIONS } from "../../shared/aws";
import { createLogger } from "../../shared/logger";
import { readBusName } from "../config";
import { createStageGateHandler } from "../stage-gate";
import { readStages } from "../stages";

export const handler = createStageGateHandler({
  stages: readStages(),
  busName: readBusName(),
  eventBridge: new EventBridgeClient(CLIENT_OPTIONS),
  logger: createLogger({ service: "stage-gate-processor" }),
});
