import * as z from "zod/mini";

/**
 * Where a reply goes, per platform: the addressing each platform's send API needs, nothing more.
 * WhatsApp and Messenger both use Meta's Graph API but address differently.
 */
export const replyTarget = z.discriminatedUnion("platform", [
  z.object({ platform: z.literal("telegram"), chatId: z.string().check(z.regex(/^-?\d{1,20}$/)) }),
  // A DM to the user (channel opened first, Discord answers with the existing one) or a known channel.
  z.object({ platform: z.literal("discord"), recipientId: z.optional(z.string().check(z.regex(/^\d{1,25}$/))), channelId: z.optional(z.string().check(z.regex(/^\d{1,25}$/))) }),
  z.object({ platform: z.literal("slack"), channel: z.string().check(z.regex(/^[A-Z0-9]{1,30}$/)), threadTs: z.optional(z.string().check(z.regex(/^\d{1,12}\.\d{1,9}$/))) }),
  z.object({ platform: z.literal("whatsapp"), phoneNumberId: z.string().check(z.regex(/^\d{1,25}$/)), to: z.string().check(z.regex(/^\d{1,20}$/)) }),
  z.object({ platform: z.literal("messenger"), recipientId: z.string().check(z.regex(/^\d{1,25}$/)) }),
]);
export type ReplyTarget = z.infer<typeof replyTarget>;
export type OutboundPlatform = ReplyTarget["platform"];

/** One agent reply to deliver. `replyId` is the idempotency key: one id is sent at most once. */
export const replyIntent = z.object({
  replyId: z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/)),
  /** The ticket the reply belongs to ("" for bot answers outside a ticket). */
  ticketId: z.string().check(z.maxLength(128)),
  target: replyTarget,
  text: z.string().check(z.minLength(1), z.maxLength(4000)),
});
export type ReplyIntent = z.infer<typeof replyIntent>;
