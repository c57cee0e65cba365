import { GiB, MiB, bool, int } from './fields.js';

/** The promotion worker, the vault copy, and the housekeeping pass (cleanup job, reconciler). */
export const backgroundSettings = {
  /** Run the promotion worker in this process (turn off for API-only instances). @default true */
  LFS_PROMOTION_ENABLED: bool.default(true),
  /** Messages the promotion worker handles at once. @default 4 */
  LFS_PROMOTION_CONCURRENCY: int(1, 256).default(4),
  /**
   * SQS visibility timeout of a dock event being promoted, seconds; a
   * heartbeat extends it every half of it while the promotion runs, so a
   * crashed instance's promotion is picked up again within about this long. @default 30
   */
  LFS_PROMOTION_VISIBILITY_SECONDS: int(1, 43200).default(30),
  /** Receives of a dock event before it goes to the dead-letter queue and its file is FAILED. @default 5 */
  LFS_PROMOTION_MAX_RECEIVES: int(1, 1000).default(5),
  /** First retry delay of a failed promotion, doubled each attempt (with jitter), seconds. @default 2 */
  LFS_PROMOTION_RETRY_BASE_SECONDS: int(0, 3600).default(2),
  /** Objects up to this size are promoted with one CopyObject, larger ones with parallel UploadPartCopy. @default 256 MiB */
  LFS_SINGLE_COPY_LIMIT: int(1, 5 * GiB).default(256 * MiB),
  /** Part size of the parallel vault copy (grown to fit 10,000 parts). @default 256 MiB */
  LFS_COPY_PART_SIZE: int(5 * MiB, 5 * GiB).default(256 * MiB),
  /** Parts copied at once per file. @default 8 */
  LFS_COPY_CONCURRENCY: int(1, 64).default(8),
  /** Dock lifecycle backstop: objects and unfinished uploads older than this many days are removed by S3 itself. @default 7 */
  LFS_DOCK_LIFECYCLE_DAYS: int(1, 3650).default(7),
  /** How often the cleanup job and the reconciler run, seconds. @default 60 */
  LFS_CLEANUP_INTERVAL_SECONDS: int(1, 86400).default(60),
  /** Multipart uploads in the dock older than this are aborted, seconds. @default 7 days */
  LFS_STALE_UPLOAD_SECONDS: int(60, 365 * 86400).default(7 * 86400),
  /**
   * Open multipart uploads one file's dock key may keep: each cleanup pass
   * aborts the older ones beyond it (a client writes through its latest
   * upload) and any whose staged parts exceed the declared size. @default 3
   */
  LFS_MAX_UPLOADS_PER_FILE: int(1, 1_000_000).default(3),
  /** A completed dock object waits this long for its notification before the reconciler promotes it. @default 120 */
  LFS_RECONCILE_GRACE_SECONDS: int(0, 86400).default(120),
};
