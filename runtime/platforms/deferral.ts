import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DeferredInteractions, type DeferredInteraction } from "../adapters/deferred";
import type { Logger } from "../adapters/logger";
import { lambdaOutboxTrigger, type WakeOutbox } from "../adapters/outboxTrigger";
import { type BotDeps, botWiringFromEnv, documentClientFor } from "../app/deps";
import { ENV } from "../env";
import type { RuntimeSettings } from "../settings";

/**
 * Discord and Slack interactions are answered within their 3 s or handed off to the outbox: the
 * deadlines (INTERACTION_ANSWER_BY_MS, HANDOFF_RESERVE_MS) and why are in ../timeBudgets.ts.
 */
export interface DeferralPorts {
  readonly deferrals: DeferredInteractions;
  /** Starts the outbox at once (deployed: an asynchronous Lambda invoke); unset: its schedule finds the work. */
  readonly wakeOutbox?: WakeOutbox;
}

export type Raced<T> = { readonly kind: "done"; readonly value: T } | { readonly kind: "late"; readonly failure?: unknown };

/**
 * Runs `work` and waits for it until `until` (epoch ms): its result, or "late" (also when it failed:
 * the hand-off retries it). With no time at all it is not started.
 */
export function within<T>(work: () => Promise<T>, until: number, now: () => number = Date.now): Promise<Raced<T>> {
  const left = until - now();
  if (left <= 0) return Promise.resolve({ kind: "late" });
  const running = work();
  return new Promise<Raced<T>>((resolve) => {
    // Whichever settles first decides; the other's resolve is then a no-op. Still running when
    // late, the work may finish in this invocation or be frozen with it: its outcome is not ours
    // to report (nor its failure an unhandled rejection: it is handled here either way).
    const timer = setTimeout(() => resolve({ kind: "late" }), left);
    running.then(
      (value) => {
        clearTimeout(timer);
        resolve({ kind: "done", value });
      },
      (failure: unknown) => {
        clearTimeout(timer);
        resolve({ kind: "late", failure });
      },
    );
  });
}

/** Writes the hand-off (must succeed: the caller answers 5xx otherwise), then wakes the outbox (best effort). */
export async function handOff(ports: DeferralPorts, work: DeferredInteraction, logger: Logger): Promise<void> {
  await ports.deferrals.put(work);
  if (ports.wakeOutbox === undefined) return;
  try {
    await ports.wakeOutbox();
  } catch (error) {
    // The deferred item is stored: the outbox's next scheduled run (within a minute) answers it.
    logger.warn("outbox wake-up failed; its schedule will answer", { errorName: error instanceof Error ? error.name : typeof error });
  }
}

/** A webhook's dependencies with deferral (unset: none, the handler waits for every answer). */
export function withDeferral<D extends BotDeps>(deps: D, deferral: DeferralPorts | undefined): D & { deferral?: DeferralPorts } {
  return deferral === undefined ? deps : { ...deps, deferral };
}

/** The deployed Discord and Slack webhooks' dependencies: the bot's, and deferral on the same document client. */
export function botDepsWithDeferral(env: Readonly<Record<string, string | undefined>> = process.env): BotDeps & { deferral: DeferralPorts } {
  const { deps, documents } = botWiringFromEnv(env);
  return { ...deps, deferral: deferralFromEnv(env, deps.settings, documents) };
}

/**
 * The deployed wiring: the deferred items in the bot's table (through `documents`, the bot's own
 * client when given), the outbox function from the environment.
 */
export function deferralFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  settings: RuntimeSettings,
  documents: DynamoDBDocumentClient = documentClientFor(settings, env),
): DeferralPorts {
  const outboxFunction = env[ENV.outboxFunction];
  return {
    deferrals: new DeferredInteractions(documents, settings.tableName),
    ...(outboxFunction !== undefined && /^[\w-]{1,64}$/.test(outboxFunction) ? { wakeOutbox: lambdaOutboxTrigger(outboxFunction) } : {}),
  };
}
