import { LfsError } from '../errors.js';
import type { Caller } from '../files/model.js';
import type { FileRepository } from '../files/repository.js';

export interface QuotaLimits {
  /** AWAITING_UPLOAD files one owner may have at once. */
  openUploads: number;
  /** Sum of the declared sizes of those files, bytes. */
  bytesInFlight: number;
}

export interface QuotaGuard {
  /**
   * Runs `create` (which makes one more AWAITING_UPLOAD file of `size` bytes)
   * only when the owner stays within its quotas; throws QUOTA_EXCEEDED
   * otherwise and creates nothing.
   */
  admit<T>(caller: Caller, size: number, create: () => Promise<T>): Promise<T>;
}

export interface QuotaGuardOptions {
  repository: Pick<FileRepository, 'openUploads'>;
  limits: QuotaLimits;
}

/**
 * Per-owner quotas on uploads in flight. One owner's requests are admitted one
 * at a time (count, then create), so concurrent requests cannot all see room
 * for one more. The queue is in this process: instances sharing a PostgreSQL
 * database can each admit one request at the limit, so the quota may be
 * overshot by at most the number of instances.
 */
export function createQuotaGuard(options: QuotaGuardOptions): QuotaGuard {
  const { repository, limits } = options;
  const queues = new Map<string, Promise<unknown>>();

  async function check(caller: Caller, size: number): Promise<void> {
    const open = await repository.openUploads(caller.tenant, caller.subject);
    if (open.count + 1 > limits.openUploads) {
      throw new LfsError('QUOTA_EXCEEDED', `At most ${limits.openUploads} uploads may await completion at once; finish or cancel one first`, {
        quota: 'openUploads',
        limit: limits.openUploads,
      });
    }
    if (open.bytes + size > limits.bytesInFlight) {
      throw new LfsError('QUOTA_EXCEEDED', `Uploads awaiting completion may declare at most ${limits.bytesInFlight} bytes together`, {
        quota: 'bytesInFlight',
        limit: limits.bytesInFlight,
        inFlight: open.bytes,
      });
    }
  }

  return {
    admit(caller, size, create) {
      const key = JSON.stringify([caller.tenant, caller.subject]);
      const previous = queues.get(key) ?? Promise.resolve();
      const run = previous.then(async () => {
        await check(caller, size);
        return create();
      });
      // The next request waits for this one whatever its outcome; the entry
      // goes away once the owner's queue drains.
      const settled = run.then(
        () => undefined,
        () => undefined,
      );
      queues.set(key, settled);
      void settled.then(() => {
        if (queues.get(key) === settled) queues.delete(key);
      });
      return run;
    },
  };
}
