import { botDepsFromEnv, type BotDeps, deliveryDeps, oncePerColdStart } from "../app/deps";
import { deliver } from "../app/delivery";
import { httpEntry } from "../http/entry";
import type { HttpResult } from "../http/event";
import { empty } from "../http/respond";
import { parseTelegramUpdate, PRIVATE_CHAT_ONLY_TEXT, telegramResponse, telegramSendMessage, verifyTelegram } from "../platforms/telegram";
import type { HttpRequest } from "../http/entry";

/**
 * POST /webhooks/telegram: secret-token check → update → conversation → answer in the response
 * body. Every update kind other than a person's text message is acknowledged (200) and skipped;
 * commands in shared chats get a hint to write privately.
 */
export async function handleTelegram(deps: BotDeps, request: HttpRequest): Promise<HttpResult> {
  const { webhookSecret } = await deps.secrets.get("telegram");
  verifyTelegram(request.headers, webhookSecret);
  const update = parseTelegramUpdate(request.rawBody);
  switch (update.kind) {
    case "ignored":
      request.logger.info("update ignored", { updateId: update.updateId, reason: update.reason });
      return empty();
    case "sharedChatCommand":
      request.logger.info("command in a shared chat refused", { updateId: update.updateId });
      return telegramSendMessage(update.chatId, PRIVATE_CHAT_ONLY_TEXT);
    case "message": {
      const { answer, duplicate } = await deliver(deliveryDeps(deps), update.inbound);
      request.logger.info("update handled", { updateId: update.updateId, duplicate, answer: answer.kind });
      return telegramResponse(answer, update.chatId);
    }
  }
}

export const createTelegramHandler = (deps: BotDeps) => httpEntry("telegram", () => Promise.resolve(deps), handleTelegram, deps.logger);

export const handler = httpEntry("telegram", oncePerColdStart(() => botDepsFromEnv()), handleTelegram);
