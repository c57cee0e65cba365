/**
 * Mutual exclusion by name: one holder at a time runs `work`. In one
 * process a promise chain per name (SQLite, one instance); with PostgreSQL
 * an advisory lock, so instances sharing the database take turns too
 * (db/locks.ts).
 */
export interface Locks {
  withLock<T>(name: string, work: () => Promise<T>): Promise<T>;
}

/** Names held in this process only. */
export function createProcessLocks(): Locks {
  const queues = new Map<string, Promise<unknown>>();
  return {
    withLock(name, work) {
      const previous = queues.get(name) ?? Promise.resolve();
      const run = previous.then(work);
      // The next holder waits for this one whatever its outcome; the entry goes once the queue drains.
      const settled = run.then(
        () => undefined,
        () => undefined,
      );
      queues.set(name, settled);
      void settled.then(() => {
        if (queues.get(name) === settled) queues.delete(name);
      });
      return run;
    },
  };
}
