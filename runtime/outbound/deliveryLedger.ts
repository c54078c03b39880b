import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { TABLE } from "../adapters/tableSchema";
import { type ReplyIntent } from "./replyIntent";

/**
 * What the ledger knows about one reply id. Every reply ends in `delivered` or `failed` (with its
 * dead letter written): a claim is a lease, and a claim whose holder died is found and settled.
 */
export type DeliveryState =
  | { readonly state: "claimed"; readonly claimedAt: number }
  | { readonly state: "delivered"; readonly platformMessageId: string | undefined }
  /** `deadLettered` false: the outcome is recorded but the dead letter may not be written yet. */
  | { readonly state: "failed"; readonly reason: string; readonly deadLettered: boolean }
  /** Another invocation holds the send lease right now. */
  | { readonly state: "in_flight" }
  /**
   * The claim's holder died (lease over) after it had started sending: the platform may or may not
   * have the message. Sending again could show it twice, so it is settled as failed
   * ("outcome_unknown") and dead-lettered for an operator to check.
   */
  | { readonly state: "abandoned"; readonly claimedAt: number };

/** Delivery records are kept this long, then DynamoDB TTL removes them. */
const RECORD_TTL_SECONDS = 30 * 24 * 3600;
const { byStatus } = TABLE.indexes;
/** Replies not settled yet are listed here (gsi1, with the queued webhook replies) for the outbox. */
export const PENDING_PARTITION = "OUTBOX#pending";

/** The ticket owner and the agent of an agent's reply (what its message record on the ticket needs). */
export interface AgentMessageRef {
  readonly agent: string;
  readonly platform: string;
  readonly userId: string;
}

export const ledgerKey = (replyId: string) => ({ [TABLE.partitionKey]: `REPLY#${replyId}`, [TABLE.sortKey]: "DELIVERY" });

export interface ClaimOptions {
  /** Until when the claimant may send (its invocation's end plus a margin): after it, the claim is free again. */
  readonly leaseUntil: number;
  /**
   * List the claim in the outbox's pending index, with the intent, so the outbox function finishes
   * it if the claimant dies (agents' replies). Replies the webhooks queued already have their
   * pending outbox item.
   */
  readonly listForOutbox?: boolean;
  /** An agent's reply: who wrote it and whose ticket it is, so whoever sends it also records it on the ticket. */
  readonly agentMessage?: AgentMessageRef;
}

/**
 * The idempotency record of outbound replies (REPLY#<replyId>): a conditional write claims a reply
 * id before anything is sent, so a retried API call or a re-run never sends it twice. States:
 *
 *   (none) ─claim→ sending{lease} ─markAttempt→ sending{lease, attemptedAt}
 *   sending ─markDelivered→ delivered                      (settled)
 *   sending ─markFailed→ failed ─markDeadLettered→ failed{deadLettered}   (settled)
 *   sending{lease over, never attempted} ─claim→ sending{new lease}        (nothing was sent: send it)
 *   sending{lease over, attempted} ─settleAbandoned→ failed("outcome_unknown")
 *
 * A reply is in the pending index from claim until settled, so a claimant killed at any step leaves
 * it where the outbox finds it.
 */
