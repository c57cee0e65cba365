import { afterEach, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../../../src/db/index.js';
import { openTestDatabase, postgresDatabase, silentLogger } from '../../helpers/databases.js';

/** What instances share through the database besides file records, on both dialects. */
describe.each(['sqlite', 'postgres'] as const)('leases and locks (%s)', (dialect) => {
  const opened: Database[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((database) => database.repository.close()));
  });
  const open = async () => {
    const database = await openTestDatabase(dialect);
    opened.push(database);
    return database;
  };

  it('gives a lease to one holder at a time, renews it for that holder, and lets another take it once it runs out or is released', async () => {
    const { leases } = await open();
    const at = (ms: number) => new Date(Date.parse('2026-08-01T00:00:00Z') + ms);
    expect(await leases.acquire('housekeeping', 'a', 1000, at(0))).toBe(true);
    expect(await leases.acquire('housekeeping', 'b', 1000, at(500))).toBe(false);
    expect(await leases.acquire('housekeeping', 'a', 1000, at(900))).toBe(true);
    expect(await leases.acquire('housekeeping', 'b', 1000, at(1500))).toBe(false);
    // a died: its lease (renewed until 1900) runs out, and b takes over.
    expect(await leases.acquire('housekeeping', 'b', 1000, at(1901))).toBe(true);
    expect(await leases.acquire('housekeeping', 'a', 1000, at(2000))).toBe(false);
    await leases.release('housekeeping', 'a');
    expect(await leases.acquire('housekeeping', 'a', 1000, at(2100))).toBe(false);
    await leases.release('housekeeping', 'b');
    expect(await leases.acquire('housekeeping', 'a', 1000, at(2200))).toBe(true);
    // Another name is another lease.
    expect(await leases.acquire('other', 'b', 1000, at(2200))).toBe(true);
  });

  it('gives each of concurrent contenders the lease at most once', async () => {
    const { leases } = await open();
    const now = new Date();
    const won = await Promise.all(['a', 'b', 'c', 'd'].map((holder) => leases.acquire('job', holder, 60_000, now)));
    expect(won.filter(Boolean)).toHaveLength(1);
  });

  it('runs the holders of one lock name one at a time, even when they share no process state', async () => {
    // Two handles on one database stand for two instances (with SQLite, one instance: the process's own locks).
    const url = dialect === 'postgres' ? await postgresDatabase() : undefined;
    const first = await connectDatabase({ url, sqlitePath: ':memory:' }, silentLogger);
    const second = url ? await connectDatabase({ url, sqlitePath: ':memory:' }, silentLogger) : first;
    opened.push(...new Set([first, second]));
    let inside = 0;
    let most = 0;
    const work = async () => {
      inside++;
      most = Math.max(most, inside);
      await new Promise((resolve) => setTimeout(resolve, 30));
      inside--;
    };
    await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? first : second).locks.withLock('dock bucket policy', work)));
    expect(most).toBe(1);
  });
});
