import * as z from "zod/mini";
import { firstUse } from "../firstUse";

/**
 * A WhatsApp user as a send request addresses them: a phone number, or a BSUID (country code, a
 * period, up to 128 alphanumerics; `ENT.` for a parent BSUID)
 * (https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids).
 */
export const WHATSAPP_PHONE = /^\d{1,20}$/;
export const WHATSAPP_BSUID = /^[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}$/;
const WHATSAPP_USER = new RegExp(`${WHATSAPP_PHONE.source}|${WHATSAPP_BSUID.source}`);

/**
 * Where a reply goes, per platform: the addressing each platform's send API needs, nothing more.
 * WhatsApp and Messenger both use Meta's Graph API but address differently.
 */
const buildReplyTarget = () =>
  z.discriminatedUnion("platform", [
    z.object({ platform: z.literal("telegram"), chatId: z.string().check(z.regex(/^-?\d{1,20}$/)) }),
    // A DM to the user (channel opened first, Discord answers with the existing one) or a known channel.
    z.object({ platform: z.literal("discord"), recipientId: z.optional(z.string().check(z.regex(/^\d{1,25}$/))), channelId: z.optional(z.string().check(z.regex(/^\d{1,25}$/))) }),
    z.object({ platform: z.literal("slack"), channel: z.string().check(z.regex(/^[A-Z0-9]{1,30}$/)), threadTs: z.optional(z.string().check(z.regex(/^\d{1,12}\.\d{1,9}$/))) }),
    // `to`: the user's phone number (digits) or, for users known only by it, their business-scoped user id (BSUID).
    z.object({ platform: z.literal("whatsapp"), phoneNumberId: z.string().check(z.regex(/^\d{1,25}$/)), to: z.string().check(z.regex(WHATSAPP_USER)) }),
    z.object({ platform: z.literal("messenger"), recipientId: z.string().check(z.regex(/^\d{1,25}$/)) }),
    // The answer to a deferred Discord interaction: edits its original response (the "thinking…" message).
    z.object({ platform: z.literal("discord_followup"), applicationId: z.string().check(z.regex(/^\d{1,25}$/)), token: z.string().check(z.regex(/^[\w.-]{1,512}$/)) }),
    // The answer to a deferred Slack slash command, posted to its response_url.
    z.object({ platform: z.literal("slack_response"), responseUrl: z.string().check(z.regex(/^https?:\/\/[^\s]{1,500}$/)) }),
]);
export type ReplyTarget = z.infer<ReturnType<typeof buildReplyTarget>>;
export type OutboundPlatform = ReplyTarget["platform"];

/** One agent reply to deliver. `replyId` is the idempotency key: one id is sent at most once. */
const buildReplyIntent = () =>
  z.object({
    replyId: z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/)),
    /** The ticket the reply belongs to ("" for bot answers outside a ticket). */
    ticketId: z.string().check(z.maxLength(128)),
    target: buildReplyTarget(),
    text: z.string().check(z.minLength(1), z.maxLength(4000)),
});
export type ReplyIntent = z.infer<ReturnType<typeof buildReplyIntent>>;
/** Built on first use (firstUse.ts): of the API's routes only the reply route reads it. */
export const replyIntent = firstUse(buildReplyIntent);
