import * as z from "zod/mini";
import { clip } from "../domain/commands";
import type { Answer, Inbound } from "../domain/types";
import { UnauthorizedError } from "../errors";
import { empty, json } from "../http/respond";
import type { HttpResult } from "../http/event";
import { idNumber, parseJsonBody } from "./parse";
import { safeEqual } from "./safeEqual";

/** Telegram sends the secret_token set with setWebhook in this header on every update. */
export const TELEGRAM_SECRET_HEADER = "x-telegram-bot-api-secret-token";
const MAX_TEXT = 4096;

export function verifyTelegram(headers: Readonly<Record<string, string>>, webhookSecret: string): void {
  if (!safeEqual(headers[TELEGRAM_SECRET_HEADER], webhookSecret)) throw new UnauthorizedError("telegram secret token missing or wrong");
}

const message = z.looseObject({
  message_id: idNumber,
  date: idNumber,
  chat: z.looseObject({ id: idNumber, type: z.string() }),
  from: z.optional(z.looseObject({ id: idNumber, is_bot: z.boolean() })),
  text: z.optional(z.string()),
});

export const telegramUpdateSchema = z.looseObject({
  update_id: z.number().check(z.int(), z.gte(0), z.lte(2 ** 53)),
  message: z.optional(message),
});

export interface TelegramUpdate {
  readonly updateId: number;
  /** Present when the update is a text message from a person; other updates are acknowledged and ignored. */
  readonly inbound?: Inbound;
  readonly chatId?: number;
}

export function parseTelegramUpdate(rawBody: Buffer): TelegramUpdate {
  const update = parseJsonBody(rawBody, telegramUpdateSchema);
  const msg = update.message;
  if (msg?.text === undefined || msg.from === undefined || msg.from.is_bot) return { updateId: update.update_id };
  return {
    updateId: update.update_id,
    chatId: msg.chat.id,
    inbound: {
      user: { platform: "telegram", userId: String(msg.from.id) },
      deliveryKey: `telegram:update:${update.update_id}`,
      text: msg.text,
      sentAt: msg.date * 1000,
    },
  };
}

/** A direct answer rides in the webhook response as a Bot API call, so no outbound request is needed. */
export function telegramResponse(answer: Answer, chatId: number | undefined): HttpResult {
  if (answer.kind === "silent" || chatId === undefined) return empty();
  return json(200, { method: "sendMessage", chat_id: chatId, text: clip(answer.text, MAX_TEXT) });
}
