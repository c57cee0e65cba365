import type { FileEventType, FileStatus } from './model.js';

/**
 * The one table of allowed status transitions. Nothing else changes a status:
 * every change is a row update guarded by the expected previous state, so a
 * duplicate or late event finds the row already moved on and does nothing.
 */
export const allowedTransitions: Readonly<Record<FileStatus, readonly FileStatus[]>> = {
  AWAITING_UPLOAD: ['PROMOTING', 'FAILED', 'CANCELLED', 'EXPIRED'],
  // Back to AWAITING_UPLOAD is not allowed: a promotion that cannot finish ends FAILED.
  PROMOTING: ['AVAILABLE', 'FAILED'],
  AVAILABLE: [],
  FAILED: [],
  CANCELLED: [],
  EXPIRED: [],
};

export function canTransition(from: FileStatus, to: FileStatus): boolean {
  return allowedTransitions[from].includes(to);
}

export function isFinal(status: FileStatus): boolean {
  return allowedTransitions[status].length === 0;
}

/**
 * The statuses announced to back-end consumers on the file-events queue
 * (FileAvailable / FileFailed): the repository commits an announcement with
 * every move into one of them.
 */
export function announces(status: FileStatus): boolean {
  return status === 'AVAILABLE' || status === 'FAILED';
}

/** The kind of event a transition into `to` emits. */
export function eventTypeFor(to: FileStatus): FileEventType {
  switch (to) {
    case 'AVAILABLE':
      return 'AVAILABLE';
    case 'FAILED':
      return 'FAILED';
    default:
      return 'STATUS_CHANGED';
  }
}
