import type { Logger } from 'pino';
import type { OutboundEvents } from '../files/status-changes.js';
import type { FileRepository } from '../files/repository.js';

export interface Announcer {
  /**
   * Sends every pending announcement, oldest first, and forgets each once
   * sent. Concurrent calls share one pass; a call during a pass schedules
   * another, so nothing committed meanwhile waits for the next interval.
   */
  flush(): Promise<void>;
}

/** The relay of the outbox: at-least-once delivery of what the repository committed. */
export function createAnnouncer(repository: FileRepository, outbound: OutboundEvents, logger: Logger): Announcer {
  let pass: Promise<void> | undefined;
  let again = false;

  async function drain(): Promise<void> {
    for (;;) {
      const batch = await repository.pendingAnnouncements(50);
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

  return {
    flush() {
      if (pass) {
        again = true;
        return pass;
      }
      pass = run();
      return pass;
    },
  };
}
