import { type DeadLetters } from "./deadLetters";
import { type DeliveryLedger, type DeliveryState } from "./deliveryLedger";
import { buildPlatformRequest, discordDmRequest, type PlatformBaseUrls } from "./platformRequests";
import { type OutboundPlatform, type ReplyIntent } from "./replyIntent";
import { type RetryPolicy } from "./retryPolicy";
import { sendWithRetry, type SendDependencies, type SendOutcome } from "./sendWithRetry";

export interface OutboundDependencies {
  readonly ledger: DeliveryLedger;
  readonly deadLetters: DeadLetters;
  /** The bot credential for a platform's send API (from the secrets adapter, cached per cold start). */
  readonly credential: (platform: OutboundPlatform) => Promise<string>;
  /** Records a final failure on the ticket so agents see it. */
  readonly recordFailure: (intent: ReplyIntent, reason: string, now: number) => Promise<void>;
  readonly baseUrls: PlatformBaseUrls;
  readonly policy: RetryPolicy;
  readonly send: SendDependencies;
}

export type DeliveryResult =
  | { readonly status: "delivered"; readonly platformMessageId: string | undefined; readonly attempts: number }
  | { readonly status: "failed"; readonly reason: string; readonly attempts: number }
  /** The reply id was already handled (or is being handled): nothing was sent this time. */
  | { readonly status: "duplicate"; readonly previous: DeliveryState };

/**
 * Delivers one reply at most once per reply id: claim in the ledger, send with bounded retries,
 * then record the outcome. After the final failure the ticket is marked and the intent goes to
 * the dead-letter queue; the ledger keeps "failed" so a re-run does not send it again.
 */
export async function deliverReply(intent: ReplyIntent, deps: OutboundDependencies): Promise<DeliveryResult> {
  const claim = await deps.ledger.claim(intent, deps.send.now());
  if (claim.state !== "claimed") return { status: "duplicate", previous: claim };
  return sendClaimed(intent, deps);
}

/**
 * The sending half of deliverReply, for a caller that claimed the reply id itself first (the API
 * records the agent's message between claim and send, so a retried request writes it only once).
 */
export async function sendClaimed(intent: ReplyIntent, deps: OutboundDependencies): Promise<Exclude<DeliveryResult, { status: "duplicate" }>> {
  const token = await deps.credential(intent.target.platform);
  const outcome = await send(intent, token, deps);
  const now = deps.send.now();
  if (outcome.delivered) {
    await deps.ledger.markDelivered(intent.replyId, outcome.platformMessageId, outcome.attempts, now);
    return { status: "delivered", platformMessageId: outcome.platformMessageId, attempts: outcome.attempts };
  }
  await deps.ledger.markFailed(intent.replyId, outcome.reason, outcome.attempts, now);
  await deps.recordFailure(intent, outcome.reason, now);
  await deps.deadLetters.send(intent, outcome.reason, now);
  return { status: "failed", reason: outcome.reason, attempts: outcome.attempts };
}

async function send(intent: ReplyIntent, token: string, deps: OutboundDependencies): Promise<SendOutcome> {
  const { target } = intent;
  if (target.platform === "discord" && target.channelId === undefined) {
    const dm = await sendWithRetry("discord", discordDmRequest(target.recipientId ?? "", token, deps.baseUrls), deps.policy, deps.send);
    if (!dm.delivered) return { ...dm, reason: `discord_dm_${dm.reason}` };
    if (dm.platformMessageId === undefined || !/^\d{1,25}$/.test(dm.platformMessageId)) return { delivered: false, reason: "discord_dm_without_id", attempts: dm.attempts };
    return sendWithRetry("discord", buildPlatformRequest(intent, token, deps.baseUrls, dm.platformMessageId), deps.policy, deps.send);
  }
  return sendWithRetry(target.platform, buildPlatformRequest(intent, token, deps.baseUrls), deps.policy, deps.send);
}
