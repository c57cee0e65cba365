/**
 * Long-poll receivers parked per queue. A send wakes them on the next turn of
 * the event loop (setImmediate), so a sender inside a caller's SQLite
 * transaction has committed before any receiver looks.
 */
export interface Waiters {
  /** Resolves when the queue is notified, after `ms`, on close, or when `signal` aborts; never rejects. */
  wait(queue: string, ms: number, signal?: AbortSignal): Promise<void>;
  notify(queue: string): void;
  readonly closed: boolean;
  close(): void;
}

export function createWaiters(): Waiters {
  const parked = new Map<string, Set<() => void>>();
  const pending = new Set<string>();
  let closed = false;
  let immediate: NodeJS.Immediate | undefined;

  const flush = () => {
    immediate = undefined;
    const queues = [...pending];
    pending.clear();
    for (const queue of queues) {
      const wakers = parked.get(queue);
      if (wakers) for (const wake of [...wakers]) wake();
    }
  };

  return {
    get closed() {
      return closed;
    },
    wait(queue, ms, signal) {
      if (closed || signal?.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        let wakers = parked.get(queue);
        if (!wakers) parked.set(queue, (wakers = new Set()));
        const set = wakers;
        const wake = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', wake);
          set.delete(wake);
          if (set.size === 0 && parked.get(queue) === set) parked.delete(queue);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(0, ms));
        signal?.addEventListener('abort', wake, { once: true });
        set.add(wake);
      });
    },
    notify(queue) {
      if (closed || !parked.has(queue)) return;
      pending.add(queue);
      immediate ??= setImmediate(flush);
    },
    close() {
      closed = true;
      if (immediate) clearImmediate(immediate);
      for (const wakers of parked.values()) for (const wake of [...wakers]) wake();
      parked.clear();
    },
  };
}
