import * as z from "zod/mini";
import type { Answer, Inbound } from "../domain/types";
import { UnauthorizedError } from "../errors";
import { firstUse } from "../firstUse";
import { empty, json } from "../http/respond";
import type { HttpResult } from "../http/event";
import { telegramText } from "./outgoingText";
import { idNumber, isIdNumber, isRecord, parseJson, parseValueFast } from "./parse";
import { safeEqual } from "./safeEqual";

/** Telegram sends the secret_token set with setWebhook in this header on every update. */
export const TELEGRAM_SECRET_HEADER = "x-telegram-bot-api-secret-token";

export function verifyTelegram(headers: Readonly<Record<string, string>>, webhookSecret: string): void {
  if (!safeEqual(headers[TELEGRAM_SECRET_HEADER], webhookSecret)) throw new UnauthorizedError("telegram secret token missing or wrong");
}

/**
 * An Update has `update_id` and at most one of its optional fields (message, edited_message,
 * channel_post, callback_query, my_chat_member, …: https://core.telegram.org/bots/api#update). Only
 * `message` is read; every other kind is acknowledged and skipped. Built on first use (parse.ts).
 */
export const telegramUpdateSchema = firstUse(() => {
  /**
   * The parts of a Message we read (https://core.telegram.org/bots/api#message). `chat.type` and
   * `from.is_bot` are required by the Bot API reference, yet Telegram's own update examples
   * (https://core.telegram.org/bots/webhooks#testing-your-bot-with-updates) leave them out, so
   * neither is required here.
   */
  const message = z.object({
    message_id: idNumber(),
    date: idNumber(),
    chat: z.object({ id: idNumber(), type: z.optional(z.string()) }),
    from: z.optional(z.object({ id: idNumber(), is_bot: z.optional(z.boolean()) })),
    text: z.optional(z.string()),
  });
  return z.looseObject({
    update_id: z.number().check(z.int(), z.gte(0), z.lte(2 ** 53)),
    message: z.optional(message),
  });
});

type UpdateBody = z.infer<ReturnType<typeof telegramUpdateSchema>>;
type MessageBody = NonNullable<UpdateBody["message"]>;

/** telegramUpdateSchema's valid case by hand, its result or undefined (parse.ts parseValueFast says why and what it must keep to). */
export function telegramUpdateFast(value: unknown): UpdateBody | undefined {
  if (!isRecord(value) || !isIdNumber(value.update_id) || value.update_id < 0) return undefined;
  // A loose object: keys other than update_id and message pass through as they are — except an own
  // `__proto__` (JSON.parse makes one), which zod's copy drops and a spread would keep: left to zod.
  if (Object.hasOwn(value, "__proto__")) return undefined;
  if (value.message === undefined) return { ...value, update_id: value.update_id };
  const message = messageFast(value.message);
  return message === undefined ? undefined : { ...value, update_id: value.update_id, message };
}

function messageFast(value: unknown): MessageBody | undefined {
  if (!isRecord(value)) return undefined;
  const { message_id: messageId, date, chat, from, text } = value;
  if (!isIdNumber(messageId) || !isIdNumber(date) || !isRecord(chat) || !isIdNumber(chat.id)) return undefined;
  if (chat.type !== undefined && typeof chat.type !== "string") return undefined;
  if (text !== undefined && typeof text !== "string") return undefined;
  const sender = from === undefined ? undefined : fromFast(from);
  if (sender === null) return undefined;
  return {
    message_id: messageId,
    date,
    chat: chat.type === undefined ? { id: chat.id } : { id: chat.id, type: chat.type },
    ...(sender === undefined ? {} : { from: sender }),
    ...(text === undefined ? {} : { text }),
  };
}

function fromFast(value: unknown): MessageBody["from"] | null {
  if (!isRecord(value) || !isIdNumber(value.id)) return null;
  const { id, is_bot: isBot } = value;
  if (isBot === undefined) return { id };
  return typeof isBot === "boolean" ? { id, is_bot: isBot } : null;
}

export type TelegramUpdate =
  | { readonly kind: "message"; readonly updateId: number; readonly inbound: Inbound; readonly chatId: number }
  /** A command in a group, supergroup or channel: refused with a hint to write privately, nothing recorded. */
  | { readonly kind: "sharedChatCommand"; readonly updateId: number; readonly chatId: number }
  | { readonly kind: "ignored"; readonly updateId: number; readonly reason: string };

export const PRIVATE_CHAT_ONLY_TEXT =
  "For your privacy I only handle support requests in a private chat, where nobody else can read your tickets. Open a chat with me and send /help.";

export function parseTelegramUpdate(rawBody: Buffer): TelegramUpdate {
  const update = parseValueFast(parseJson(rawBody), telegramUpdateFast, telegramUpdateSchema);
  const updateId = update.update_id;
  const msg = update.message;
  if (msg === undefined) return { kind: "ignored", updateId, reason: updateKind(update) };
  if (msg.text === undefined) return { kind: "ignored", updateId, reason: "message without text" };
  if (msg.from === undefined || msg.from.is_bot === true) return { kind: "ignored", updateId, reason: "not from a person" };
  if (!isPrivateChat(msg.chat, msg.from.id)) {
    // Anything the bot answers in a shared chat is read by everyone in it (Telegram has no private
    // replies in groups): tickets and their subjects are answered only in the private chat.
    return msg.text.trimStart().startsWith("/") ? { kind: "sharedChatCommand", updateId, chatId: msg.chat.id } : { kind: "ignored", updateId, reason: "text in a shared chat" };
  }
  return {
    kind: "message",
    updateId,
    chatId: msg.chat.id,
    inbound: {
      user: { platform: "telegram", userId: String(msg.from.id) },
      deliveryKey: `telegram:update:${updateId}`,
      text: msg.text,
      sentAt: msg.date * 1000,
    },
  };
}

/** A private chat's id is its user's id; groups and channels have negative ids (https://core.telegram.org/bots/api#chat). */
function isPrivateChat(chat: { id: number; type?: string | undefined }, userId: number): boolean {
  return chat.type === undefined ? chat.id === userId : chat.type === "private";
}

function updateKind(update: Record<string, unknown>): string {
  const kind = Object.keys(update).find((key) => key !== "update_id");
  return kind === undefined ? "empty update" : kind.replace(/[^a-z_]/g, "").slice(0, 40);
}

/** A direct answer rides in the webhook response as a Bot API call, so no outbound request is needed. */
export function telegramResponse(answer: Answer, chatId: number): HttpResult {
  if (answer.kind === "silent") return empty();
  return telegramSendMessage(chatId, answer.text);
}

/** sendMessage in the webhook response (https://core.telegram.org/bots/api#making-requests-when-getting-updates), plain text: no parse_mode. */
export function telegramSendMessage(chatId: number, text: string): HttpResult {
  return json(200, { method: "sendMessage", chat_id: chatId, text: telegramText(text) });
}
