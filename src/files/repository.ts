import type { Checksum, FileRecord, FileStatus, NewFile, TransitionPatch } from './model.js';

export interface ListFilesQuery {
  tenant: string;
  /** Only this owner's files; undefined lists the whole tenant (admins). */
  owner?: string;
  status?: FileStatus;
  /** Page size, already capped by the caller. */
  first: number;
  /** Opaque cursor from a previous page. */
  after?: string;
}

export interface FilePage {
  items: Array<{ cursor: string; file: FileRecord }>;
  hasNextPage: boolean;
}

/**
 * Where file records live (SQLite embedded, PostgreSQL scaled out). Every
 * adapter passes the same contract suite.
 */
export interface FileRepository {
  /**
   * Creates an AWAITING_UPLOAD record. With a quota, the owner's open uploads
   * are counted and the record inserted atomically (instances sharing the
   * database included): over the quota it throws `QuotaExceededError` and
   * creates nothing.
   */
  create(file: NewFile, quota?: UploadQuota): Promise<FileRecord>;
  get(id: string): Promise<FileRecord | undefined>;
  /** Newest first (createdAt desc, id desc). Throws `InvalidCursorError` on a bad cursor. */
  list(query: ListFilesQuery): Promise<FilePage>;
  /**
   * Moves a file from one of `from` to `to` in one guarded update. Returns the
   * updated record, or undefined when the row was not in an expected state
   * (someone else moved it first). Rejects transitions the state table forbids.
   */
  transition(id: string, from: FileStatus | readonly FileStatus[], to: FileStatus, patch?: TransitionPatch, now?: Date): Promise<FileRecord | undefined>;
  /**
   * Takes up to `limit` announcements not yet sent, oldest first, for
   * `claimMs`: nobody else gets them meanwhile (another instance's relay
   * takes the next ones), and they come back once the claim runs out unsent
   * (the relay died). One is committed in the same transaction as every move
   * into a status that `announces()` (states.ts) names.
   */
  claimAnnouncements(limit: number, claimMs: number, now?: Date): Promise<Announcement[]>;
  /** Forgets an announcement once it was sent. */
  markAnnounced(id: number): Promise<void>;
  /**
   * Sets the whole-file checksum of an AWAITING_UPLOAD file that has none (a
   * client that computed it while uploading declares it before completing).
   * Returns the updated record, or undefined when the file is not
   * AWAITING_UPLOAD or already has a checksum. Guarded like a transition: a
   * promotion takes the record it moves to PROMOTING, so it sees the checksum
   * declared before that move, and none can be declared after it.
   */
  declareChecksum(id: string, checksum: Checksum, now?: Date): Promise<FileRecord | undefined>;
  /** Records copy progress of a PROMOTING file; undefined when it is no longer PROMOTING. */
  recordProgress(id: string, promotedBytes: number, now?: Date): Promise<FileRecord | undefined>;
  /** AWAITING_UPLOAD files whose upload deadline has passed. */
  listExpired(now: Date, limit: number): Promise<FileRecord[]>;
  /**
   * Files last changed (updatedAt) at or after `since` and before `before`,
   * oldest change first, from after `after` (the last one of the previous
   * page); only those in `status` when given.
   */
  listChanged(query: ChangedFilesQuery): Promise<FileRecord[]>;
  /** How many AWAITING_UPLOAD files one owner has and the sum of their declared sizes (for quotas). */
  openUploads(tenant: string, owner: string): Promise<OpenUploads>;
  /** True when the database answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface ChangedFilesQuery {
  since?: Date;
  before?: Date;
  status?: FileStatus;
  limit: number;
  after?: { updatedAt: Date; id: string };
}

/** Per-owner limits on uploads in flight. */
export interface UploadQuota {
  /** AWAITING_UPLOAD files one owner may have at once. */
  openUploads: number;
  /** Sum of the declared sizes of those files, bytes. */
  bytesInFlight: number;
}

export interface OpenUploads {
  count: number;
  bytes: number;
}

/** A file event back-end consumers must hear about (FileAvailable / FileFailed). */
export interface Announcement {
  id: number;
  fileId: string;
  status: FileStatus;
  createdAt: Date;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('invalid cursor');
    this.name = 'InvalidCursorError';
  }
}

/** `create` with a quota found the owner at it. */
export class QuotaExceededError extends Error {
  constructor(
    readonly quota: keyof UploadQuota,
    readonly limit: number,
    readonly open: OpenUploads,
  ) {
    super(`quota ${quota} of ${limit} reached`);
    this.name = 'QuotaExceededError';
  }
}

/**
 * The database cannot be reached (down, restarting, failing over, or too
 * slow to answer in time). Callers may retry: nothing was changed, or the
 * change committed entirely; guarded transitions make a retry harmless.
 */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`the database is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}
