/** Putting Candlefish events on the bus; a refused entry is an error (PutEvents reports it, not throws). */
import { type EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { z } from "zod";
import { DETAIL_TYPES, type DetailType, type SOURCES } from "./events";

export async function putEvent<T extends DetailType>(
  client: EventBridgeClient,
  busName: string,
  source: (typeof SOURCES)[keyof typeof SOURCES],
  detailType: T,
  detail: z.input<(typeof DETAIL_TYPES)[T]>,
): Promise<void> {
  // Parsing before sending keeps what goes on the bus inside its own contract.
  const checked = DETAIL_TYPES[detailType].parse(detail);
  const result = await client.send(
    new PutEventsCommand({
      Entries: [
        { EventBusName: busName, Source: source, DetailType: detailType, Detail: JSON.stringify(checked) },
      ],
    }),
  );
  if ((result.FailedEntryCount ?? 0) > 0) {
    const entry = result.Entries?.find((e) => e.ErrorCode);
    throw new Error(
      `EventBridge refused the ${detailType} event: ${entry?.ErrorCode} ${entry?.ErrorMessage}`,
    );
  }
}
