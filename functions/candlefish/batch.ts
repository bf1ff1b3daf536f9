/**
 * An SQS batch consumer that reports partial batch failures (`ReportBatchItemFailures`): a message
 * that fails is returned to the queue alone (and reaches the dead-letter queue after its receives),
 * the others are deleted.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { describeError, type Logger } from "../shared/logger";

export async function processBatch(
  event: SQSEvent,
  logger: Logger,
  handle: (record: SQSRecord) => Promise<void>,
): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse["batchItemFailures"] = [];
  for (const record of event.Records) {
    try {
      await handle(record);
    } catch (error) {
      logger.error("message failed", { messageId: record.messageId, ...describeError(error) });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}
