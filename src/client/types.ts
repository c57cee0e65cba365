import type { ChecksumAlgorithm } from './checksums.js';
import type { LfsFileEventsSubscription, LfsFileFieldsFragment } from './gql/graphql.js';

/** A file as LFS describes it (`File` in schema.graphql); dates are ISO strings. */
export type LfsFile = LfsFileFieldsFragment;

/** One event of `events(fileId)` (`FileEvent`). */
export type LfsFileEvent = LfsFileEventsSubscription['fileEvents'];

export type FileStatus = LfsFile['status'];

/** Statuses after which nothing changes. */
export const finalStatuses: readonly FileStatus[] = ['AVAILABLE', 'FAILED', 'CANCELLED', 'EXPIRED'];
export const isFinal = (status: FileStatus) => finalStatuses.includes(status);

/** What `onProgress` receives. */
export interface UploadProgress {
  /** 'upload' to the dock, 'fallback' through LFS (the dock could not be reached), 'promotion' once uploaded. */
  phase: 'upload' | 'fallback' | 'promotion';
  fileId: string;
  /** Bytes in the dock so far, parts sent by an earlier run included. */
  bytesSent: number;
  totalBytes: number;
  /** Over the last seconds of this run; 0 before the first part is through. */
  bytesPerSecond: number;
  /** At the current rate; null while unknown. */
  secondsLeft: number | null;
  /** Share of the vault copy done (0..1) during 'promotion'; null before. */
  promotionProgress: number | null;
}

export interface UploadOptions {
  /** Default: the file's own name (a File, a path); required for a Blob or bytes. */
  name?: string;
  /** Default: the File's type, else application/octet-stream. */
  contentType?: string;
  metadata?: Record<string, unknown>;
  /**
   * The whole-file checksum, computed while uploading (no second read) and
   * declared to LFS, which verifies it at promotion; every part carries its
   * own to the dock. `{ algorithm, value }` declares one the caller already
   * knows (the client still computes its own for the parts). false: none.
   * @default 'CRC64NVME'
   */
  checksum?: ChecksumAlgorithm | { algorithm: ChecksumAlgorithm; value: string } | false;
  /** Bytes per part (at least 5 MiB but for the last). @default the ticket's partSize */
  partSize?: number;
  /** Parts sent at once. @default 4 */
  concurrency?: number;
  /** Stops the upload without cancelling the file: `resume` continues it. Rejects with code ABORTED. */
  signal?: AbortSignal;
  /** As soon as the file exists (before any byte is sent): keep the id to resume. */
  onTicket?: (fileId: string) => void;
  onProgress?: (progress: UploadProgress) => void;
}

/** What `files()` lists. */
export interface ListOptions {
  /** Only files in this status. */
  status?: FileStatus;
  /** Page size, at most 100. @default 20 */
  first?: number;
  /** The `next` of the page before. */
  after?: string;
}

export interface FilesPage {
  files: LfsFile[];
  /** Give it as `after` for the next page; null on the last one. */
  next: string | null;
}
