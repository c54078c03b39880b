import { discordMessage, messengerText, slackText, telegramText, whatsappText } from "../platforms/outgoingText";
import { ConfigError } from "../errors";
import { type OutboundPlatform, type ReplyIntent, WHATSAPP_PHONE } from "./replyIntent";

/** Base URL per platform API (settings, so tests and the local stack point them at a stand-in). */
export type PlatformBaseUrls = Readonly<Record<"telegram" | "discord" | "slack" | "meta", string>>;

export const DEFAULT_BASE_URLS: PlatformBaseUrls = {
  telegram: "https://api.telegram.org",
  discord: "https://discord.com/api/v10",
  slack: "https://slack.com/api",
  meta: "https://graph.facebook.com/v21.0",
};

export interface PlatformRequest {
  /** @default "POST" */
  readonly method?: "POST" | "PATCH";
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * The HTTP request that sends `intent` through its platform's API, authenticated with `token`.
 * Every platform takes the credential in a header except Telegram: its Bot API has no other way
 * than `/bot<token>/<method>` in the path. That URL is therefore a secret: it is never logged,
 * never put in an error message, never stored.
 */
export function buildPlatformRequest(intent: ReplyIntent, token: string, baseUrls: PlatformBaseUrls, discordChannelId?: string): PlatformRequest {
  const json = { "content-type": "application/json; charset=utf-8" };
  const { target, text } = intent;
  switch (target.platform) {
    case "telegram":
      return { url: `${baseUrls.telegram}/bot${token}/sendMessage`, headers: json, body: JSON.stringify({ chat_id: target.chatId, text: telegramText(text) }) };
    case "discord":
      // Discord de-duplicates by nonce for a few minutes when enforce_nonce is set: a retry of a
      // request that reached Discord but whose answer was lost does not post twice.
      return {
        url: `${baseUrls.discord}/channels/${discordChannelId ?? target.channelId ?? ""}/messages`,
        headers: { ...json, authorization: `Bot ${token}` },
        body: JSON.stringify({ ...discordMessage(text), nonce: intent.replyId.slice(0, 25), enforce_nonce: true }),
      };
    case "slack":
      return {
        url: `${baseUrls.slack}/chat.postMessage`,
        headers: { ...json, authorization: `Bearer ${token}` },
        body: JSON.stringify({ channel: target.channel, text: slackText(text), ...(target.threadTs ? { thread_ts: target.threadTs } : {}) }),
      };
    case "whatsapp":
      return {
        url: `${baseUrls.meta}/${target.phoneNumberId}/messages`,
        headers: { ...json, authorization: `Bearer ${token}` },
        // A phone number goes in `to`; a user known only by a BSUID is addressed with `recipient`
        // (https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids).
        body: JSON.stringify({
          messaging_product: "whatsapp",
          recipient_type: "individual",
          ...(WHATSAPP_PHONE.test(target.to) ? { to: target.to } : { recipient: target.to }),
          type: "text",
          text: { body: whatsappText(text) },
        }),
      };
    case "messenger":
      return {
        url: `${baseUrls.meta}/me/messages`,
        headers: { ...json, authorization: `Bearer ${token}` },
        body: JSON.stringify({ recipient: { id: target.recipientId }, messaging_type: "RESPONSE", message: { text: messengerText(text) } }),
      };
    case "discord_followup": {
      // Edit Original Interaction Response: the interaction token in the path is the credential
      // (https://discord.com/developers/docs/interactions/receiving-and-responding#edit-original-interaction-response).
      const { content, allowed_mentions } = discordMessage(text);
      return { method: "PATCH", url: `${baseUrls.discord}/webhooks/${target.applicationId}/${target.token}/messages/@original`, headers: json, body: JSON.stringify({ content, allowed_mentions }) };
    }
    case "slack_response":
      if (!isSlackResponseUrl(target.responseUrl, baseUrls)) throw new ConfigError("slack response_url is not Slack's");
      // replace_original: the answer takes the place of anything shown for the command so far.
      return { url: target.responseUrl, headers: json, body: JSON.stringify({ response_type: "ephemeral", replace_original: true, text: slackText(text) }) };
  }
}

/**
 * Slack's response_url points at hooks.slack.com (https://docs.slack.dev/interactivity/handling-user-interaction#message_responses);
 * nothing else is ever posted to (it arrives in a request, so it is checked like any input). The
 * configured Slack base URL is allowed too: the local stack's stand-in.
 */
export function isSlackResponseUrl(url: string, baseUrls: Pick<PlatformBaseUrls, "slack">): boolean {
  return /^https:\/\/hooks\.slack\.com\/[\w/.-]+$/.test(url) || (url.startsWith(`${baseUrls.slack}/`) && !url.includes(".."));
}

/** Discord: open (or get the existing) DM channel with a user; the answer's `id` is the channel. */
export function discordDmRequest(recipientId: string, token: string, baseUrls: PlatformBaseUrls): PlatformRequest {
  return {
    url: `${baseUrls.discord}/users/@me/channels`,
    headers: { "content-type": "application/json; charset=utf-8", authorization: `Bot ${token}` },
    body: JSON.stringify({ recipient_id: recipientId }),
  };
}

/**
 * Whether a 2xx answer really means "sent": Slack and Telegram answer errors with `ok: false`
 * (Slack even with HTTP 200). Returns the platform's message id when it gives one.
 */
export function acceptedMessageId(platform: OutboundPlatform, body: unknown): { ok: true; id: string | undefined } | { ok: false; reason: string } {
  const record = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const str = (value: unknown): string | undefined => (typeof value === "string" || typeof value === "number" ? String(value) : undefined);
  switch (platform) {
    case "telegram": {
      const result = record.result as Record<string, unknown> | undefined;
      return record.ok === true ? { ok: true, id: str(result?.message_id) } : { ok: false, reason: "telegram_not_ok" };
    }
    case "slack":
      return record.ok === true ? { ok: true, id: str(record.ts) } : { ok: false, reason: `slack_${typeof record.error === "string" ? record.error.slice(0, 40) : "not_ok"}` };
    case "discord":
      return { ok: true, id: str(record.id) };
    case "whatsapp": {
      const messages = Array.isArray(record.messages) ? (record.messages as Record<string, unknown>[]) : [];
      return { ok: true, id: str(messages[0]?.id) };
    }
    case "messenger":
      return { ok: true, id: str(record.message_id) };
    case "discord_followup":
      return { ok: true, id: str(record.id) };
    case "slack_response":
      // Slack answers a response_url post with 200 (a JSON `ok`, or plain "ok" text).
      return record.ok === false ? { ok: false, reason: `slack_${typeof record.error === "string" ? record.error.slice(0, 40) : "not_ok"}` } : { ok: true, id: undefined };
  }
}
