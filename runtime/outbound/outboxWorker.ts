import { hash } from "node:crypto";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { DEFERRED_PREFIX, type DeferredInteractions } from "../adapters/deferred";
import { type Logger } from "../adapters/logger";
import type { Answer, Inbound } from "../domain/types";
import { type ReplyIntent as StoredReplyIntent } from "../adapters/store";
import { TABLE } from "../adapters/tableSchema";
import { type DeliveryResult, deliverReply, type DeliveryWindow, type OutboundDependencies } from "./deliverReply";
import { type AgentMessageRef, PENDING_PARTITION } from "./deliveryLedger";
import { isSlackResponseUrl } from "./platformRequests";
import { type ReplyIntent, replyIntent } from "./replyIntent";
import { fromStoredIntent } from "./wiring";

export interface OutboxDependencies {
  readonly documents: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly outbound: OutboundDependencies;
  readonly logger: Logger;
  /** Interactions the Discord and Slack webhooks deferred: answered here (unset: left pending). */
  readonly deferred?: DeferredAnswers;
}

export interface DeferredAnswers {
  readonly store: DeferredInteractions;
  /** Runs the delivery (idempotent per delivery key) and gives its answer. */
  answer(inbound: Inbound): Promise<Answer>;
}

/** A follow-up is not attempted this close to the end of its credential's life. */
export const FOLLOW_UP_SAFETY_MS = 10_000;

export interface OutboxRun {
  readonly delivered: number;
  readonly failed: number;
  /** Already handled by another run (the delivery ledger said so): only the outbox item is settled. */
  readonly duplicates: number;
  /** Listed but not settled this run: another invocation holds it, or there was no time to send. */
  readonly pending: number;
}

/**
 * Sends what the pending index (gsi1 OUTBOX#pending) lists, oldest first:
 * - replies the webhooks queued (`OUTBOX#<hash>`, Slack events and Meta messages): delivered through
 *   deliverReply (at most once per delivery key), then the outbox item is settled sent/failed;
 * - agents' replies whose API call ended before they were settled (`REPLY#<id>`, the ledger's own
 *   listing): finished through deliverReply — sent if nothing had been sent yet, otherwise settled
 *   as failed with the outcome unknown, the dead letter written;
 * - Discord and Slack interactions their webhook deferred (`DEFERRED#<hash>`): answered through
 *   their follow-up (answerDeferred).
 * `window()` is asked before each reply: the invocation's remaining time decides whether one more
 * fits (undefined: stop; the rest stays pending for the next run).
 */
export async function processOutbox(deps: OutboxDependencies, limit = 25, window: () => DeliveryWindow | undefined = () => ({ leaseUntil: Date.now() + 60_000, sendUntil: Number.POSITIVE_INFINITY })): Promise<OutboxRun> {
  const { byStatus } = TABLE.indexes;
  const { Items } = await deps.documents.send(
    new QueryCommand({
      TableName: deps.tableName,
      IndexName: byStatus.name,
      KeyConditionExpression: "#pk = :pending",
      ExpressionAttributeNames: { "#pk": byStatus.partitionKey },
      ExpressionAttributeValues: { ":pending": PENDING_PARTITION },
      Limit: limit,
    }),
  );
  const run = { delivered: 0, failed: 0, duplicates: 0, pending: 0 };
  for (const item of Items ?? []) {
    const current = window();
    if (current === undefined) break;
    const pk = String(item[TABLE.partitionKey]);
    const result = pk.startsWith("REPLY#") ? await finishAgentReply(deps, item, current) : pk.startsWith(DEFERRED_PREFIX) ? await answerDeferred(deps, item, current) : await sendQueuedReply(deps, item, current);
    if (result === "pending") run.pending += 1;
    else run[result] += 1;
  }
  deps.logger.info("outbox run", run);
  return run;
}

type Counted = "delivered" | "failed" | "duplicates" | "pending";

async function sendQueuedReply(deps: OutboxDependencies, item: Record<string, unknown>, window: DeliveryWindow): Promise<Counted> {
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
  const result: DeliveryResult = intent === undefined ? { status: "failed", reason: "address_invalid", attempts: 0 } : await deliverReply(intent, deps.outbound, window);
  const counted = count(result);
  if (counted === "pending") return counted;
  const sent = result.status === "delivered" || (result.status === "duplicate" && result.previous.state === "delivered");
  await settle(deps, item, sent ? "sent" : "failed");
  return counted;
}

