import * as z from "zod/mini";
import { runAsHandler } from "../adapters/cloudCalls";
import { createDocumentClient } from "../adapters/dynamo";
import { createLogger, errorFields, type Logger } from "../adapters/logger";
import { DeferredInteractions } from "../adapters/deferred";
import { DynamoStore } from "../adapters/store";
import { type BotDeps, deliveryDeps, entryDepsFromEnv, oncePerColdStart } from "../app/deps";
import { deliver } from "../app/delivery";
import { ENV } from "../env";
import { BadRequestError } from "../errors";
import { type Deadline, deadlineAt, invocationDeadline, type LambdaContext, NO_CONTEXT_BUDGET_MS } from "../http/deadline";
import { windowBefore } from "../outbound/deliverReply";
import { processOutbox, type OutboxDependencies } from "../outbound/outboxWorker";
import { deadLettersFor, outboundDependencies, readOutboundSettings } from "../outbound/wiring";
import { parseSettings } from "../settings";
import { OUTBOX_REPLY_RESERVE_MS } from "../timeBudgets";

/**
 * The outbox function, invoked by EventBridge Scheduler every minute with `{"kind":"outbox"}`: sends
 * what the pending index lists — the replies the Slack and Meta webhooks queued, and agents' replies
 * whose API call ended before they were settled — through the outbound clients (retries, delivery
 * ledger, dead letters), batch after batch until none is pending or the invocation's time is spent.
 * A reply that fails is settled as failed and dead-lettered by the worker; a store or queue failure
 * is thrown, so Lambda retries the invocation and then dead-letters the event.
 */
export const outboxEvent = z.strictObject({ kind: z.literal("outbox") });

export interface OutboxHandlerDeps extends OutboxDependencies {
  readonly now: () => number;
  /** Replies per Query of the pending index. @default 25 */
  readonly batchSize?: number;
}

export interface OutboxSummary {
  readonly delivered: number;
  readonly failed: number;
  readonly duplicates: number;
  readonly batches: number;
  /** The invocation's time ran out with replies possibly still pending (the next run sends them). */
  readonly budgetSpent: boolean;
}


export async function handleOutboxEvent(deps: OutboxHandlerDeps, event: unknown, deadline: Deadline = deadlineAt(deps.now() + NO_CONTEXT_BUDGET_MS, deps.now)): Promise<OutboxSummary> {
  if (!outboxEvent.safeParse(event).success) {
    deps.logger.error("outbox event rejected", {});
    throw new BadRequestError('outbox event must be {"kind":"outbox"}');
  }
  const batchSize = deps.batchSize ?? 25;
  const window = () => (deadline.remainingMs() < OUTBOX_REPLY_RESERVE_MS ? undefined : windowBefore(deadline.at));
  const total = { delivered: 0, failed: 0, duplicates: 0, batches: 0, budgetSpent: false };
  for (;;) {
    if (window() === undefined) {
      total.budgetSpent = true;
      break;
    }
    const run = await processOutbox(deps, batchSize, window);
    total.batches += 1;
    total.delivered += run.delivered;
    total.failed += run.failed;
    total.duplicates += run.duplicates;
    // A short batch means nothing else is pending (or only replies held in flight elsewhere).
    if (run.delivered + run.failed + run.duplicates < batchSize) break;
  }
  deps.logger.info("outbox invocation", total);
  return total;
}

/** The outbox function's wiring from the environment: the table, the bot tokens it sends with, the DLQ. */
export async function outboxDepsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env, logger: Logger = createLogger()): Promise<OutboxHandlerDeps> {
  const { secrets } = entryDepsFromEnv(env, logger);
  const settings = parseSettings(env);
  const endpoint = env[ENV.dynamodbEndpoint];
  const documents = createDocumentClient(settings.mode === "local" && endpoint ? { endpoint } : {});
  const tableName = settings.tableName;
  const outboundSettings = readOutboundSettings(env, settings.mode);
  // Deferred Discord and Slack interactions are answered here: their delivery runs as the webhook would run it.
  const bot: BotDeps = { settings, logger, secrets, store: new DynamoStore(documents, tableName, settings.dedupeTtlHours), clock: Date.now };
  return {
    documents,
    tableName,
    deferred: {
      store: new DeferredInteractions(documents, tableName),
      answer: async (inbound) => (await deliver(deliveryDeps(bot), inbound)).answer,
    },
    outbound: outboundDependencies({
      settings: outboundSettings,
      documents,
      tableName,
      secrets,
      deadLetters: await deadLettersFor(outboundSettings, documents, tableName),
    }),
    logger: logger.child({ handler: "outbox" }),
    now: Date.now,
  };
}

/** The scheduled entry point around given dependencies (the deployed one builds them once per cold start). */
export function createOutboxHandler(
  loadDeps: () => Promise<OutboxHandlerDeps>,
  fallbackLogger: Logger = createLogger({ handler: "outbox" }),
): (event: unknown, context?: LambdaContext) => Promise<OutboxSummary> {
  return (event, context) =>
    runAsHandler("outbox", async () => {
      const deadline = invocationDeadline(context);
      let logger = fallbackLogger;
      try {
        const deps = await loadDeps();
        logger = deps.logger;
        return await handleOutboxEvent(deps, event, deadline);
      } catch (error) {
        logger.error("outbox invocation failed", errorFields(error));
        throw error;
      }
    });
}

export const handler = createOutboxHandler(oncePerColdStart(() => outboxDepsFromEnv()));
