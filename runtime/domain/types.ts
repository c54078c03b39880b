/** The platforms a bot user can talk to us on. */
export const PLATFORMS = ["telegram", "discord", "slack", "meta"] as const;
export type Platform = (typeof PLATFORMS)[number];

/** A bot user is identified by platform + the platform's user id; every ticket read checks both. */
export interface UserKey {
  readonly platform: Platform;
  readonly userId: string;
}

export type TicketStatus = "open" | "closed";

export interface Ticket {
  readonly id: string;
  readonly owner: UserKey;
  readonly subject: string;
  readonly status: TicketStatus;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface TicketMessage {
  readonly ticketId: string;
  readonly owner: UserKey;
  /** Platform delivery that carried it; with `sentAt` it makes the message's store key, so a retry rewrites nothing. */
  readonly deliveryKey: string;
  readonly author: "user";
  readonly text: string;
  /**
   * Epoch milliseconds, from the platform's own timestamp. Copies of one delivery may carry
   * different ones (a Messenger event without its own timestamp takes its batch's `time`, and a
   * redelivery may come in another batch), so a plain text appended on the fast path uses the one
   * recorded with its claim.
   */
  readonly sentAt: number;
}

/** What the bot answers to one delivery. `private` answers are ephemeral where the platform can. */
export type Answer =
  | { readonly kind: "silent" }
  | { readonly kind: "text"; readonly text: string; readonly private: boolean };

/** Guided /ticket flow: waiting for the subject, until `expiresAt`. */
export interface PendingFlow {
  readonly step: "awaitingSubject";
  readonly expiresAt: number;
}

export interface TokenBucket {
  readonly tokens: number;
  /** When `tokens` was last computed, epoch ms. */
  readonly at: number;
  /** The one "slow down" notice of the current throttled stretch was sent. */
  readonly noticeSent: boolean;
}

/**
 * A delivery handled by `decide` (commands, and texts that were not a plain append), remembered so
 * a platform retry gets the same answer and no second effect. `answer` is dropped after
 * `dedupeTtlHours` (absent = silent); the record itself stays for the whole dedupe window.
 */
export interface DeliveryRecord {
  readonly at: number;
  readonly answer?: Answer;
}

/** The ticket a user opened last: a repeated `/ticket <same subject>` reuses it, the ticket limit falls back to it. */
export interface OpenedTicket {
  readonly id: string;
  readonly subject: string;
  /** When it was opened (the deciding delivery's clock), epoch ms. */
  readonly at: number;
}

/** A write a committed decision still has to make (see Intent). */
export type Effect =
  | { readonly type: "createTicket"; readonly ticket: Ticket }
  | { readonly type: "appendMessage"; readonly message: TicketMessage }
  | { readonly type: "closeTicket"; readonly ticket: Ticket; readonly at: number }
  | { readonly type: "reopenTicket"; readonly ticketId: string; readonly owner: UserKey; readonly at: number };

/**
 * The effects (and queued answer) of the last committed decision, stored in the same write that
 * commits it: applied only after that commit won, by its own delivery and by whichever delivery of
 * the user comes next (every effect is idempotent), then removed.
 */
export interface Intent {
  /** deliveryHash of the delivery that decided it. */
  readonly delivery: string;
  readonly effects: readonly Effect[];
  /** The answer, when it goes out through the outbox (Slack events, Meta) rather than in the webhook response. */
  readonly reply?: QueuedReply;
}

/** An answer queued for the outbound port, keyed by its delivery (queuing it twice is a no-op). */
export interface QueuedReply {
  readonly deliveryKey: string;
  readonly platform: "slack" | "meta";
  readonly address: string;
  readonly text: string;
}

/** Everything the bot keeps per user (one store item; decisions commit with an optimistic version check). */
export interface UserState {
  /** 0 = not stored yet. */
  readonly version: number;
  /** Random per-user secret (hex) from which this user's ticket ids are derived; never shown. */
  readonly salt: string;
  readonly openTicketId?: string;
  readonly flow?: PendingFlow;
  /** Limits the answers the bot sends this user (never what the user writes). */
  readonly bucket: TokenBucket;
  /** Limits how many tickets the user opens (absent in states stored before the limit: full). */
  readonly opens?: TokenBucket;
  readonly lastOpened?: OpenedTicket;
  /** Deliveries handled by `decide`, by deliveryHash. */
  readonly handled: Readonly<Record<string, DeliveryRecord>>;
  /**
   * Plain texts appended on the fast path, by UTC day number of the append, then deliveryHash →
   * the ticket they went to. Written by the store's atomic claim, never by `decide`; `decide` only
   * forgets days older than the dedupe window.
   */
  readonly appended: Readonly<Record<number, Readonly<Record<string, string>>>>;
  /**
   * The same days and deliveries → the `sentAt` the claiming copy carried, recorded in the claim's
   * own write: every copy and retry of the delivery completes it with this one, so the message (its
   * key includes `sentAt`) is the same whichever copy writes it. Claims stored before it was
   * recorded have none (the delivery engine pins one on their first completion).
   */
  readonly appendedSentAt?: Readonly<Record<number, Readonly<Record<string, number>>>>;
  /** Effects of the last committed decision, until they are known to be applied. */
  readonly intent?: Intent;
  /** Deliveries remembered by the previous state layout (by delivery key), honoured until they expire. */
  readonly legacy?: Readonly<Record<string, DeliveryRecord>>;
}

/** One inbound chat message or command, already verified and parsed by a platform module. */
export interface Inbound {
  readonly user: UserKey;
  /** Platform-unique delivery id, e.g. `telegram:update:1234`. */
  readonly deliveryKey: string;
  readonly text: string;
  /** Epoch ms from the platform (message date, event time, interaction snowflake). */
  readonly sentAt: number;
}

export interface ConversationSettings {
  /** Answers the bot sends a user: a burst of `capacity`, then `refillPerMinute`. */
  readonly rateLimit: { readonly capacity: number; readonly refillPerMinute: number };
  readonly conversationTtlMinutes: number;
  /** How long an answer is kept for a retry (and a queued reply lives). Delivery ids are kept longer: DEDUPE_WINDOW_DAYS. */
  readonly dedupeTtlHours: number;
  /** Tickets a user may open per hour (a burst of as many). @default DEFAULT_TICKET_OPENS_PER_HOUR */
  readonly ticketOpensPerHour?: number;
}
