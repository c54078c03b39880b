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
  /** Epoch milliseconds, from the platform's own timestamp (identical on every retry of the delivery). */
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

/** A delivery already handled, remembered so a platform retry gets the same answer and no second effect. */
export interface DeliveryRecord {
  readonly answer: Answer;
  readonly at: number;
}

/** Everything the bot keeps per user (one store item, written with an optimistic version check). */
export interface UserState {
  /** 0 = not stored yet. */
  readonly version: number;
  /** Random per-user secret (hex) from which this user's ticket ids are derived; never shown. */
  readonly salt: string;
  readonly openTicketId?: string;
  readonly flow?: PendingFlow;
  readonly bucket: TokenBucket;
  readonly recent: Readonly<Record<string, DeliveryRecord>>;
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
  readonly rateLimit: { readonly capacity: number; readonly refillPerMinute: number };
  readonly conversationTtlMinutes: number;
  readonly dedupeTtlHours: number;
}
