import { clip } from "../domain/commands";

/**
 * The one place per platform where text becomes an outgoing message. Every text the bot sends —
 * answers in webhook responses, queued replies, agents' replies, deferred follow-ups — passes
 * through exactly one of these functions, because any of it may carry what a user typed (a ticket
 * subject in /tickets or /status, an echoed command, an agent quoting the user). Each makes that
 * text inert: shown as typed, never a mention that notifies someone, never markup.
 */

/** Telegram: 4096 characters per message (https://core.telegram.org/bots/api#sendmessage). */
export const TELEGRAM_MAX_TEXT = 4096;
/** Discord: 2000 characters of content (https://discord.com/developers/docs/resources/message#create-message). */
export const DISCORD_MAX_CONTENT = 2000;
/** Slack: keep text to 4,000 characters; longer is truncated (https://docs.slack.dev/reference/methods/chat.postMessage#truncating). */
export const SLACK_MAX_TEXT = 4000;
/** WhatsApp: a text body holds 4096 characters (https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/text-messages). */
export const WHATSAPP_MAX_TEXT = 4096;
/** Messenger: 2000 characters per text message (https://developers.facebook.com/docs/messenger-platform/reference/send-api/). */
export const MESSENGER_MAX_TEXT = 2000;

const WORD_JOINER = "\u2060";

/**
 * Telegram, sent without parse_mode (so nothing is markup), but Telegram still turns `@username`
 * in plain text into a mention entity on its own (https://core.telegram.org/bots/api#messageentity).
 * A word joiner after the `@` keeps the text looking the same while it no longer matches a
 * username, so echoing `@someone` notifies nobody even if a chat had that member.
 */
export function telegramText(text: string): string {
  return clip(text, TELEGRAM_MAX_TEXT).replace(/@(?=[A-Za-z0-9_])/g, `@${WORD_JOINER}`);
}

/**
 * Discord message fields: `allowed_mentions: {parse: []}` makes every mention in the content inert —
 * users (`<@id>`, `<@!id>`), roles (`<@&id>`), `@everyone` and `@here` alike — which Discord asks
 * for whenever a response carries user data
 * (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-messages,
 * https://discord.com/developers/docs/resources/message#allowed-mentions-object).
 */
export function discordMessage(text: string, options: { readonly ephemeral?: boolean } = {}): { content: string; allowed_mentions: { parse: never[] }; flags?: number } {
  const message = { content: clip(text, DISCORD_MAX_CONTENT), allowed_mentions: { parse: [] as never[] } };
  // Flag 64 (EPHEMERAL): only the invoking user sees it (https://discord.com/developers/docs/resources/message#message-object-message-flags).
  return options.ephemeral === true ? { ...message, flags: 64 } : message;
}

/**
 * Slack: `&`, `<` and `>` are control characters; escaped, `<!channel>`, `<!here>`,
 * `<!subteam^…>`, `<@U…>` and `<#C…>` show as typed and notify nobody
 * (https://docs.slack.dev/messaging/formatting-message-text#escaping). Plain `@here` is not a
 * mention unless link_names is set, which we never do.
 */
export function slackText(text: string): string {
  return clip(text, SLACK_MAX_TEXT).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** WhatsApp text messages are plain text between two parties: no mention syntax reaches anyone else. */
export function whatsappText(text: string): string {
  return clip(text, WHATSAPP_MAX_TEXT);
}

/** Messenger text messages are plain text in a one-to-one conversation with the Page. */
export function messengerText(text: string): string {
  return clip(text, MESSENGER_MAX_TEXT);
}
