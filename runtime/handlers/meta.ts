import { botDepsFromEnv, type BotDeps, deliveryDeps, oncePerColdStart } from "../app/deps";
import { deliver } from "../app/delivery";
import { newReference } from "../domain/ids";
import { httpEntry, type HttpRequest } from "../http/entry";
import type { HttpResult } from "../http/event";
import { empty } from "../http/respond";
import { BatchIncompleteError, processByKey } from "../platforms/batches";
import { type MetaMessage, metaVerification, parseMetaPayload, verifyMeta } from "../platforms/meta";
import { META_RESPONSE_LIMIT_MS, META_SETTLE_MARGIN_MS } from "../timeBudgets";

/**
 * Users processed side by side. Each message costs a few store round trips; 10 at a time turns a
 * 1,000-message batch into ~100 sequential steps and stays well under the SDK's 50 sockets.
 */
export const META_USER_CONCURRENCY = 10;

/**
 * GET /webhooks/meta: subscription verification. POST: X-Hub-Signature-256 → every text message of
 * the batch exactly once, in order per user, users side by side; replies are queued for the
 * outbound port. Entries and events that are not text messages are logged and skipped. If a message
 * fails, or the batch does not fit the time left, the answer is 503: Meta redelivers the batch and
 * the messages already handled are recognised by their delivery keys.
 */
export async function handleMeta(deps: BotDeps, request: HttpRequest): Promise<HttpResult> {
  const secret = await deps.secrets.get("meta");
  if (request.method === "GET") return metaVerification(request.query, secret.verifyToken);
  verifyMeta(request.headers, request.rawBody, secret.appSecret);
  const batch = parseMetaPayload(request.rawBody);
  for (const skipped of batch.skipped) {
    const fields = { skipReference: newReference(), kind: skipped.kind, path: skipped.path };
    if (skipped.expected) request.logger.info("meta event skipped", fields);
    else request.logger.warn("meta event not understood, skipped", fields);
  }
  const deadline = request.deadline.earlier(META_SETTLE_MARGIN_MS, request.receivedAt + META_RESPONSE_LIMIT_MS - META_SETTLE_MARGIN_MS);
  const delivery = deliveryDeps(deps);
  const result = await processByKey(
    batch.messages,
    (message) => message.inbound.user.userId,
    async (message: MetaMessage) => {
      const { answer, duplicate } = await deliver(delivery, message.inbound, { platform: "meta", address: message.address });
      request.logger.info("message handled", { deliveryKey: message.inbound.deliveryKey, duplicate, answer: answer.kind });
    },
    { concurrency: META_USER_CONCURRENCY, canStart: () => deadline.remainingMs() > 0 },
  );
  request.logger.info("meta batch", { messages: batch.messages.length, handled: result.done.length, failed: result.failed.length, notStarted: result.notStarted.length, skipped: batch.skipped.length });
  if (result.failed.length > 0 || result.notStarted.length > 0) {
    throw new BatchIncompleteError(`meta batch: ${result.failed.length} failed, ${result.notStarted.length} not started`, { cause: result.failed[0]?.error });
  }
  return empty();
}

export const createMetaHandler = (deps: BotDeps) => httpEntry("meta", () => Promise.resolve(deps), handleMeta, deps.logger);

export const handler = httpEntry("meta", oncePerColdStart(() => botDepsFromEnv()), handleMeta);
