import type { TokenBucket } from "./types";

export interface RateLimit {
  readonly capacity: number;
  readonly refillPerMinute: number;
}

export type RateDecision =
  | { readonly outcome: "allowed"; readonly bucket: TokenBucket }
  /** Over the limit: `notify` is true once per throttled stretch, then silence. */
  | { readonly outcome: "limited"; readonly notify: boolean; readonly bucket: TokenBucket };

export function fullBucket(now: number, limit: RateLimit): TokenBucket {
  return { tokens: limit.capacity, at: now, noticeSent: false };
}

/** Token bucket: refills continuously at `refillPerMinute`, holds at most `capacity`, one token per delivery. */
export function takeToken(bucket: TokenBucket, now: number, limit: RateLimit): RateDecision {
  const elapsed = Math.max(0, now - bucket.at);
  const tokens = Math.min(limit.capacity, bucket.tokens + (elapsed * limit.refillPerMinute) / 60_000);
  if (tokens >= 1) {
    return { outcome: "allowed", bucket: { tokens: tokens - 1, at: now, noticeSent: false } };
  }
  return { outcome: "limited", notify: !bucket.noticeSent, bucket: { tokens, at: now, noticeSent: true } };
}
