import { type BotDeps, deliveryDeps, oncePerColdStart } from "../app/deps";
import type { Secrets } from "../adapters/secrets";
import { deliver } from "../app/delivery";
import { writesAfter } from "../app/writesAfter";
import { FOLLOW_UP_VALID_MS } from "../adapters/deferred";
import { httpEntry, type HttpRequest } from "../http/entry";
import type { HttpResult } from "../http/event";
import { botDepsWithDeferral, type DeferralPorts, handOff, within, withDeferral } from "../platforms/deferral";
import { DEFERRED_PRIVATE_RESPONSE, discordResponse, parseDiscordInteraction, PONG, verifyDiscord } from "../platforms/discord";
import { HANDOFF_RESERVE_MS, INTERACTION_ANSWER_BY_MS } from "../timeBudgets";

export interface DiscordDeps extends BotDeps {
  /** Deferral of interactions whose answer is not ready in time; unset: always wait for the answer (tests, benches). */
  readonly deferral?: DeferralPorts;
}

/**
 * POST /webhooks/discord: Ed25519 check → PING/PONG, a slash command → type 4 answer when ready
 * within INTERACTION_ANSWER_BY_MS of receipt, otherwise type 5 and the answer later as the
 * follow-up (the outbox function). Other interaction types get the answer Discord expects for them.
 * Every answer is ephemeral and pings no one.
 *
 * The signature is checked off this thread while the interaction is parsed and the user's state
 * read (verifyDiscord): every write and queued reply waits for it (writesAfter), nothing is handed
 * off, logged as handled or answered before it holds, and a forged request is refused (401) as soon
 * as it fails, whatever was started for it.
 */
export async function handleDiscord(deps: DiscordDeps, request: HttpRequest): Promise<HttpResult> {
  const secret = await deps.secrets.get("discord");
  const authentic = verifyDiscord(request.headers, request.rawBody, secret.publicKey, deps.clock());
  const answered = answerInteraction(deps, request, secret, authentic);
  answered.catch(() => undefined);
  await authentic;
  return answered;
}

async function answerInteraction(deps: DiscordDeps, request: HttpRequest, secret: Secrets["discord"], authentic: Promise<void>): Promise<HttpResult> {
  const interaction = parseDiscordInteraction(request.rawBody);
  if (interaction.kind === "ping") return PONG;
  if (interaction.kind === "unsupported") {
    await authentic;
    request.logger.info("interaction not supported, answered", { type: interaction.type });
    return interaction.response;
  }
  const delivery = writesAfter(deliveryDeps(deps), authentic);
  const work = () => deliver(delivery, interaction.inbound);
  if (deps.deferral === undefined) {
    const { answer, duplicate } = await work();
    await authentic;
    request.logger.info("interaction handled", { deliveryKey: interaction.inbound.deliveryKey, duplicate, answer: answer.kind });
    return discordResponse(answer);
  }
  const answerBy = Math.min(request.receivedAt + INTERACTION_ANSWER_BY_MS, request.deadline.at - HANDOFF_RESERVE_MS);
  const raced = await within(work, answerBy);
  await authentic;
  if (raced.kind === "done") {
    request.logger.info("interaction handled", { deliveryKey: interaction.inbound.deliveryKey, duplicate: raced.value.duplicate, answer: raced.value.answer.kind });
    return discordResponse(raced.value.answer);
  }
  await handOff(
    deps.deferral,
    {
      inbound: interaction.inbound,
      followUp: { kind: "discord", applicationId: interaction.applicationId ?? secret.applicationId, token: interaction.token },
      deferredAt: Date.now(),
      usableUntil: request.receivedAt + FOLLOW_UP_VALID_MS.discord,
    },
    request.logger,
  );
  request.logger.info("interaction deferred", { deliveryKey: interaction.inbound.deliveryKey, failed: raced.failure !== undefined });
  return DEFERRED_PRIVATE_RESPONSE;
}

export const createDiscordHandler = (deps: BotDeps, deferral?: DeferralPorts) => {
  // One dependencies object for every request (deliveryDeps is made once per it).
  const withPorts = withDeferral(deps, deferral);
  return httpEntry("discord", () => Promise.resolve(withPorts), handleDiscord, deps.logger);
};

export const handler = httpEntry("discord", oncePerColdStart(() => botDepsWithDeferral()), handleDiscord);
