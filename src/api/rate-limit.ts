import { LfsError } from '../errors.js';

export interface RateLimit {
  /** Tokens added per minute. */
  perMinute: number;
  /** Bucket size: calls allowed at once after a quiet period. */
  burst: number;
}

export interface RateLimiter {
  /** Takes one token for `key`, or throws RATE_LIMITED with `extensions.retryAfter` (whole seconds). */
  take(key: string): void;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets kept before full (idle) ones are dropped; a full bucket is the same as none. */
const SWEEP_ABOVE = 10_000;

/**
 * A token bucket per key (an owner), in this process: every instance counts
 * on its own, so N instances allow up to N times the rate. Good enough to
 * stop one client from minting credentials in a loop; a shared limiter
 * (Redis, the database) is the step up when several instances run.
 */
export function createRateLimiter(limit: RateLimit, clock: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, Bucket>();
  const perMs = limit.perMinute / 60_000;

  const refill = (bucket: Bucket, now: number) => {
    bucket.tokens = Math.min(limit.burst, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
  };

  function sweep(now: number) {
    for (const [key, bucket] of buckets) {
      refill(bucket, now);
      if (bucket.tokens >= limit.burst) buckets.delete(key);
    }
  }

  return {
    take(key) {
      const now = clock();
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size >= SWEEP_ABOVE) sweep(now);
        bucket = { tokens: limit.burst, at: now };
        buckets.set(key, bucket);
      }
      refill(bucket, now);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return;
      }
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
      throw rateLimited(retryAfter);
    },
  };
}

function rateLimited(retryAfter: number): LfsError {
  const error = new LfsError('RATE_LIMITED', `Too many requests; retry in ${retryAfter} s`, { retryAfter });
  // yoga copies extensions.http.headers onto the HTTP response.
  (error.extensions.http as { headers?: Record<string, string> }).headers = { 'retry-after': String(retryAfter) };
  return error;
}
