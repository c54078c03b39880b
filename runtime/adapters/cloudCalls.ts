import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Observation point for the least-privilege proof (test/iam): which entry point is running, and
 * the cloud calls that no SDK or HTTP interceptor can see (local-mode secret reads, which stand in
 * for secretsmanager:GetSecretValue). Nothing in the runtime reads it; with no listener set, noting
 * a call does nothing.
 */
export interface NotedCall {
  readonly service: "secretsmanager";
  readonly action: "GetSecretValue";
  /** The secret's name (SECRET_NAMES), never its value. */
  readonly resource: string;
}

const running = new AsyncLocalStorage<string>();
let listener: ((call: NotedCall, handler: string | undefined) => void) | undefined;

/**
 * Runs `work` as entry point `handler`: everything it awaits sees that name in currentHandler() —
 * while a listener observes (the tests' call recorder installs one before any handler runs).
 * Unobserved, as deployed, it just runs `work`: an AsyncLocalStorage, once entered, makes Node run
 * a hook for every promise the process creates from then on (Node 22 still tracks its context with
 * async_hooks), a cost on every request that nothing deployed reads.
 */
export function runAsHandler<T>(handler: string, work: () => T): T {
  return listener === undefined ? work() : running.run(handler, work);
}

export function currentHandler(): string | undefined {
  return running.getStore();
}

export function setCloudCallListener(next: typeof listener): void {
  listener = next;
}

export function noteCloudCall(call: NotedCall): void {
  listener?.(call, running.getStore());
}
