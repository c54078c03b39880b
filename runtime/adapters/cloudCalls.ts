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

/** Runs `work` as entry point `handler`: everything it awaits sees that name in currentHandler(). */
export function runAsHandler<T>(handler: string, work: () => T): T {
  return running.run(handler, work);
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
