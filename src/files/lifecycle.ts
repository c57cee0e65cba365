import type { LfsPubSub } from '../api/pubsub.js';
import type { FileEvent, FileRecord, FileStatus, TransitionPatch } from './model.js';
import type { FileRepository } from './repository.js';
import { eventTypeFor } from './states.js';

/** Where AVAILABLE and FAILED files are announced to back-end consumers (the SQS file-events queue). */
export interface OutboundEvents {
  announce(file: FileRecord): Promise<void>;
}

export interface FileLifecycle {
  /**
   * Moves a file and, only when this call moved it, publishes the transition
   * (pub/sub for subscriptions, the outbound queue for AVAILABLE/FAILED).
   * Returns undefined when the file was not in an expected state.
   */
  transition(id: string, from: FileStatus | readonly FileStatus[], to: FileStatus, patch?: TransitionPatch): Promise<FileRecord | undefined>;
}

export interface FileLifecycleOptions {
  repository: FileRepository;
  pubsub: LfsPubSub;
  outbound?: OutboundEvents;
  logger?: { error(obj: object, msg?: string): void };
}

export function createFileLifecycle({ repository, pubsub, outbound, logger }: FileLifecycleOptions): FileLifecycle {
  return {
    async transition(id, from, to, patch) {
      const now = new Date();
      const file = await repository.transition(id, from, to, patch, now);
      if (!file) return undefined;
      const event: FileEvent = { type: eventTypeFor(to), file, at: now };
      pubsub.publish('fileEvents', event);
      if (outbound && (to === 'AVAILABLE' || to === 'FAILED')) {
        try {
          await outbound.announce(file);
        } catch (error) {
          // The state change is committed; a lost announcement must be retried, never undo it.
          logger?.error({ err: error, fileId: id }, 'could not announce file event');
          throw error;
        }
      }
      return file;
    },
  };
}
