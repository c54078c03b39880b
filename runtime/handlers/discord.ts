import { botDepsFromEnv, type BotDeps, deliveryDeps, oncePerColdStart } from "../app/deps";
import { deliver } from "../app/delivery";
import { httpEntry, type HttpRequest } from "../http/entry";
import type { HttpResult } from "../http/event";
import { discordResponse, parseDiscordInteraction, PONG, verifyDiscord } from "../platforms/discord";

/** POST /webhooks/discord: Ed25519 check → PING/PONG or slash command → type 4 answer. */
export async function handleDiscord(deps: BotDeps, request: HttpRequest): Promise<HttpResult> {
  const { publicKey } = await deps.secrets.get("discord");
  verifyDiscord(request.headers, request.rawBody, publicKey, deps.clock());
  const interaction = parseDiscordInteraction(request.rawBody);
  if (interaction.kind === "ping") return PONG;
  if (interaction.kind === "unsupported") {
    request.logger.info("interaction not supported, answered", { type: interaction.type });
    return interaction.response;
  }
  const { answer, duplicate } = await deliver(deliveryDeps(deps), interaction.inbound);
  request.logger.info("interaction handled", { deliveryKey: interaction.inbound.deliveryKey, duplicate, answer: answer.kind });
  return discordResponse(answer);
}

export const createDiscordHandler = (deps: BotDeps) => httpEntry("discord", () => Promise.resolve(deps), handleDiscord, deps.logger);

export const handler = httpEntry("discord", oncePerColdStart(() => botDepsFromEnv()), handleDiscord);
