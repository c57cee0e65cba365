import { LfsError } from '../errors.js';

export interface RateLimit {
  /** Tokens added per minute. */
  perMinute: number;
  /** Bucket size: calls allowed at once after a quiet period. */
  burst: number;
}

export interface RateLimiter {
  /** Takes one token for `key`, or rejects with RATE_LIMITED and `extensions.retryAfter` (whole seconds). */
  take(key: string): Promise<void>;
}

/**
 * Where the token buckets live. `take` takes one token of `key`'s bucket
 * and resolves with 0, or with the seconds until one is there. In this
 * process by default; in the database when instances share limits
 * (db/rate-buckets.ts), so three instances allow what one would.
 */
export interface RateBuckets {
  take(key: string, limit: RateLimit): Promise<number>;
}

/** Buckets kept before full (idle) ones are dropped; a full bucket is the same as none. */
const SWEEP_ABOVE = 10_000;

/** The seconds until `tokens` (< 1) refill to one, at least 1. */
export function secondsUntilToken(tokens: number, limit: RateLimit): number {
  return Math.max(1, Math.ceil(((1 - tokens) * 60) / limit.perMinute));
}

/** Token buckets in this process: every instance counts on its own. */
export function createProcessRateBuckets(clock: () => number = Date.now): RateBuckets {
  const buckets = new Map<string, { tokens: number; at: number; limit: RateLimit }>();
  const refill = (bucket: { tokens: number; at: number; limit: RateLimit }, now: number) => {
    bucket.tokens = Math.min(bucket.limit.burst, bucket.tokens + (Math.max(0, now - bucket.at) * bucket.limit.perMinute) / 60_000);
    bucket.at = Math.max(bucket.at, now);
  };
  function sweep(now: number) {
    for (const [key, bucket] of buckets) {
      refill(bucket, now);
      if (bucket.tokens >= bucket.limit.burst) buckets.delete(key);
    }
  }
  return {
    async take(key, limit) {
      const now = clock();
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size >= SWEEP_ABOVE) sweep(now);
        bucket = { tokens: limit.burst, at: now, limit };
        buckets.set(key, bucket);
      }
      refill(bucket, now);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return secondsUntilToken(bucket.tokens, limit);
    },
  };
}

/** A token bucket per key (an owner) named `name` among the buckets. */
export function createRateLimiter(limit: RateLimit, buckets: RateBuckets = createProcessRateBuckets(), name = 'default'): RateLimiter {
  return {
    async take(key) {
      const retryAfter = await buckets.take(`${name}:${key}`, limit);
      if (retryAfter > 0) throw rateLimited(retryAfter);
    },
  };
}

function rateLimited(retryAfter: number): LfsError {
  const error = new LfsError('RATE_LIMITED', `Too many requests; retry in ${retryAfter} s`, { retryAfter });
  // yoga copies extensions.http.headers onto the HTTP response.
  (error.extensions.http as { headers?: Record<string, string> }).headers = { 'retry-after': String(retryAfter) };
  return error;
}
