import type { Logger } from 'pino';
import type { FileEvent, FileRecord } from '../files/model.js';
import type { FileRepository } from '../files/repository.js';
import { announces } from '../files/states.js';

/** Where announced files go to back-end consumers (the SQS file-events queue). */
export interface OutboundEvents {
  announce(file: FileRecord): Promise<void>;
}

/** The relay of the outbox: at-least-once delivery of the announcements the repository committed. */
export interface OutboxRelay {
  /**
   * Sends every pending announcement, oldest first, and forgets each once
   * sent. Concurrent calls share one pass; a call during a pass schedules
   * another, so nothing committed meanwhile waits for the next interval.
   */
  flush(): Promise<void>;
  /** Its subscription to the file-events port: an announced change was just committed, so send it now. */
  onFileEvent(event: FileEvent): Promise<void>;
}

/**
 * How long a relay holds the announcements it took before another may take
 * them: a relay that dies mid-send leaves them to the others (sent again:
 * at-least-once), one that lives sends them well within this.
 */
const CLAIM_MS = 30_000;

export function createOutboxRelay(repository: FileRepository, outbound: OutboundEvents, logger: Logger): OutboxRelay {
  let pass: Promise<void> | undefined;
  let again = false;

  async function drain(): Promise<void> {
    for (;;) {
      const batch = await repository.claimAnnouncements(50, CLAIM_MS);
      for (const announcement of batch) {
        const file = await repository.get(announcement.fileId);
        if (file) await outbound.announce(file);
        await repository.markAnnounced(announcement.id);
      }
      if (batch.length < 50) return;
    }
  }

  async function run(): Promise<void> {
    try {
      do {
        again = false;
        await drain();
      } while (again);
    } catch (error) {
      // Left in the outbox; the next flush (at the latest the housekeeping pass) sends it.
      logger.warn({ err: error }, 'announcing file events failed; will retry');
    } finally {
      pass = undefined;
    }
  }

  function flush(): Promise<void> {
    if (pass) {
      again = true;
      return pass;
    }
    pass = run();
    return pass;
  }

  return {
    flush,
    async onFileEvent(event) {
      if (event.type !== 'PROGRESS' && announces(event.file.status)) await flush();
    },
  };
}
