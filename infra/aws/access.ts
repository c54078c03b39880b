import type { SecretName } from "../../runtime/env";
import type { HandlerName } from "../../runtime/routes";
import type { IndexName } from "./table";

/**
 * What each deployed function may do in AWS: the one declaration its IAM policy is generated from
 * (functionPolicy.ts), that tests compare policies with, and that issue #8 compares with the calls
 * the code really makes. Change a handler's AWS calls → change its line here.
 *
 * Not listed because every function gets them, scoped to itself: writing its own log group,
 * X-Ray trace segments (AWS only allows those on "*", see STAR_ONLY_ACTIONS) and decrypting its own
 * environment (data key via Lambda). KMS use for the table, secrets and queues follows from the
 * entries below and is only allowed through the service concerned (kms:ViaService).
 *
 * The GCS archive needs no AWS permission: Workload Identity Federation signs an
 * sts:GetCallerIdentity request with the function's own credentials, and that call needs none.
 */
export type TableAction =
  | "dynamodb:GetItem"
  | "dynamodb:PutItem"
  | "dynamodb:UpdateItem"
  | "dynamodb:DeleteItem"
  | "dynamodb:Query"
  | "dynamodb:ConditionCheckItem";

/**
 * dynamodb:LeadingKeys restricts which partition-key values a function may touch. Either the
 * patterns (StringLike) the function's keys match, or why the access pattern does not allow it.
 */
export type LeadingKeys = { readonly patterns: readonly string[] } | { readonly unrestricted: string };

export interface HandlerAccess {
  /** Actions on the table's items (resource: the table ARN only). */
  readonly table: readonly TableAction[];
  /** Indexes the function queries (dynamodb:Query on exactly these index ARNs). */
  readonly indexes: readonly IndexName[];
  readonly leadingKeys: LeadingKeys;
  /** Secrets it reads with secretsmanager:GetSecretValue (and only those ARNs reach its environment). */
  readonly secrets: readonly SecretName[];
  /** Sends replies it could not deliver to the replies dead-letter queue (sqs:SendMessage). */
  readonly deadLettersReplies: boolean;
  /** Invoked asynchronously (EventBridge Scheduler): Lambda sends failed events to its DLQ with this role. */
  readonly invokedAsync: boolean;
  /**
   * GCS archive access (environment: bucket + the external_account credential config of the
   * service account for that level — infra/gcp/archive.ts grants the writer or the reader role).
   */
  readonly archive: false | "write" | "read";
  /** Verifies agents' JWTs (environment: AUTH_* from settings.auth). */
  readonly verifiesAgentTokens: boolean;
  /**
   * Invokes the outbox function asynchronously (lambda:InvokeFunction on that function only) to
   * answer an interaction it deferred within seconds (environment: BOTFLEET_OUTBOX_FUNCTION).
   */
  readonly invokesOutbox: boolean;
  /**
   * Starts WhatsApp conversations from the business number in settings (environment:
   * BOTFLEET_WHATSAPP_PHONE_NUMBER_ID, when settings.whatsappPhoneNumberId is set). Replies queued
   * by the webhook need none: they go out from the number the user wrote to.
   */
  readonly sendsFromWhatsappNumber: boolean;
}

/** Actions AWS only authorizes on Resource "*" (they have no resource type); the only "*" we grant. */
export const STAR_ONLY_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"] as const;

/**
 * Partition keys a webhook function may touch (runtime/adapters/store.ts KEYS): its own platform's
 * users, tickets (one item per ticket whichever platform opened it, so any TICKET#) and the reply
 * outbox. Never another platform's users, exports, audit or delivery records. Applied to table
 * items only: index queries are limited by index ARN instead.
 */
const webhookLeadingKeys = (platform: SecretName, defers: boolean): LeadingKeys => ({
  patterns: [`USER#${platform}#*`, "TICKET#*", "OUTBOX#*", ...(defers ? ["DEFERRED#*"] : [])],
});

/**
 * Discord and Slack interactions must be answered within 3 s and are never redelivered: when the
 * answer may not be ready in time the webhook hands it off (a DEFERRED# item) and wakes the outbox.
 */
const DEFERS_INTERACTIONS: ReadonlySet<SecretName> = new Set(["discord", "slack"]);

