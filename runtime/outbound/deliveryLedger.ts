import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { TABLE } from "../adapters/tableSchema";
import { type ReplyIntent } from "./replyIntent";

/** What the ledger knows about one reply id. */
export type DeliveryState =
  | { readonly state: "claimed" }
  | { readonly state: "delivered"; readonly platformMessageId: string | undefined }
  | { readonly state: "failed"; readonly reason: string }
  /** Another invocation holds the send lease right now. */
  | { readonly state: "in_flight" };

/** Delivery records are kept this long, then DynamoDB TTL removes them. */
const RECORD_TTL_SECONDS = 30 * 24 * 3600;

const key = (replyId: string) => ({ [TABLE.partitionKey]: `REPLY#${replyId}`, [TABLE.sortKey]: "DELIVERY" });

/**
 * The idempotency record of outbound replies: a conditional Put claims a reply id before anything
 * is sent, so a retried API call or a re-run never sends it twice. The claim is a lease: if the
 * claiming invocation dies mid-send, another may claim it after `leaseMs` (at-least-once; a crash
 * between the platform's accept and `markDelivered` can then send twice — the one window left).
 */
export class DeliveryLedger {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly leaseMs = 60_000,
  ) {}

  async claim(intent: ReplyIntent, now: number): Promise<DeliveryState> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key(intent.replyId),
            kind: "delivery",
            status: "sending",
            ticketId: intent.ticketId,
            platform: intent.target.platform,
            leaseUntil: now + this.leaseMs,
            updatedAt: now,
            [TABLE.ttlAttribute]: Math.floor(now / 1000) + RECORD_TTL_SECONDS,
          },
          ConditionExpression: "attribute_not_exists(#pk) OR (#status = :sending AND #lease < :now)",
          ExpressionAttributeNames: { "#pk": TABLE.partitionKey, "#status": "status", "#lease": "leaseUntil" },
          ExpressionAttributeValues: { ":sending": "sending", ":now": now },
        }),
      );
      return { state: "claimed" };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return this.read(intent.replyId);
    }
  }

  async read(replyId: string): Promise<DeliveryState> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: key(replyId), ConsistentRead: true }));
    if (Item?.status === "delivered") return { state: "delivered", platformMessageId: Item.platformMessageId as string | undefined };
    if (Item?.status === "failed") return { state: "failed", reason: String(Item.reason) };
    return { state: "in_flight" };
  }

  markDelivered(replyId: string, platformMessageId: string | undefined, attempts: number, now: number): Promise<unknown> {
    return this.finish(replyId, now, { status: "delivered", attempts, ...(platformMessageId ? { platformMessageId } : {}) });
  }

  markFailed(replyId: string, reason: string, attempts: number, now: number): Promise<unknown> {
    return this.finish(replyId, now, { status: "failed", reason, attempts });
  }

  private finish(replyId: string, now: number, fields: Record<string, string | number>): Promise<unknown> {
    const names: Record<string, string> = { "#status": "status", "#updatedAt": "updatedAt" };
    const values: Record<string, string | number> = { ":sending": "sending", ":updatedAt": now };
    const sets = ["#updatedAt = :updatedAt"];
    for (const [field, value] of Object.entries(fields)) {
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    return this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key(replyId),
        UpdateExpression: `SET ${sets.join(", ")} REMOVE leaseUntil`,
        ConditionExpression: "#status = :sending",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }
}
