import type { Store } from "../../../runtime/adapters/store";
import { StoreUnavailableError } from "../../../runtime/errors";

/** One store call that fails: the `at`-th call (from 0) of the wrapped store. */
export interface Fault {
  readonly at: number;
  /**
   * The call reached the store before the failure — its write happened, its answer was lost (a
   * timeout after the request left, a function killed mid-response). Otherwise it never left.
   */
  readonly after: boolean;
}

/**
 * The store as one attempt sees it, failing once as the real adapter fails (StoreUnavailableError,
 * which the HTTP layer answers 503). `around`, when given, wraps every call (the concurrency
 * property uses it to let fast-check's scheduler order the calls).
 */
export function faultyStore(store: Store, fault: Fault | null, around?: (name: string, call: () => Promise<unknown>) => Promise<unknown>): Store & { readonly calls: string[] } {
  const calls: string[] = [];
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === "calls") return calls;
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      const name = String(property);
      return (...args: unknown[]) => {
        const call = async () => {
          const index = calls.push(name) - 1;
          if (fault?.at === index && !fault.after) throw new StoreUnavailableError(`injected fault before ${name}`);
          const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (fault?.at === index && fault.after) throw new StoreUnavailableError(`injected fault after ${name}`);
          return result;
        };
        return around === undefined ? call() : around(name, call);
      };
    },
  }) as Store & { readonly calls: string[] };
}
