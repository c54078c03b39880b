/**
 * The fixed time budgets the handlers work to, in one module without imports: the deployed
 * functions' timeouts are checked against them (http/functionBudgets.ts) by the program, which must
 * not load the handlers and their SDK clients to read a few numbers.
 */

/**
 * Meta waits 20 s for an answer before it counts a delivery as failed
 * (https://developers.facebook.com/docs/messenger-platform/faq: "A webhook call will timeout after
 * 20 seconds"); a batch still running then is redelivered anyway.
 */
export const META_RESPONSE_LIMIT_MS = 20_000;

/** Time kept back to answer (and for one message already started to finish). */
export const META_SETTLE_MARGIN_MS = 1_500;

/**
 * Discord and Slack want the first answer to an interaction within 3 seconds of sending it
 * (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-callback,
 * https://docs.slack.dev/interactivity/implementing-slash-commands#responding_basic_receipt), and
 * neither ever sends it again. The webhook answers with the result when it is ready by
 * INTERACTION_ANSWER_BY_MS after API Gateway received the request; otherwise (a cold start, a slow
 * or failing store) it hands the work off — a deferred item for the outbox function, which it also
 * wakes — and acknowledges at once (Discord type 5, Slack an empty 200). In Lambda nothing runs after
 * the handler returns, so the hand-off is written before answering.
 */
export const INTERACTION_ANSWER_BY_MS = 2_000;

/** Kept back from the invocation's own end for the hand-off (one PutItem, one asynchronous Invoke). */
export const HANDOFF_RESERVE_MS = 800;

/** Less time than this left for the send: it is not started; the claim's lease runs out and the outbox sends it. */
export const MIN_SEND_MS = 1_000;

/**
 * Time kept back after the last platform request to record the outcome: the ledger, the ticket's
 * failure, the dead letter and leaving the pending index — four store or queue calls.
 */
export const SETTLE_MARGIN_MS = 2_000;

/** A running attempt older than this is presumed dead (the function timed out) and may be retried. */
export const EXPORT_LEASE_MS = 15 * 60_000;

/** Kept back from the invocation's end to check the checksum, audit and answer. */
export const DOWNLOAD_SETTLE_MS = 1_500;

/**
 * A reply is started only with this much of the invocation left: one send (MIN_SEND_MS) and the
 * time to record its outcome (SETTLE_MARGIN_MS), with room to spare.
 */
export const OUTBOX_REPLY_RESERVE_MS = MIN_SEND_MS + SETTLE_MARGIN_MS + 2_000;