export class DeliveryLedger {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(intent: ReplyIntent, now: number, options: ClaimOptions): Promise<DeliveryState> {
    const listed = options.listForOutbox === true;
    try {
      const out = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: ledgerKey(intent.replyId),
          UpdateExpression: [
            "SET #kind = :kind, #status = :sending, leaseUntil = :lease, updatedAt = :now, claimedAt = if_not_exists(claimedAt, :now)",
            "ticketId = :ticketId, platform = :platform, #ttl = :ttl",
            ...(listed ? ["intent = if_not_exists(intent, :intent)", "#g1pk = :pending", "#g1sk = if_not_exists(#g1sk, :g1sk)"] : []),
            ...(options.agentMessage !== undefined ? ["agentMessage = if_not_exists(agentMessage, :agentMessage)"] : []),
          ].join(", "),
          ConditionExpression: "attribute_not_exists(#pk) OR (#status = :sending AND leaseUntil < :now AND attribute_not_exists(attemptedAt))",
          ExpressionAttributeNames: {
            "#pk": TABLE.partitionKey,
            "#kind": "kind",
            "#status": "status",
            "#ttl": TABLE.ttlAttribute,
            ...(listed ? { "#g1pk": byStatus.partitionKey, "#g1sk": byStatus.sortKey } : {}),
          },
          ExpressionAttributeValues: {
            ":kind": "delivery",
            ":sending": "sending",
            ":lease": options.leaseUntil,
            ":now": now,
            ":ticketId": intent.ticketId,
            ":platform": intent.target.platform,
            ":ttl": Math.floor(now / 1000) + RECORD_TTL_SECONDS,
            ...(listed ? { ":intent": intent, ":pending": PENDING_PARTITION, ":g1sk": `${new Date(now).toISOString()}#REPLY#${intent.replyId}` } : {}),
            ...(options.agentMessage !== undefined ? { ":agentMessage": options.agentMessage } : {}),
          },
          ReturnValues: "ALL_NEW",
        }),
      );
      return { state: "claimed", claimedAt: Number(out.Attributes?.claimedAt ?? now) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return this.read(intent.replyId, now);
    }
  }

  async read(replyId: string, now: number): Promise<DeliveryState> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: ledgerKey(replyId), ConsistentRead: true }));
    if (Item?.status === "delivered") return { state: "delivered", platformMessageId: Item.platformMessageId as string | undefined };
    if (Item?.status === "failed") return { state: "failed", reason: String(Item.reason), deadLettered: Item.deadLettered === true };
    if (Item?.status === "sending" && Number(Item.leaseUntil) < now && Item.attemptedAt !== undefined) return { state: "abandoned", claimedAt: Number(Item.claimedAt) };
    return { state: "in_flight" };
  }

  /** Recorded before the first request reaches the platform: from here on, a lost outcome is unknown, never resent. */
  markAttempt(replyId: string, now: number): Promise<unknown> {
    return this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKey(replyId),
        UpdateExpression: "SET attemptedAt = if_not_exists(attemptedAt, :now)",
        ConditionExpression: "#status = :sending",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":sending": "sending", ":now": now },
      }),
    );
  }

  markDelivered(replyId: string, platformMessageId: string | undefined, attempts: number, now: number): Promise<unknown> {
    return this.finish(replyId, now, { status: "delivered", attempts, ...(platformMessageId ? { platformMessageId } : {}) }, true);
  }

  /** The outcome; the reply stays pending until its dead letter is written (markDeadLettered). */
  markFailed(replyId: string, reason: string, attempts: number, now: number): Promise<unknown> {
    return this.finish(replyId, now, { status: "failed", reason, attempts }, false);
  }

  /** A claim whose holder died mid-send (state `abandoned`): failed, outcome unknown. False if someone settled it first. */
  async settleAbandoned(replyId: string, now: number): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: ledgerKey(replyId),
          UpdateExpression: "SET #status = :failed, reason = :reason, updatedAt = :now REMOVE leaseUntil",
          ConditionExpression: "#status = :sending AND leaseUntil < :now AND attribute_exists(attemptedAt)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":failed": "failed", ":sending": "sending", ":reason": OUTCOME_UNKNOWN, ":now": now },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** The dead letter is written: the reply is settled and leaves the pending index. */
  markDeadLettered(replyId: string, now: number): Promise<unknown> {
    return this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: ledgerKey(replyId),
        UpdateExpression: "SET deadLettered = :true, updatedAt = :now REMOVE #g1pk, #g1sk",
        ConditionExpression: "#status = :failed",
        ExpressionAttributeNames: { "#status": "status", "#g1pk": byStatus.partitionKey, "#g1sk": byStatus.sortKey },
        ExpressionAttributeValues: { ":failed": "failed", ":true": true, ":now": now },
      }),
    );
  }

  private finish(replyId: string, now: number, fields: Record<string, string | number>, settled: boolean): Promise<unknown> {
    const names: Record<string, string> = { "#status": "status", "#updatedAt": "updatedAt", ...(settled ? { "#g1pk": byStatus.partitionKey, "#g1sk": byStatus.sortKey } : {}) };
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
        Key: ledgerKey(replyId),
        UpdateExpression: `SET ${sets.join(", ")} REMOVE leaseUntil${settled ? ", #g1pk, #g1sk" : ""}`,
        ConditionExpression: "#status = :sending",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }
}

/** The reason recorded for a reply whose sender died after the platform may have received it. */
export const OUTCOME_UNKNOWN = "outcome_unknown";
