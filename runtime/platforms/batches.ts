import { BotfleetError } from "../errors";

/**
 * Deliveries of one platform request (a Meta batch holds up to 1,000), processed in the order each
 * user sent them but users side by side: items with the same key run one after another, at most
 * `concurrency` keys at a time. When an item fails, the later items of the same key are not started
 * (they must not overtake it); other keys go on. `canStart` is asked before every item: once it says
 * no (the invocation's time is running out), nothing new starts and the rest is reported as not started.
 */
export interface BatchResult<T> {
  readonly done: readonly T[];
  readonly failed: readonly { readonly item: T; readonly error: unknown }[];
  readonly notStarted: readonly T[];
}

export async function processByKey<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  work: (item: T) => Promise<void>,
  options: { readonly concurrency: number; readonly canStart: () => boolean },
): Promise<BatchResult<T>> {
  const queues = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const queue = queues.get(key);
    if (queue === undefined) queues.set(key, [item]);
    else queue.push(item);
  }
  const pending = [...queues.values()];
  const done: T[] = [];
  const failed: { item: T; error: unknown }[] = [];
  const notStarted: T[] = [];
  const runQueue = async (queue: readonly T[]) => {
    for (let i = 0; i < queue.length; i++) {
      const item = queue[i] as T;
      if (!options.canStart()) {
        notStarted.push(...queue.slice(i));
        return;
      }
      try {
        await work(item);
        done.push(item);
      } catch (error) {
        failed.push({ item, error });
        notStarted.push(...queue.slice(i + 1));
        return;
      }
    }
  };
  const worker = async () => {
    for (let queue = pending.shift(); queue !== undefined; queue = pending.shift()) await runQueue(queue);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, pending.length)) }, worker));
  return { done, failed, notStarted };
}

/** Part of a batch failed or did not fit the invocation: 503, so the platform redelivers it (handled items are recognised). */
export class BatchIncompleteError extends BotfleetError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(503, "temporarily unavailable", detail, options);
  }
}
