/** Bounded retries: exponential backoff with full jitter, and the platform's Retry-After on 429. */
export interface RetryPolicy {
  /** Total attempts including the first. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the reply goes to the dead-letter path. */
  readonly maxRetryAfterMs: number;
  /** No retry starts after this much time since the first attempt (callers inside a request). */
  readonly budgetMs?: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 4000, maxRetryAfterMs: 20_000 };

/** Full jitter (AWS Architecture Blog): uniform in [0, min(max, base * 2^attempt)). */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/**
 * Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110). Telegram and Discord also
 * put it in the JSON body (`parameters.retry_after`, `retry_after`), used when the header is absent.
 */
export function retryAfterMs(header: string | null, body: unknown, now: number): number | undefined {
  if (header !== null && header.trim() !== "") {
    const trimmed = header.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
    const date = Date.parse(trimmed);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const record = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const parameters = (typeof record.parameters === "object" && record.parameters !== null ? record.parameters : {}) as Record<string, unknown>;
  const seconds = typeof parameters.retry_after === "number" ? parameters.retry_after : record.retry_after;
  return typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
}