async function finishAgentReply(deps: OutboxDependencies, item: Record<string, unknown>, window: DeliveryWindow): Promise<Counted> {
  const intent = replyIntent().safeParse(item.intent);
  if (!intent.success) {
    deps.logger.error("listed reply without a valid intent", { replyId: String(item[TABLE.partitionKey]).slice("REPLY#".length, 80) });
    return "pending";
  }
  const ref = item.agentMessage as AgentMessageRef | undefined;
  return count(await deliverReply(intent.data, deps.outbound, { ...window, listForOutbox: true, ...(ref !== undefined ? { agentMessage: ref } : {}) }));
}

const storedDeferral = z.looseObject({
  inbound: z.looseObject({
    user: z.looseObject({ platform: z.enum(["discord", "slack"]), userId: z.string() }),
    deliveryKey: z.string(),
    text: z.string(),
    sentAt: z.number(),
  }),
  followUp: z.union([
    z.looseObject({ kind: z.literal("discord"), applicationId: z.string(), token: z.string() }),
    z.looseObject({ kind: z.literal("slack"), responseUrl: z.string() }),
  ]),
  usableUntil: z.number(),
});

/**
 * An interaction a webhook deferred: run its delivery (again, if the webhook got that far — the
 * delivery key makes it the same delivery), then send the answer as its follow-up, at most once
 * (the delivery ledger, as for any reply). Too close to the end of the follow-up credential's life
 * it is dropped as expired: the platform would refuse it.
 */
async function answerDeferred(deps: OutboxDependencies, item: Record<string, unknown>, window: DeliveryWindow): Promise<Counted> {
  const parsed = storedDeferral.safeParse(item);
  const now = deps.outbound.send.now();
  if (!parsed.success) {
    deps.logger.error("deferred interaction unreadable", {});
    return "pending";
  }
  const { inbound, followUp, usableUntil } = parsed.data;
  const store = deps.deferred?.store;
  if (deps.deferred === undefined || store === undefined) return "pending";
  if (now > usableUntil - FOLLOW_UP_SAFETY_MS) {
    deps.logger.warn("deferred interaction expired before it could be answered", { deliveryKey: inbound.deliveryKey });
    await store.complete(inbound.deliveryKey, "expired", now);
    return "failed";
  }
  if (followUp.kind === "slack" && !isSlackResponseUrl(followUp.responseUrl, deps.outbound.baseUrls)) {
    deps.logger.error("deferred interaction with a response_url that is not Slack's", { deliveryKey: inbound.deliveryKey });
    await store.complete(inbound.deliveryKey, "failed", now);
    return "failed";
  }
  const answer = await deps.deferred.answer(inbound as Inbound);
  if (answer.kind === "silent" && followUp.kind === "slack") {
    await store.complete(inbound.deliveryKey, "answered", now);
    return "delivered";
  }
  const intent: ReplyIntent = {
    replyId: hash("sha256", `${inbound.deliveryKey}\u0000followup`, "base64url").slice(0, 32),
    ticketId: "",
    target: followUp.kind === "discord" ? { platform: "discord_followup", applicationId: followUp.applicationId, token: followUp.token } : { platform: "slack_response", responseUrl: followUp.responseUrl },
    text: answer.kind === "text" ? answer.text : "…",
  };
  const result = await deliverReply(intent, deps.outbound, { ...window, sendUntil: Math.min(window.sendUntil, usableUntil - FOLLOW_UP_SAFETY_MS) });
  const counted = count(result);
  if (counted === "pending") return counted;
  const answered = result.status === "delivered" || (result.status === "duplicate" && result.previous.state === "delivered");
  await store.complete(inbound.deliveryKey, answered ? "answered" : "failed", deps.outbound.send.now());
  return counted;
}

function count(result: DeliveryResult): Counted {
  if (result.status === "delivered" || result.status === "failed" || result.status === "pending") return result.status;
  // Someone else holds it right now: it stays listed, the next run looks again.
  if (result.previous.state === "in_flight") return "pending";
  return "duplicates";
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