const webhook = (platform: SecretName): HandlerAccess => ({
  table: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
  // A user's own tickets for /tickets (OWNER#<platform>#<user>).
  indexes: ["gsi3"],
  leadingKeys: webhookLeadingKeys(platform, DEFERS_INTERACTIONS.has(platform)),
  // The verification secret (and, for answers sent outside the response, the bot token) + origin.
  secrets: [platform, "origin"],
  // Replies that cannot ride in the response are queued in the table (OUTBOX#), not sent from here.
  deadLettersReplies: false,
  invokedAsync: false,
  invokesOutbox: DEFERS_INTERACTIONS.has(platform),
  archive: false,
  verifiesAgentTokens: false,
  sendsFromWhatsappNumber: false,
});

export const ACCESS: Readonly<Record<HandlerName, HandlerAccess>> = {
  telegram: webhook("telegram"),
  discord: webhook("discord"),
  slack: webhook("slack"),
  meta: webhook("meta"),
  health: {
    table: [],
    indexes: [],
    leadingKeys: { unrestricted: "no table access" },
    secrets: ["origin"],
    deadLettersReplies: false,
    invokedAsync: false,
    invokesOutbox: false,
    archive: false,
    verifiesAgentTokens: false,
    sendsFromWhatsappNumber: false,
  },
  api: {
    // Tickets and their messages, the owner's state when a ticket closes, audit records, export
    // jobs, the reply delivery ledger and stored dead letters; lists through gsi1/gsi2 (stats too).
    table: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"],
    indexes: ["gsi1", "gsi2"],
    leadingKeys: {
      unrestricted: "agents act on any ticket and on its owner's state on every platform (USER#*), plus audit, export and reply records: a pattern list would admit nearly every prefix",
    },
    // Agents' replies go out to every platform, so api reads every platform's token.
    secrets: ["telegram", "discord", "slack", "meta", "origin"],
    deadLettersReplies: true,
    invokedAsync: false,
    invokesOutbox: false,
    // Downloads of finished exports (GET /api/exports/{id}/download): read only.
    archive: "read",
    verifiesAgentTokens: true,
    // Agents' replies to WhatsApp tickets (without the number they answer 409).
    sendsFromWhatsappNumber: true,
  },
  export: {
    // Export jobs (EXPORT#<id>), runnable ones found through gsi1; a day's tickets through gsi2 and
    // each ticket's messages by querying its partition (TICKET#<id>).
    table: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"],
    indexes: ["gsi1", "gsi2"],
    leadingKeys: { patterns: ["TICKET#*", "EXPORT#*"] },
    secrets: [],
    deadLettersReplies: false,
    invokedAsync: true,
    invokesOutbox: false,
    archive: "write",
    verifiesAgentTokens: false,
    sendsFromWhatsappNumber: false,
  },
  outbox: {
    // What gsi1 lists as pending (OUTBOX#pending): replies the Slack and Meta webhooks queued
    // (OUTBOX#<hash>: settled with an Update), agents' replies the API left unsettled (REPLY#<id>)
    // and interactions the Discord and Slack webhooks deferred (DEFERRED#<hash>: completed with an
    // Update). Each reply is claimed and recorded in the delivery ledger (REPLY#<id>: Update to
    // claim, Get when already claimed, Update with the outcome); an agent's reply is recorded on its
    // ticket (TICKET#<id>: Put of the message, Update of lastReplyFailure). A deferred interaction's
    // delivery runs here as in its webhook: that Discord or Slack user's state (USER#…), their
    // tickets (TICKET#, and gsi3 for /tickets). Failures go to the replies DLQ.
    table: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
    indexes: ["gsi1", "gsi3"],
    leadingKeys: { patterns: ["OUTBOX#*", "REPLY#*", "TICKET#*", "DEFERRED#*", "USER#discord#*", "USER#slack#*"] },
    // The bot tokens of every platform it may send to: queued replies go to Slack and Meta, agents'
    // replies it finishes to any platform.
    secrets: ["telegram", "discord", "slack", "meta"],
    deadLettersReplies: true,
    invokedAsync: true,
    invokesOutbox: false,
    archive: false,
    verifiesAgentTokens: false,
    sendsFromWhatsappNumber: false,
  },
};
