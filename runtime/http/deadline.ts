/**
 * How long the current invocation may still work. Lambda kills a function at its timeout; nothing
 * it was awaiting completes and nothing runs after the handler returns. Every budget on a request
 * path is therefore taken from the invocation's own remaining time
 * (context.getRemainingTimeInMillis(), Lambda Node.js context object:
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html), minus a margin to settle
 * (record an outcome, write a dead letter, answer).
 */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

export interface Deadline {
  /** Epoch ms after which the invocation is gone. */
  readonly at: number;
  /** Milliseconds left before `at` (never negative). */
  remainingMs(): number;
  /** A deadline `marginMs` earlier (time kept back to settle), or `limitAt` when that comes first. */
  earlier(marginMs: number, limitAt?: number): Deadline;
}

/**
 * Without a Lambda context (the local stack, tests) the request may run as long as API Gateway
 * waits for an integration: 30 s for HTTP APIs
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html).
 */
export const NO_CONTEXT_BUDGET_MS = 29_000;

export function deadlineAt(at: number, now: () => number = Date.now): Deadline {
  return new DeadlineAt(at, now);
}

/** A class, not closures: every request makes one. */
class DeadlineAt implements Deadline {
  constructor(
    readonly at: number,
    private readonly now: () => number,
  ) {}

  remainingMs(): number {
    return Math.max(0, this.at - this.now());
  }

  earlier(marginMs: number, limitAt?: number): Deadline {
    return new DeadlineAt(Math.min(this.at - marginMs, limitAt ?? Number.POSITIVE_INFINITY), this.now);
  }
}

/** The invocation's deadline, from Lambda's context when there is one. */
export function invocationDeadline(context: LambdaContext | undefined, now: () => number = Date.now): Deadline {
  const remaining = context?.getRemainingTimeInMillis();
  return deadlineAt(now() + (remaining !== undefined && Number.isFinite(remaining) ? remaining : NO_CONTEXT_BUDGET_MS), now);
}
