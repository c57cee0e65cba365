import type { Failpoint } from '../failpoints.js';
import type { FileEvents } from './events.js';
import type { FileRecord, FileStatus, TransitionPatch } from './model.js';
import type { FileRepository } from './repository.js';
import { announces, eventTypeFor } from './states.js';

/** The one way a file's status changes: a guarded update, then the event. */
export interface StatusChanges {
  /**
   * Moves a file and, only when this call moved it, publishes the change to
   * the file-events port. Returns undefined when the file was not in an
   * expected state (someone else moved it first).
   */
  transition(id: string, from: FileStatus | readonly FileStatus[], to: FileStatus, patch?: TransitionPatch): Promise<FileRecord | undefined>;
  /** Records and publishes how far a PROMOTING file's vault copy has come. */
  progress(id: string, promotedBytes: number): Promise<void>;
}

export interface StatusChangesOptions {
  repository: FileRepository;
  events: FileEvents;
  failpoint?: Failpoint;
}

export function createStatusChanges({ repository, events, failpoint }: StatusChangesOptions): StatusChanges {
  return {
    async transition(id, from, to, patch) {
      const now = new Date();
      const file = await repository.transition(id, from, to, patch, now);
      if (!file) return undefined;
      // The announcement is committed with the status: a crash here must not lose it (the outbox relay sends it after a restart).
      if (announces(to)) failpoint?.('promotion.after-commit');
      await events.publish({ type: eventTypeFor(to), file, at: now });
      return file;
    },

    async progress(id, promotedBytes) {
      const now = new Date();
      const file = await repository.recordProgress(id, promotedBytes, now);
      if (file) await events.publish({ type: 'PROGRESS', file, at: now });
    },
  };
}
