import type { Logger } from 'pino';
import type { Promoter } from './promote.js';
import { RecentSet } from './retry.js';
import { parseS3Message, type DockObjectEvent } from './s3-event.js';

export interface PushIntakeOptions {
  promoter: Promoter;
  logger: Logger;
  /** Failed deliveries of one record before its file is FAILED and the push is acknowledged (as the SQS worker's receives). */
  maxAttempts: number;
}

/**
 * What the pusher is told: `accepted` (200: handled, or nothing to do),
 * `invalid` (400: never readable, so not worth a retry), `retry` (500: the
 * pusher delivers it again; a persistent Ceph topic does until it is taken).
 */
export type PushOutcome = { kind: 'accepted'; handled: number } | { kind: 'invalid'; reason: string } | { kind: 'retry'; reason: string };

export interface PushIntake {
  /** Promotes what one pushed notification announces; resolves once every record was handled. */
  accept(body: string): Promise<PushOutcome>;
}

/**
 * S3 event notifications pushed over HTTP (Ceph's topics with a push
 * endpoint), fed to the same idempotent promotion as the SQS worker. The
 * pusher is the queue: an answer other than 200 has it deliver the
 * notification again, so the retries are its own; this counts the failed
 * attempts of each record and gives up as the SQS worker does at its last
 * receive (FAILED, dock object deleted), then acknowledges. A duplicate
 * push finds the file already settled and changes nothing.
 */
export function createPushIntake(options: PushIntakeOptions): PushIntake {
  const { promoter, logger } = options;
  const done = new RecentSet(10_000);
  const attempts = new Map<string, number>();
  const recordId = (record: DockObjectEvent) => `${record.bucket}/${record.key}@${record.sequencer ?? record.eTag ?? ''}`;

  // A push delivered again while its first delivery still runs (the pusher timed out) joins that run rather than copy twice.
  const running = new Map<string, Promise<'handled' | 'gave-up'>>();

  function handle(record: DockObjectEvent): Promise<'handled' | 'gave-up'> {
    const id = recordId(record);
    if (done.has(id)) return Promise.resolve('handled');
    const current = running.get(id) ?? attempt(record, id).finally(() => running.delete(id));
    running.set(id, current);
    return current;
  }

  async function attempt(record: DockObjectEvent, id: string): Promise<'handled' | 'gave-up'> {
    try {
      const outcome = await promoter.promote(record);
      attempts.delete(id);
      done.add(id);
      logger.info({ key: record.key, outcome }, 'pushed dock object handled');
      return 'handled';
    } catch (error) {
      const count = (attempts.get(id) ?? 0) + 1;
      if (count < options.maxAttempts) {
        attempts.set(id, count);
        // Bounded: a record that stops coming back must not stay here forever.
        if (attempts.size > 10_000) attempts.delete(attempts.keys().next().value!);
        throw error;
      }
      attempts.delete(id);
      logger.error({ err: error, key: record.key, attempts: count }, 'promotion of a pushed event failed for the last time; giving up');
      await promoter.giveUp(record, `promotion failed after ${count} attempts: ${error instanceof Error ? error.message : String(error)}`);
      done.add(id);
      return 'gave-up';
    }
  }

  return {
    async accept(body) {
      const parsed = parseS3Message(body);
      switch (parsed.kind) {
        case 'test':
          return { kind: 'accepted', handled: 0 };
        case 'invalid':
          logger.warn({ reason: parsed.reason }, 'refusing an unreadable pushed dock event');
          return { kind: 'invalid', reason: parsed.reason };
        case 'records':
          try {
            for (const record of parsed.records) await handle(record);
            return { kind: 'accepted', handled: parsed.records.length };
          } catch (error) {
            logger.warn({ err: error }, 'promotion of a pushed event failed; the pusher will deliver it again');
            return { kind: 'retry', reason: 'promotion failed; deliver again' };
          }
      }
    },
  };
}
