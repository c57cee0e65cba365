import type { LfsPubSub } from '../api/pubsub.js';
import type { Failpoint } from '../failpoints.js';
import type { Announcer } from '../aws/outbox-relay.js';
import type { FileEvent, FileRecord, FileStatus, TransitionPatch } from './model.js';
import { announces, type FileRepository } from './repository.js';
import { eventTypeFor } from './states.js';

/** Where AVAILABLE and FAILED files are announced to back-end consumers (the SQS file-events queue). */
export interface OutboundEvents {
  announce(file: FileRecord): Promise<void>;
}

export interface FileLifecycle {
  /**
   * Moves a file and, only when this call moved it, publishes the transition
   * on pub/sub and sends the announcement the repository committed with it.
   * Returns undefined when the file was not in an expected state.
   */
  transition(id: string, from: FileStatus | readonly FileStatus[], to: FileStatus, patch?: TransitionPatch): Promise<FileRecord | undefined>;
  /** Records and publishes how far a PROMOTING file's vault copy has come. */
  progress(id: string, promotedBytes: number): Promise<void>;
}

export interface FileLifecycleOptions {
  repository: FileRepository;
  pubsub: LfsPubSub;
  announcer?: Announcer;
  failpoint?: Failpoint;
}

export function createFileLifecycle({ repository, pubsub, announcer, failpoint }: FileLifecycleOptions): FileLifecycle {
  return {
    async transition(id, from, to, patch) {
      const now = new Date();
      const file = await repository.transition(id, from, to, patch, now);
      if (!file) return undefined;
      if (announces(to)) failpoint?.('promotion.after-commit');
      const event: FileEvent = { type: eventTypeFor(to), file, at: now };
      pubsub.publish('fileEvents', event);
      if (announcer && announces(to)) await announcer.flush();
      return file;
    },

    async progress(id, promotedBytes) {
      const now = new Date();
      const file = await repository.recordProgress(id, promotedBytes, now);
      if (file) pubsub.publish('fileEvents', { type: 'PROGRESS', file, at: now });
    },
  };
}
