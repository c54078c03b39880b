import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type Logger } from "../adapters/logger";
import { type ReplyIntent as StoredReplyIntent } from "../adapters/store";
import { TABLE } from "../adapters/tableSchema";
import { deliverReply, type OutboundDependencies } from "./deliverReply";
import { fromStoredIntent } from "./wiring";

export interface OutboxDependencies {
  readonly documents: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly outbound: OutboundDependencies;
  readonly logger: Logger;
}

export interface OutboxRun {
  readonly delivered: number;
  readonly failed: number;
  /** Already handled by another run (the delivery ledger said so): only the outbox item is settled. */
  readonly duplicates: number;
}

/**
 * Sends the replies the webhooks queued with `storeOutbox` (Slack events, Meta messages: replies
 * that cannot ride in the webhook response), oldest first: Query gsi1 OUTBOX#pending, deliver each
 * through deliverReply (so at most once per delivery key), then settle the outbox item (status
 * sent/failed, out of the pending index) if it is still pending. Needs an entry point that runs it
 * (runtime/handlers/outbox.ts, on a schedule) with the platforms' bot tokens and the DLQ.
 * `keepGoing` is asked before each reply: once it says no, the rest stay pending for the next run
 * (a Lambda that stops before its timeout never leaves a reply claimed but unsent).
 */
export async function processOutbox(deps: OutboxDependencies, limit = 25, keepGoing: () => boolean = () => true): Promise<OutboxRun> {
  const { byStatus } = TABLE.indexes;
  const { Items } = await deps.documents.send(
    new QueryCommand({
      TableName: deps.tableName,
      IndexName: byStatus.name,
      KeyConditionExpression: "#pk = :pending",
      ExpressionAttributeNames: { "#pk": byStatus.partitionKey },
      ExpressionAttributeValues: { ":pending": "OUTBOX#pending" },
      Limit: limit,
    }),
  );
  const run = { delivered: 0, failed: 0, duplicates: 0 };
  for (const item of Items ?? []) {
    if (!keepGoing()) break;
    const stored: StoredReplyIntent = {
      deliveryKey: String(item.deliveryKey),
      platform: item.platform === "meta" ? "meta" : "slack",
      address: String(item.address),
      text: String(item.text),
    };
    let intent;
    try {
      intent = fromStoredIntent(stored);
    } catch (error) {
      // A reply that cannot even be built (bad address) is settled as failed. Anything thrown while
      // delivering (store, secrets, configuration) propagates: the reply stays pending for a later run.
      if (!(error instanceof Error) || error.name !== "ConfigError") throw error;
      intent = undefined;
    }
    const result = intent === undefined ? { status: "failed" as const, reason: "address_invalid", attempts: 0 } : await deliverReply(intent, deps.outbound);
    if (result.status === "duplicate" && result.previous.state === "in_flight") continue;
    const sent = result.status === "delivered" || (result.status === "duplicate" && result.previous.state === "delivered");
    await settle(deps, item, sent ? "sent" : "failed");
    if (result.status === "duplicate") run.duplicates += 1;
    else if (sent) run.delivered += 1;
    else run.failed += 1;
  }
  deps.logger.info("outbox run", run);
  return run;
}

async function settle(deps: OutboxDependencies, item: Record<string, unknown>, status: "sent" | "failed"): Promise<void> {
  const { byStatus } = TABLE.indexes;
  try {
    await deps.documents.send(
      new UpdateCommand({
        TableName: deps.tableName,
        Key: { [TABLE.partitionKey]: item[TABLE.partitionKey], [TABLE.sortKey]: item[TABLE.sortKey] },
        UpdateExpression: "SET #status = :status REMOVE #g1pk, #g1sk",
        ConditionExpression: "#status = :pending",
        ExpressionAttributeNames: { "#status": "status", "#g1pk": byStatus.partitionKey, "#g1sk": byStatus.sortKey },
        ExpressionAttributeValues: { ":status": status, ":pending": "pending" },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
