import pg from 'pg';
import type { Logger } from '../logger.js';
import type { FileEvent, FileRecord } from '../files/model.js';
import type { FileRepository } from '../files/repository.js';
import { eventTypeFor } from '../files/states.js';
import { FILE_EVENTS_CHANNEL, type FileNotice } from './repository.js';

export interface FileEventListenerOptions {
  /** Settings of the listener's own connection (never a pooled one: LISTEN belongs to a session). */
  pgConfig: pg.ClientConfig;
  repository: Pick<FileRepository, 'get' | 'listChanged'>;
  /** Where each event goes: this instance's pub/sub. */
  deliver(event: FileEvent): void;
  logger: Logger;
  /** First wait before reconnecting, doubled up to 5 s. @default 250 */
  retryMs?: number;
}

export interface FileEventListener {
  /** Resolves once listening (or once the first attempt failed: it keeps trying in the background). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Files whose last delivered state is remembered, to skip re-delivering it after a reconnect. */
const REMEMBERED = 20_000;
/** A reconnect re-reads changes from this long before the connection was lost (clock skew between instances). */
const CATCH_UP_MARGIN_MS = 5_000;
const CATCH_UP_PAGE = 500;

/**
 * Events of every instance, through PostgreSQL LISTEN/NOTIFY. Each change
 * is NOTIFYed inside its own transaction (repository.ts), so it arrives
 * once committed, on every instance, this one included: this listener is
 * the only way file events reach subscriptions when instances share a
 * database, and each arrives once. The notice names the file; the listener
 * reads the row and delivers the file as it is then.
 *
 * Notifications sent while the connection is down are lost by PostgreSQL.
 * After reconnecting the listener re-reads every file changed since the
 * connection was lost (by updated_at) and delivers those whose state it has
 * not delivered yet: a subscriber misses no status a file reached, though
 * of several changes during the outage it gets only the latest.
 */
export function createFileEventListener(options: FileEventListenerOptions): FileEventListener {
  const { repository, logger } = options;
  // Per file: the state last delivered and as which event type.
  const delivered = new Map<string, { state: string; type: FileEvent['type'] }>();
  let client: pg.Client | undefined;
  let stopped = false;
  let lostAt: number | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryMs = options.retryMs ?? 250;
  // Notices are handled one at a time, in the order they came, so a file's events keep their order.
  let queue: Promise<void> = Promise.resolve();

  const stateOf = (file: FileRecord) => `${file.status}@${file.updatedAt.getTime()}@${file.promotedBytes}`;
  const remember = (file: FileRecord, type: FileEvent['type']) => {
    delivered.delete(file.id);
    delivered.set(file.id, { state: stateOf(file), type });
    if (delivered.size > REMEMBERED) delivered.delete(delivered.keys().next().value!);
  };

  async function onNotice(payload: string | undefined): Promise<void> {
    let notice: FileNotice;
    try {
      notice = JSON.parse(payload ?? '') as FileNotice;
    } catch {
      logger.warn({ payload }, 'ignoring an unreadable file notice');
      return;
    }
    const file = await repository.get(notice.id);
    if (!file) return;
    // A catch-up after a reconnect may have delivered this very change already (committed after LISTEN, read before its notice).
    const last = delivered.get(file.id);
    if (last?.state === stateOf(file) && last.type === notice.type) return;
    remember(file, notice.type);
    options.deliver({ type: notice.type, file, at: new Date(notice.at) });
  }

  async function catchUp(since: number): Promise<void> {
    let after: { updatedAt: Date; id: string } | undefined;
    let count = 0;
    for (;;) {
      const files = await repository.listChanged({ since: new Date(since - CATCH_UP_MARGIN_MS), limit: CATCH_UP_PAGE, after });
      for (const file of files) {
        const last = delivered.get(file.id);
        if (last?.state === stateOf(file)) continue;
        // Still where it was: only its copy progressed.
        const type = last?.state.startsWith(`${file.status}@`) ? 'PROGRESS' : eventTypeFor(file.status);
        remember(file, type);
        options.deliver({ type, file, at: file.updatedAt });
        count++;
      }
      if (files.length < CATCH_UP_PAGE) break;
      const last = files.at(-1)!;
      after = { updatedAt: last.updatedAt, id: last.id };
    }
    logger.info({ delivered: count }, 'file events listener caught up after reconnecting');
  }

  async function connect(): Promise<void> {
    if (stopped) return;
    const next = new pg.Client(options.pgConfig);
    next.on('notification', (message) => {
      if (message.channel !== FILE_EVENTS_CHANNEL) return;
      queue = queue.then(() => onNotice(message.payload)).catch((error) => logger.warn({ err: error }, 'could not deliver a file event'));
    });
    const lost = (error?: Error) => {
      if (client !== next) return;
      client = undefined;
      lostAt ??= Date.now();
      if (!stopped) logger.warn({ err: error }, 'file events listener lost its connection; reconnecting');
      next.end().catch(() => undefined);
      schedule();
    };
    next.on('error', lost);
    next.on('end', () => lost());
    try {
      await next.connect();
      await next.query(`LISTEN ${FILE_EVENTS_CHANNEL}`);
    } catch (error) {
      next.end().catch(() => undefined);
      lostAt ??= Date.now();
      logger.warn({ err: error }, 'file events listener could not connect; retrying');
      schedule();
      return;
    }
    if (stopped) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    retryMs = options.retryMs ?? 250;
    if (lostAt !== undefined) {
      const since = lostAt;
      lostAt = undefined;
      queue = queue.then(() => catchUp(since)).catch((error) => {
        // Try the whole catch-up again with the next connection.
        lostAt = Math.min(lostAt ?? since, since);
        logger.warn({ err: error }, 'file events listener could not catch up; will retry');
        next.end().catch(() => undefined);
      });
    }
  }

  function schedule(): void {
    if (stopped || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, retryMs);
    retryTimer.unref();
    retryMs = Math.min(retryMs * 2, 5_000);
  }

  return {
    start: () => connect(),
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
      await queue;
    },
  };
}
