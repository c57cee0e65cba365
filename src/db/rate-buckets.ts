import { sql } from 'kysely';
import type { Db } from './schema.js';

/** What db/ implements of the API's rate-limit port (api/rate-limit.ts), structurally. */
interface Limit {
  perMinute: number;
  burst: number;
}

/** Rows of full buckets are dropped about this often (a full bucket is the same as none). */
const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Token buckets in the database, shared by every instance: one statement
 * refills a bucket for the time since it was last used and takes a token
 * only when one is there, so concurrent calls on any instance never take
 * the same token twice. Times come from the caller's clock; a clock behind
 * the bucket's last use refills nothing rather than draining it.
 */
export function createDatabaseRateBuckets({ kysely, dialect }: Db, clock: () => number = Date.now) {
  const least = sql.raw(dialect === 'postgres' ? 'LEAST' : 'MIN');
  const greatest = sql.raw(dialect === 'postgres' ? 'GREATEST' : 'MAX');
  let sweptAt = clock();

  async function sweep(now: number, longestRefillMs: number): Promise<void> {
    sweptAt = now;
    await kysely.deleteFrom('rate_buckets').where('at', '<', now - longestRefillMs).execute();
  }

  return {
    async take(name: string, limit: Limit): Promise<number> {
      // PostgreSQL text cannot hold NUL, which callers use as a separator: JSON escapes it.
      const key = JSON.stringify(name);
      const now = clock();
      const perMs = limit.perMinute / 60_000;
      const burst = sql`CAST(${limit.burst} AS DOUBLE PRECISION)`;
      const at = sql`CAST(${now} AS BIGINT)`;
      const refilled = sql<number>`${least}(${burst}, rate_buckets.tokens + CAST(${perMs} AS DOUBLE PRECISION) * ${greatest}(0, ${at} - rate_buckets.at))`;
      const taken = await kysely
        .insertInto('rate_buckets')
        .values({ key, tokens: sql`${burst} - 1`, at: now })
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({ tokens: sql`${refilled} - 1`, at: sql`${greatest}(rate_buckets.at, ${at})` })
            .where(sql<boolean>`${refilled} >= 1`),
        )
        .returning('tokens')
        .executeTakeFirst();
      if (now - sweptAt > SWEEP_EVERY_MS) await sweep(now, Math.max(SWEEP_EVERY_MS, (limit.burst / perMs) * 2));
      if (taken) return 0;
      const bucket = await kysely.selectFrom('rate_buckets').select(['tokens', 'at']).where('key', '=', key).executeTakeFirst();
      const tokens = bucket ? Math.min(limit.burst, bucket.tokens + perMs * Math.max(0, now - bucket.at)) : 0;
      return Math.max(1, Math.ceil(((1 - tokens) * 60) / limit.perMinute));
    },
  };
}
