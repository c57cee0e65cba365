import { afterEach, describe, expect, it } from 'vitest';
import { createProcessRateBuckets, createRateLimiter, type RateBuckets } from '../../../src/api/rate-limit.js';
import { createDatabaseRateBuckets } from '../../../src/db/rate-buckets.js';
import { openDatabase } from '../../../src/db/connect.js';
import { migrate } from '../../../src/db/migrations.js';
import { LfsError } from '../../../src/errors.js';
import { postgresDatabase, silentLogger } from '../../helpers/databases.js';

/** Where the buckets live: this process, or the database (shared by instances) of either dialect. */
const stores: Record<string, (clock: () => number) => Promise<RateBuckets>> = {
  process: async (clock) => createProcessRateBuckets(clock),
  SQLite: async (clock) => databaseBuckets(undefined, clock),
  PostgreSQL: async (clock) => databaseBuckets(await postgresDatabase(), clock),
};

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function databaseBuckets(url: string | undefined, clock: () => number): Promise<RateBuckets> {
  const db = openDatabase({ url, sqlitePath: ':memory:', poolSize: 4 }, silentLogger);
  closers.push(() => db.close());
  await migrate(db);
  return createDatabaseRateBuckets(db, clock);
}

describe.each(Object.keys(stores))('token bucket rate limiter (%s)', (store) => {
  async function limiterAt(perMinute: number, burst: number) {
    const clock = { now: 1_000_000 };
    const limiter = createRateLimiter({ perMinute, burst }, await stores[store](() => clock.now));
    const attempt = async (key = 'alice') => {
      try {
        await limiter.take(key);
        return 'ok';
      } catch (error) {
        expect(error).toBeInstanceOf(LfsError);
        return (error as LfsError).extensions as { code: string; retryAfter: number };
      }
    };
    return { clock, attempt };
  }

  it.each([
    // perMinute, burst, calls allowed at once
    [60, 1, 1],
    [60, 5, 5],
    [1, 3, 3],
  ])('at %i/min with burst %i allows %i calls at once, then RATE_LIMITED', async (perMinute, burst, allowed) => {
    const { attempt } = await limiterAt(perMinute, burst);
    for (let i = 0; i < allowed; i++) expect(await attempt()).toBe('ok');
    expect(await attempt()).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it.each([
    [60, 1],
    [6, 10],
    [1, 60],
    [120, 1],
  ])('at %i/min says to retry after %i s, and that is enough', async (perMinute, retryAfter) => {
    const { clock, attempt } = await limiterAt(perMinute, 1);
    await attempt();
    expect(await attempt()).toMatchObject({ code: 'RATE_LIMITED', retryAfter });
    clock.now += retryAfter * 1000;
    expect(await attempt()).toBe('ok');
  });

  it('keeps one bucket per key', async () => {
    const { attempt } = await limiterAt(60, 1);
    expect(await attempt('alice')).toBe('ok');
    expect(await attempt('bob')).toBe('ok');
    expect(await attempt('alice')).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('refills to the burst and no further', async () => {
    const { clock, attempt } = await limiterAt(60, 2);
    await attempt();
    await attempt();
    clock.now += 3600_000;
    expect([await attempt(), await attempt()]).toEqual(['ok', 'ok']);
    expect(await attempt()).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('gives concurrent callers exactly the tokens there are', async () => {
    const { attempt } = await limiterAt(60, 10);
    const results = await Promise.all(Array.from({ length: 25 }, () => attempt()));
    expect(results.filter((result) => result === 'ok')).toHaveLength(10);
  });

  it('refills nothing when a clock runs behind the last use, rather than draining the bucket', async () => {
    const { clock, attempt } = await limiterAt(60, 2);
    await attempt();
    clock.now -= 60_000;
    expect(await attempt()).toBe('ok');
    expect(await attempt()).toMatchObject({ code: 'RATE_LIMITED' });
  });
});

describe('token bucket rate limiter in this process', () => {
  it('forgets idle keys instead of growing without bound', async () => {
    const clock = { now: 1_000_000 };
    const limiter = createRateLimiter({ perMinute: 60_000, burst: 1 }, createProcessRateBuckets(() => clock.now));
    for (let i = 0; i < 10_500; i++) await limiter.take(`user-${i}`);
    clock.now += 1000;
    // The sweep ran and kept working; a forgotten key starts with a full bucket.
    await expect(limiter.take('user-0')).resolves.toBeUndefined();
  });
});
