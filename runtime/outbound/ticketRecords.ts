import { hash } from "node:crypto";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { KEYS } from "../adapters/store";
import { TABLE } from "../adapters/tableSchema";
import { type AgentMessageRef } from "./deliveryLedger";
import { type ReplyIntent } from "./replyIntent";

/**
 * What a reply leaves on its ticket, written by whoever sends it (the API, or the outbox finishing a
 * reply whose API call died): the agent's message, and the last failure. Both are idempotent, so
 * the API and the outbox may both write them.
 */
export interface TicketRecordsStore {
  readonly documents: DynamoDBDocumentClient;
  readonly tableName: string;
}

const iso = (ms: number) => new Date(ms).toISOString();
const digest = (value: string) => hash("sha256", value, "base64url").slice(0, 32);

/**
 * The agent's message on the ticket. Its key derives from the reply id and the time the reply was
 * first claimed (kept in the ledger across re-claims), so every writer writes the same item once.
 */
export async function recordAgentMessage(store: TicketRecordsStore, intent: ReplyIntent, ref: AgentMessageRef, claimedAt: number): Promise<void> {
  try {
    await store.documents.send(
      new PutCommand({
        TableName: store.tableName,
        Item: {
          [TABLE.partitionKey]: KEYS.ticket(intent.ticketId).pk,
          [TABLE.sortKey]: `MSG#${iso(claimedAt)}#${digest(intent.replyId).slice(0, 24)}`,
          type: "message",
          ticketId: intent.ticketId,
          platform: ref.platform,
          userId: ref.userId,
          author: "agent",
          agent: ref.agent,
          replyId: intent.replyId,
          text: intent.text,
          sentAt: claimedAt,
        },
        ConditionExpression: "attribute_not_exists(#pk)",
        ExpressionAttributeNames: { "#pk": TABLE.partitionKey },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** Records the final failure of a reply on its ticket, so agents see it in the ticket view. */
export async function recordReplyFailure(store: TicketRecordsStore, intent: ReplyIntent, reason: string, now: number): Promise<void> {
  if (intent.ticketId === "") return;
  try {
    await store.documents.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: KEYS.ticket(intent.ticketId),
        UpdateExpression: "SET lastReplyFailure = :failure",
        ConditionExpression: "attribute_exists(#pk)",
        ExpressionAttributeNames: { "#pk": TABLE.partitionKey },
        ExpressionAttributeValues: { ":failure": { replyId: intent.replyId, reason, at: iso(now) } },
      }),
    );
  } catch (error) {
    // A ticket that no longer exists has nothing to show the failure on; the dead letter still carries it.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
