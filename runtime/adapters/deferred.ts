import { hash } from "node:crypto";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Inbound } from "../domain/types";
import { StoreUnavailableError } from "../errors";
import { TABLE } from "./tableSchema";

/**
 * Interactions a webhook acknowledged without an answer because the answer might not be ready
 * within the platform's 3 seconds (Discord type 5, Slack's empty 200): the delivery and where its
 * answer goes. The outbox function finds them (listed under gsi1 OUTBOX#pending, like queued
 * replies), runs the delivery — idempotent per delivery key, so running it again after the webhook
 * did is safe — and sends the answer as the interaction's follow-up.
 *
 * Keys: pk = DEFERRED#<sha256(delivery key)>, sk = DEFERRED. The follow-up credential (Discord's
 * interaction token, Slack's response_url) lives only as long as the platform honours it: the item
 * expires with it (DynamoDB TTL), and it is never logged.
 */
export type FollowUp =
  /** PATCH /webhooks/{application.id}/{token}/messages/@original; the token is valid 15 minutes. */
  | { readonly kind: "discord"; readonly applicationId: string; readonly token: string }
  /** POST to the slash command's response_url: valid 30 minutes, up to 5 times. */
  | { readonly kind: "slack"; readonly responseUrl: string };

export interface DeferredInteraction {
  readonly inbound: Inbound;
  readonly followUp: FollowUp;
  readonly deferredAt: number;
  /** After this the platform no longer accepts the follow-up. */
  readonly usableUntil: number;
}

/** How long each platform honours a follow-up (Discord: https://discord.com/developers/docs/interactions/receiving-and-responding#followup-messages; Slack: https://docs.slack.dev/interactivity/handling-user-interaction#message_responses). */
export const FOLLOW_UP_VALID_MS: Readonly<Record<FollowUp["kind"], number>> = { discord: 15 * 60_000, slack: 30 * 60_000 };

const { byStatus } = TABLE.indexes;
export const DEFERRED_PREFIX = "DEFERRED#";
export const deferredKey = (deliveryKey: string) => ({
  [TABLE.partitionKey]: `${DEFERRED_PREFIX}${hash("sha256", deliveryKey, "hex").slice(0, 32)}`,
  [TABLE.sortKey]: "DEFERRED",
});

export class DeferredInteractions {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Records the hand-off; a second call for the same delivery (a retry, a race) changes nothing. */
  async put(work: DeferredInteraction): Promise<void> {
    const key = deferredKey(work.inbound.deliveryKey);
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key,
            type: "deferred",
            status: "pending",
            inbound: work.inbound,
            followUp: work.followUp,
            deferredAt: work.deferredAt,
            usableUntil: work.usableUntil,
            [byStatus.partitionKey]: "OUTBOX#pending",
            [byStatus.sortKey]: `${new Date(work.deferredAt).toISOString()}#${String(key[TABLE.partitionKey])}`,
            [TABLE.ttlAttribute]: Math.ceil(work.usableUntil / 1000) + 3600,
          },
          ConditionExpression: "attribute_not_exists(#pk)",
          ExpressionAttributeNames: { "#pk": TABLE.partitionKey },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw new StoreUnavailableError("store deferInteraction failed", { cause: error });
    }
  }

  /** Done (answered, or no longer answerable): out of the pending index. */
  async complete(deliveryKey: string, status: "answered" | "expired" | "failed", now: number): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: deferredKey(deliveryKey),
          UpdateExpression: "SET #status = :status, completedAt = :now REMOVE #g1pk, #g1sk",
          ConditionExpression: "#status = :pending",
          ExpressionAttributeNames: { "#status": "status", "#g1pk": byStatus.partitionKey, "#g1sk": byStatus.sortKey },
          ExpressionAttributeValues: { ":status": status, ":pending": "pending", ":now": now },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
