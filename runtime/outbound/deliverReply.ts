import { type DeadLetters } from "./deadLetters";
import { type DeliveryLedger, type DeliveryState } from "./deliveryLedger";
import { buildPlatformRequest, type PlatformBaseUrls } from "./platformRequests";
import { type OutboundPlatform, type ReplyIntent } from "./replyIntent";
import { type RetryPolicy } from "./retryPolicy";
import { sendWithRetry, type SendDependencies } from "./sendWithRetry";

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

  const token = await deps.credential(intent.target.platform);
  const outcome = await sendWithRetry(intent.target.platform, buildPlatformRequest(intent, token, deps.baseUrls), deps.policy, deps.send);
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
