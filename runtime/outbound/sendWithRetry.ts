import { acceptedMessageId, type PlatformRequest } from "./platformRequests";
import { type OutboundPlatform } from "./replyIntent";
import { backoffDelayMs, retryAfterMs, type RetryPolicy } from "./retryPolicy";

export type SendOutcome =
  | { readonly delivered: true; readonly platformMessageId: string | undefined; readonly attempts: number }
  | { readonly delivered: false; readonly reason: string; readonly attempts: number };

export interface SendDependencies {
  readonly fetch: typeof fetch;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly now: () => number;
  /** Per-attempt timeout. */
  readonly timeoutMs: number;
}

/** An attempt is not started with less time than this before `until`: it could only time out. */
export const MIN_ATTEMPT_MS = 500;

/**
 * Sends one platform request with bounded retries. Retried: network errors, timeouts, 5xx and 429
 * (waiting at least the platform's Retry-After). Not retried: other 4xx and `ok: false` answers,
 * which a retry cannot fix. Reasons are short codes, never URLs (Telegram's holds the token) or bodies.
 * `until` (epoch ms, deps.now's clock) bounds everything: each attempt's timeout is cut to it and no
 * retry starts that could not finish before it.
 */
export async function sendWithRetry(
  platform: OutboundPlatform,
  request: PlatformRequest,
  policy: RetryPolicy,
  deps: SendDependencies,
  until: number = Number.POSITIVE_INFINITY,
): Promise<SendOutcome> {
  let reason = "not_attempted";
  const started = deps.now();
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt += 1) {
    let waitMs: number | undefined;
    const left = until - deps.now();
    if (left < MIN_ATTEMPT_MS) return { delivered: false, reason: attempt === 1 ? "no_time_left" : reason, attempts: attempt - 1 };
    try {
      const response = await deps.fetch(request.url, {
        method: request.method ?? "POST",
        headers: request.headers,
        body: request.body,
        redirect: "error",
        signal: AbortSignal.timeout(Math.min(deps.timeoutMs, left)),
      });
      const body = await readJson(response);
      if (response.ok) {
        const accepted = acceptedMessageId(platform, body);
        if (accepted.ok) return { delivered: true, platformMessageId: accepted.id, attempts: attempt };
        return { delivered: false, reason: accepted.reason, attempts: attempt };
      }
      reason = `http_${response.status}`;
      if (response.status === 429) {
        const retryAfter = retryAfterMs(response.headers.get("retry-after"), body, deps.now());
        if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) return { delivered: false, reason: "rate_limited_too_long", attempts: attempt };
        waitMs = Math.max(retryAfter ?? 0, backoffDelayMs(policy, attempt, deps.random));
      } else if (response.status < 500) {
        return { delivered: false, reason, attempts: attempt };
      }
    } catch (error) {
      reason = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError") ? "timeout" : "network_error";
    }
    if (attempt < policy.maxAttempts) {
      const wait = waitMs ?? backoffDelayMs(policy, attempt, deps.random);
      if (policy.budgetMs !== undefined && deps.now() - started + wait + deps.timeoutMs > policy.budgetMs) {
        return { delivered: false, reason, attempts: attempt };
      }
      if (deps.now() + wait + MIN_ATTEMPT_MS > until) return { delivered: false, reason, attempts: attempt };
      await deps.sleep(wait);
    }
  }
  return { delivered: false, reason, attempts: policy.maxAttempts };
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.length === 0 || text.length > 64 * 1024) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
