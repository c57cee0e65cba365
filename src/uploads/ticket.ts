import type { UploadCredentials } from '../credentials/issuer.js';
import type { Checksum, FileRecord } from '../files/model.js';

/** `RequestUploadInput` after validation by the API layer. */
export interface UploadRequest {
  name: string;
  size: number;
  contentType: string;
  metadata: Record<string, unknown>;
  checksum: Checksum | null;
}

/** Where and how the browser uploads; `UploadTarget` in schema.graphql. */
export interface UploadTarget {
  endpoint: string | null;
  region: string;
  bucket: string;
  key: string;
  forcePathStyle: boolean;
  kmsKeyId: string;
  partSize: number;
  /** Largest file the fallback `PUT /uploads/<fileId>` takes, for clients that cannot reach the dock. */
  fallbackMaxBytes: number;
}

/** What `requestUpload` hands out: the new file, where to upload it, and credentials for that one key. */
export interface UploadTicket {
  file: FileRecord;
  target: UploadTarget;
  credentials: UploadCredentials;
  /**
   * The newest multipart upload open on the file's dock key, for a client
   * resuming it (`resumeUpload`); null from `requestUpload`, or when none is
   * open.
   */
  uploadId: string | null;
}

const MiB = 1024 * 1024;
/** S3's limit on parts per multipart upload. */
const MAX_PARTS = 10_000;

/** The smallest whole-MiB part size, at least `minPartSize`, that fits `size` in 10,000 parts. */
export function recommendedPartSize(size: number, minPartSize: number): number {
  const needed = Math.ceil(size / MAX_PARTS / MiB) * MiB;
  return Math.max(minPartSize, needed);
}
