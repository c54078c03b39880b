import type { OutboundReplies } from "../adapters/outbound";
import type { Store } from "../adapters/store";
import type { DeliveryDeps } from "./delivery";

/** The store's reads: the only calls that may run before the request is authenticated. */
const STORE_READS = ["loadUser", "getTicket", "ticketsOf"] as const satisfies readonly (keyof Store)[];

/**
 * `deps` for a delivery whose authenticity is still being checked: reads go through at once, and
 * every other call — any write to the store, any reply queued or sent — waits until `authentic`
 * resolves, and fails with its error (never reaching the store) when it rejects. So the state can be
 * read while a signature is checked off the thread, and nothing is changed for a forged request.
 * Anything not listed as a read waits, including a method added to the ports later.
 */
export function writesAfter(deps: DeliveryDeps, authentic: Promise<void>): DeliveryDeps {
  return {
    ...deps,
    store: holdCalls(deps.store, authentic, STORE_READS),
    outbound: holdCalls<OutboundReplies>(deps.outbound, authentic, []),
  };
}

function holdCalls<T extends object>(port: T, until: Promise<void>, passing: readonly (keyof T)[]): T {
  return new Proxy(port, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== "function") return value;
      const method = value as (...args: unknown[]) => unknown;
      if ((passing as readonly PropertyKey[]).includes(property)) return method.bind(target);
      return async (...args: unknown[]) => {
        await until;
        return method.apply(target, args);
      };
    },
  });
}
