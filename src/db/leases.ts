import type { Db } from './schema.js';

/**
 * Cluster-wide jobs (the housekeeping pass) run on one instance at a time:
 * the holder of a lease row. It renews the lease while it keeps the job;
 * when it dies the lease runs out and the next instance to ask takes over.
 */
export interface Leases {
  /** Takes or renews `name` for `holder` until `ttlMs` from now; false when another holder's lease still runs. */
  acquire(name: string, holder: string, ttlMs: number, now?: Date): Promise<boolean>;
  /** Gives the lease up (at shutdown), so another instance need not wait for it to run out. */
  release(name: string, holder: string): Promise<void>;
}

export function createLeases({ kysely }: Db): Leases {
  return {
    async acquire(name, holder, ttlMs, now = new Date()) {
      const at = now.getTime();
      // One statement on both dialects: insert, or take over a lapsed lease, or renew our own.
      const row = await kysely
        .insertInto('leases')
        .values({ name, holder, expires_at: at + ttlMs })
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet({ holder, expires_at: at + ttlMs })
            .where((eb) => eb.or([eb('leases.expires_at', '<', at), eb('leases.holder', '=', holder)])),
        )
        .returning('holder')
        .executeTakeFirst();
      return row?.holder === holder;
    },
    async release(name, holder) {
      await kysely.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
    },
  };
}
