import { sql } from 'kysely';
import { createProcessLocks, type Locks } from '../locks.js';
import type { Db } from './schema.js';

/**
 * Named locks across every instance sharing the database: a PostgreSQL
 * advisory lock held by a transaction for as long as `work` runs (it is
 * released by the commit, or by the server when the holder's connection
 * dies, so a crashed instance holds nothing). `work` may take seconds (a
 * bucket policy read-modify-write) and runs on other connections: the lock
 * costs one pooled connection while held. SQLite serves one instance: the
 * process's own locks.
 */
export function createDatabaseLocks({ kysely, dialect }: Db): Locks {
  if (dialect !== 'postgres') return createProcessLocks();
  // Waiters in this process queue here rather than each holding a connection while they wait.
  const local = createProcessLocks();
  return {
    withLock: (name, work) =>
      local.withLock(name, () =>
        kysely.transaction().execute(async (trx) => {
          await sql`SELECT pg_advisory_xact_lock(hashtextextended(${name}, 2))`.execute(trx);
          return work();
        }),
      ),
  };
}
