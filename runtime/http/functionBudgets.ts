import type { HandlerName } from "../routes";
import { DOWNLOAD_SETTLE_MS, EXPORT_LEASE_MS, HANDOFF_RESERVE_MS, INTERACTION_ANSWER_BY_MS, META_SETTLE_MARGIN_MS, MIN_SEND_MS, OUTBOX_REPLY_RESERVE_MS, SETTLE_MARGIN_MS } from "../timeBudgets";

/**
 * What each deployed function needs from its timeout. Work that can wait (sends, batches, the
 * outbox, downloads) takes its budget from the invocation's remaining time; what is left here is
 * the fixed time a function must have to do its smallest unit of work and settle it. A function's
 * timeout must exceed `longestMs` by TIMEOUT_MARGIN_MS, and stay below any lease that assumes its
 * holder is gone when it runs out (test/infra/aws/timeouts.spec.ts checks every stack).
 */
export interface FunctionBudget {
  readonly longestMs: number;
  readonly why: string;
  /** A lease this function takes that must outlive any invocation of it. */
  readonly leaseMs?: number;
}

export const TIMEOUT_MARGIN_MS = 1_000;

/** verifyBearer's JWKS fetch timeout (runtime/auth/verifyBearer.ts): a cold API request may wait for it. */
const JWKS_FETCH_MS = 3_000;

export const FUNCTION_BUDGETS: Readonly<Record<HandlerName, FunctionBudget>> = {
  telegram: { longestMs: 0, why: "answers in the webhook response; nothing waits on a fixed budget" },
  discord: { longestMs: INTERACTION_ANSWER_BY_MS + HANDOFF_RESERVE_MS, why: "waits for the answer up to 2 s after receipt, then hands the work off" },
  slack: { longestMs: INTERACTION_ANSWER_BY_MS + HANDOFF_RESERVE_MS, why: "waits for the answer up to 2 s after receipt, then hands the work off" },
  meta: { longestMs: META_SETTLE_MARGIN_MS + MIN_SEND_MS, why: "must fit one message and the answer; the rest of a batch follows the remaining time" },
  health: { longestMs: 0, why: "answers at once" },
  api: {
    longestMs: JWKS_FETCH_MS + Math.max(MIN_SEND_MS + SETTLE_MARGIN_MS, DOWNLOAD_SETTLE_MS),
    why: "a cold request fetches the JWKS; a reply needs one attempt and its settling, a download its settling",
  },
  export: { longestMs: 0, why: "runs an export to its end", leaseMs: EXPORT_LEASE_MS },
  outbox: { longestMs: OUTBOX_REPLY_RESERVE_MS, why: "starts a reply only with one send and its settling left" },
};

/**
 * HTTP APIs wait at most 30 s for a Lambda integration
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html): a request-path
 * function that could run longer would be cut off by the gateway while it still writes.
 */
export const API_GATEWAY_INTEGRATION_TIMEOUT_MS = 30_000;

/** What is wrong with giving `handler` a timeout of `timeoutMs` (undefined: nothing). */
export function timeoutProblem(handler: HandlerName, timeoutMs: number, servesRoutes: boolean): string | undefined {
  const budget = FUNCTION_BUDGETS[handler];
  if (timeoutMs < budget.longestMs + TIMEOUT_MARGIN_MS) return `${handler}: timeout ${timeoutMs} ms is below its ${budget.longestMs} ms budget (${budget.why}) plus ${TIMEOUT_MARGIN_MS} ms`;
  if (budget.leaseMs !== undefined && timeoutMs + TIMEOUT_MARGIN_MS > budget.leaseMs) return `${handler}: its ${budget.leaseMs} ms lease could run out while an invocation still holds it`;
  if (servesRoutes && timeoutMs > API_GATEWAY_INTEGRATION_TIMEOUT_MS) return `${handler}: timeout ${timeoutMs} ms exceeds API Gateway's 30 s`;
  return undefined;
}
