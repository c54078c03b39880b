import * as z from "zod/mini";
import { runAsHandler } from "../adapters/cloudCalls";
import { createDocumentClient } from "../adapters/dynamo";
import { createLogger, errorFields, type Logger } from "../adapters/logger";
import { entryDepsFromEnv, oncePerColdStart } from "../app/deps";
import { ENV } from "../env";
import { BadRequestError } from "../errors";
import { processOutbox, type OutboxDependencies } from "../outbound/outboxWorker";
import { deadLettersFor, outboundDependencies, readOutboundSettings } from "../outbound/wiring";
import { parseSettings } from "../settings";

/**
 * The outbox function, invoked by EventBridge Scheduler every minute with `{"kind":"outbox"}`: sends
 * the replies the Slack and Meta webhooks queued (OUTBOX#pending) through the outbound clients
 * (retries, delivery ledger, dead letters), batch after batch until none is pending or the time
 * budget is spent. A reply that fails is settled as failed and dead-lettered by the worker; a store
 * or queue failure is thrown, so Lambda retries the invocation and then dead-letters the event.
 */
export const outboxEvent = z.strictObject({ kind: z.literal("outbox") });

export interface OutboxHandlerDeps extends OutboxDependencies {
  readonly now: () => number;
  /** No reply is started after this long (function timeout minus one send's retry budget). @default 40000 */
  readonly budgetMs?: number;
  /** Replies per Query of the pending index. @default 25 */
  readonly batchSize?: number;
}

export interface OutboxSummary {
  readonly delivered: number;
  readonly failed: number;
  readonly duplicates: number;
  readonly batches: number;
  /** The budget ran out with replies possibly still pending (the next run sends them). */
  readonly budgetSpent: boolean;
}

/** Replies each run may start: 60 s function timeout − 12 s (one send's retry budget, wiring.ts) − margin. */
export const OUTBOX_BUDGET_MS = 40_000;

export async function handleOutboxEvent(deps: OutboxHandlerDeps, event: unknown): Promise<OutboxSummary> {
  if (!outboxEvent.safeParse(event).success) {
    deps.logger.error("outbox event rejected", {});
    throw new BadRequestError('outbox event must be {"kind":"outbox"}');
  }
  const started = deps.now();
  const budgetMs = deps.budgetMs ?? OUTBOX_BUDGET_MS;
  const batchSize = deps.batchSize ?? 25;
  const withinBudget = () => deps.now() - started < budgetMs;
  const total = { delivered: 0, failed: 0, duplicates: 0, batches: 0, budgetSpent: false };
  for (;;) {
    const run = await processOutbox(deps, batchSize, withinBudget);
    total.batches += 1;
    total.delivered += run.delivered;
    total.failed += run.failed;
    total.duplicates += run.duplicates;
    const handled = run.delivered + run.failed + run.duplicates;
    // A short batch means nothing else is pending (or only replies another run holds in flight).
    if (handled < batchSize) {
      total.budgetSpent = !withinBudget();
      break;
    }
    if (!withinBudget()) {
      total.budgetSpent = true;
      break;
    }
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
  return {
    documents,
    tableName,
    outbound: outboundDependencies({
      settings: outboundSettings,
      documents,
      tableName,
      secrets,
      deadLetters: await deadLettersFor(outboundSettings, documents, tableName),
      // A queued webhook reply names no ticket: its failure is the outbox item's status + the dead letter.
      recordFailure: () => Promise.resolve(),
    }),
    logger: logger.child({ handler: "outbox" }),
    now: Date.now,
  };
}

/** The scheduled entry point around given dependencies (the deployed one builds them once per cold start). */
export function createOutboxHandler(
  loadDeps: () => Promise<OutboxHandlerDeps>,
  fallbackLogger: Logger = createLogger({ handler: "outbox" }),
): (event: unknown) => Promise<OutboxSummary> {
  return (event) =>
    runAsHandler("outbox", async () => {
      let logger = fallbackLogger;
      try {
        const deps = await loadDeps();
        logger = deps.logger;
        return await handleOutboxEvent(deps, event);
      } catch (error) {
        logger.error("outbox invocation failed", errorFields(error));
        throw error;
      }
    });
}

export const handler = createOutboxHandler(oncePerColdStart(() => outboxDepsFromEnv()));
