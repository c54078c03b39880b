import { botDepsFromEnv, type BotDeps, deliveryDeps, oncePerColdStart } from "../app/deps";
import { deliver } from "../app/delivery";
import { httpEntry, type HttpRequest } from "../http/entry";
import type { HttpResult } from "../http/event";
import { empty } from "../http/respond";
import { metaVerification, parseMetaPayload, verifyMeta } from "../platforms/meta";

/**
 * GET /webhooks/meta: subscription verification. POST: X-Hub-Signature-256 → every text message of
 * the batch, in order, each exactly once; replies are queued for the outbound port. A failure
 * answers 5xx so Meta redelivers the batch, and the messages already handled are recognised.
 */
export async function handleMeta(deps: BotDeps, request: HttpRequest): Promise<HttpResult> {
  const secret = await deps.secrets.get("meta");
  if (request.method === "GET") return metaVerification(request.query, secret.verifyToken);
  verifyMeta(request.headers, request.rawBody, secret.appSecret);
  const messages = parseMetaPayload(request.rawBody);
  for (const message of messages) {
    const { answer, duplicate } = await deliver(deliveryDeps(deps), message.inbound, { platform: "meta", address: message.address });
    request.logger.info("message handled", { deliveryKey: message.inbound.deliveryKey, duplicate, answer: answer.kind });
  }
  return empty();
}

export const createMetaHandler = (deps: BotDeps) => httpEntry("meta", () => Promise.resolve(deps), handleMeta, deps.logger);

export const handler = httpEntry("meta", oncePerColdStart(() => botDepsFromEnv()), handleMeta);
