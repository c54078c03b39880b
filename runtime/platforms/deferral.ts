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
export async function within<T>(work: () => Promise<T>, until: number, now: () => number = Date.now): Promise<Raced<T>> {
  const left = until - now();
  if (left <= 0) return { kind: "late" };
  const running = work();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Raced<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: "late" }), left);
  });
  try {
    const winner = await Promise.race([running.then((value): Raced<T> => ({ kind: "done", value }), (failure: unknown): Raced<T> => ({ kind: "late", failure })), late]);
    // Still running: it may finish in this invocation or be frozen with it; either way its outcome is not ours to report.
    if (winner.kind === "late") running.catch(() => undefined);
    return winner;
  } finally {
    clearTimeout(timer);
  }
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
