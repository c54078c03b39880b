import { type DeadLetters } from "./deadLetters";
import { type AgentMessageRef, type DeliveryLedger, type DeliveryState, OUTCOME_UNKNOWN } from "./deliveryLedger";
import { buildPlatformRequest, discordDmRequest, type PlatformBaseUrls } from "./platformRequests";
import { type OutboundPlatform, type ReplyIntent } from "./replyIntent";
import { type RetryPolicy } from "./retryPolicy";
import { sendWithRetry, type SendDependencies, type SendOutcome } from "./sendWithRetry";
import { MIN_SEND_MS, SETTLE_MARGIN_MS } from "../timeBudgets";

export interface OutboundDependencies {
  readonly ledger: DeliveryLedger;
  readonly deadLetters: DeadLetters;
  /** The bot credential for a platform's send API (from the secrets adapter, cached per cold start). */
  readonly credential: (platform: OutboundPlatform) => Promise<string>;
  /** Records a final failure on the ticket so agents see it (idempotent). */
  readonly recordFailure: (intent: ReplyIntent, reason: string, now: number) => Promise<void>;
  /** Records an agent's reply as a message on its ticket (idempotent: keyed by reply id and first claim). */
  readonly recordAgentMessage: (intent: ReplyIntent, ref: AgentMessageRef, claimedAt: number) => Promise<void>;
  readonly baseUrls: PlatformBaseUrls;
  readonly policy: RetryPolicy;
  readonly send: SendDependencies;
}

/** How long this delivery may take: both limits come from the invocation's own deadline. */
export interface DeliveryWindow {
  /** The claim's lease: the invocation's end plus a margin. After it, the outbox may take the reply over. */
  readonly leaseUntil: number;
  /** No platform request runs past this (the invocation's end minus the time to record the outcome). */
  readonly sendUntil: number;
  /** List the claim for the outbox with its intent (agents' replies); queued webhook replies have their own outbox item. */
  readonly listForOutbox?: boolean;
  /** An agent's reply: recorded on the ticket by whoever sends it (kept with a listed claim). */
  readonly agentMessage?: AgentMessageRef;
}

/** A claim outlives its invocation by this much, so when its lease is over its holder is surely gone. */
export const LEASE_MARGIN_MS = 5_000;

/** The delivery window of an invocation that ends at `deadlineAt` (epoch ms). */
export function windowBefore(deadlineAt: number, options: Pick<DeliveryWindow, "listForOutbox" | "agentMessage"> = {}): DeliveryWindow {
  return { leaseUntil: deadlineAt + LEASE_MARGIN_MS, sendUntil: deadlineAt - SETTLE_MARGIN_MS, ...options };
}

export type DeliveryResult =
  | { readonly status: "delivered"; readonly platformMessageId: string | undefined; readonly attempts: number }
  | { readonly status: "failed"; readonly reason: string; readonly attempts: number }
  /** Not sent yet (no time left in this invocation): the outbox sends it once the lease is over. */
  | { readonly status: "pending" }
  /** The reply id was already handled (or is being handled): nothing was sent this time. */
  | { readonly status: "duplicate"; readonly previous: DeliveryState };

/**
 * Delivers one reply at most once per reply id: claim in the ledger, send with bounded retries
 * inside the window, then record the outcome. After the final failure the ticket is marked and the
 * intent goes to the dead-letter queue. A claim found half done is finished here: a recorded
 * failure whose dead letter is missing gets it; a claim abandoned mid-send is settled as failed
 * (outcome unknown) — never sent a second time.
 */
export async function deliverReply(intent: ReplyIntent, deps: OutboundDependencies, window: DeliveryWindow): Promise<DeliveryResult> {
  const now = deps.send.now();
  const claim = await deps.ledger.claim(intent, now, window);
  switch (claim.state) {
    case "claimed":
      if (window.agentMessage !== undefined) await deps.recordAgentMessage(intent, window.agentMessage, claim.claimedAt);
      return sendClaimed(intent, deps, window);
    case "failed":
      if (!claim.deadLettered) await finishFailure(intent, claim.reason, deps);
      return { status: "duplicate", previous: claim };
    case "abandoned":
      if (await deps.ledger.settleAbandoned(intent.replyId, now)) {
        await finishFailure(intent, OUTCOME_UNKNOWN, deps);
        return { status: "failed", reason: OUTCOME_UNKNOWN, attempts: 0 };
      }
      return { status: "duplicate", previous: await deps.ledger.read(intent.replyId, deps.send.now()) };
    default:
      return { status: "duplicate", previous: claim };
  }
}

/** The sending half of deliverReply, once the reply id is claimed (and an agent's message recorded). */
async function sendClaimed(intent: ReplyIntent, deps: OutboundDependencies, window: Pick<DeliveryWindow, "sendUntil">): Promise<Exclude<DeliveryResult, { status: "duplicate" }>> {
  if (window.sendUntil - deps.send.now() < MIN_SEND_MS) return { status: "pending" };
  const token = await deps.credential(intent.target.platform);
  await deps.ledger.markAttempt(intent.replyId, deps.send.now());
  const outcome = await send(intent, token, deps, window.sendUntil);
  const now = deps.send.now();
  if (outcome.delivered) {
    await deps.ledger.markDelivered(intent.replyId, outcome.platformMessageId, outcome.attempts, now);
    return { status: "delivered", platformMessageId: outcome.platformMessageId, attempts: outcome.attempts };
  }
  await deps.ledger.markFailed(intent.replyId, outcome.reason, outcome.attempts, now);
  await finishFailure(intent, outcome.reason, deps);
  return { status: "failed", reason: outcome.reason, attempts: outcome.attempts };
}

/** After the outcome "failed" is recorded: mark the ticket, write the dead letter, then leave the pending index. Each step may be redone. */
async function finishFailure(intent: ReplyIntent, reason: string, deps: OutboundDependencies): Promise<void> {
  const now = deps.send.now();
  await deps.recordFailure(intent, reason, now);
  await deps.deadLetters.send(intent, reason, now);
  await deps.ledger.markDeadLettered(intent.replyId, now);
}

async function send(intent: ReplyIntent, token: string, deps: OutboundDependencies, until: number): Promise<SendOutcome> {
  const { target } = intent;
  if (target.platform === "discord" && target.channelId === undefined) {
    const dm = await sendWithRetry("discord", discordDmRequest(target.recipientId ?? "", token, deps.baseUrls), deps.policy, deps.send, until);
    if (!dm.delivered) return { ...dm, reason: `discord_dm_${dm.reason}` };
    if (dm.platformMessageId === undefined || !/^\d{1,25}$/.test(dm.platformMessageId)) return { delivered: false, reason: "discord_dm_without_id", attempts: dm.attempts };
    return sendWithRetry("discord", buildPlatformRequest(intent, token, deps.baseUrls, dm.platformMessageId), deps.policy, deps.send, until);
  }
  return sendWithRetry(target.platform, buildPlatformRequest(intent, token, deps.baseUrls), deps.policy, deps.send, until);
}
