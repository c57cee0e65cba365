import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import { abortUpload, uploadsUnder } from '../aws/listing.js';
import { dockKeyOf, fileIdOfVaultKey, vaultKeyOf, type EncryptedBucket } from '../files/model.js';
import type { FileRepository } from '../files/repository.js';
import { isFinal } from '../files/states.js';
import type { StatusChanges } from '../files/status-changes.js';
import { pruneDockUploads } from './dock-uploads.js';

export interface CleanupOptions {
  s3: S3Client;
  repository: FileRepository;
  statusChanges: StatusChanges;
  dock: EncryptedBucket;
  vault: EncryptedBucket;
  /** Multipart uploads older than this are aborted whatever their file's state. */
  staleUploadSeconds: number;
  /** Open multipart uploads one file's dock key may keep (the newest); the older ones are aborted. */
  maxUploadsPerFile: number;
  logger: Logger;
}

export interface CleanupReport {
  expired: number;
  /** Dock uploads whose file is final or unknown, or that are stale. */
  abortedUploads: number;
  /** Dock uploads beyond the newest `maxUploadsPerFile` of their key. */
  abortedExtraUploads: number;
  /** Dock uploads that staged more than their file's declared size. */
  abortedOversizedUploads: number;
  abortedVaultCopies: number;
  /** Vault objects of FAILED files removed (normally none: the promotion removes them itself). */
  deletedFailedVaultObjects: number;
}

/** The first pass looks back this far for FAILED files; later ones to their previous start, less the margin. */
const FAILED_LOOKBACK_MS = 24 * 3600_000;
const FAILED_MARGIN_MS = 3600_000;
const PAGE = 100;

/**
 * Expires tickets nobody used and aborts the dock's multipart uploads that
 * can no longer complete (their file is final or unknown, or they are older
 * than the limit) or must not go on (beyond a file's newest few, or larger
 * than declared: see dock-uploads.ts). The dock's lifecycle rules are the
 * backstop if this job stops running.
 */
export function createCleanup(options: CleanupOptions) {
  const { s3, repository, statusChanges } = options;
  const dockBucket = options.dock.name;

  async function expireTickets(now: Date): Promise<number> {
    let expired = 0;
    for (;;) {
      const due = await repository.listExpired(now, 100);
      if (due.length === 0) return expired;
      for (const file of due) {
        const moved = await statusChanges.transition(file.id, 'AWAITING_UPLOAD', 'EXPIRED', {
          failureReason: 'The upload was not completed before its deadline',
        });
        if (moved) expired++;
        await s3.send(new DeleteObjectCommand({ Bucket: dockBucket, Key: dockKeyOf(file.id) }));
      }
      if (due.length < 100) return expired;
    }
  }

  /**
   * A parallel vault copy interrupted by a crash leaves its multipart upload
   * behind (never a visible object); once the file is final, nobody will
   * complete it.
   */
  async function abortInterruptedCopies(): Promise<number> {
    let aborted = 0;
    for await (const upload of uploadsUnder(s3, options.vault.name, 'files/')) {
      const fileId = fileIdOfVaultKey(upload.Key ?? '');
      const file = fileId ? await repository.get(fileId) : undefined;
      if (file && !isFinal(file.status)) continue;
      await abortUpload(s3, options.vault.name, upload);
      aborted++;
    }
    return aborted;
  }

  let failedSince: number | undefined;

  /**
   * A FAILED file keeps nothing in the vault; the promotion deletes the copy
   * itself, but a crash right after it lost a race (its copy landed after
   * another run failed the file) can leave one. This removes the vault
   * object of every file that turned FAILED since the previous pass (a day
   * back on the first): only FAILED records are followed, never an object
   * whose record is missing, so a database restored from an older backup
   * never costs a newer file its vault copy.
   */
  async function deleteFailedVaultObjects(now: Date): Promise<number> {
    const since = new Date(failedSince === undefined ? now.getTime() - FAILED_LOOKBACK_MS : failedSince - FAILED_MARGIN_MS);
    let deleted = 0;
    let after: { updatedAt: Date; id: string } | undefined;
    for (;;) {
      const failed = await repository.listChanged({ status: 'FAILED', since, limit: PAGE, after });
      for (const file of failed) {
        await s3.send(new DeleteObjectCommand({ Bucket: options.vault.name, Key: vaultKeyOf(file.id) }));
        deleted++;
      }
      if (failed.length < PAGE) break;
      after = { updatedAt: failed.at(-1)!.updatedAt, id: failed.at(-1)!.id };
    }
    failedSince = now.getTime();
    return deleted;
  }

  return {
    async run(now = new Date()): Promise<CleanupReport> {
      const expired = await expireTickets(now);
      const dock = await pruneDockUploads(options, now);
      const abortedVaultCopies = await abortInterruptedCopies();
      const deletedFailedVaultObjects = await deleteFailedVaultObjects(now);
      return {
        expired,
        abortedUploads: dock.dead,
        abortedExtraUploads: dock.extra,
        abortedOversizedUploads: dock.oversized,
        abortedVaultCopies,
        deletedFailedVaultObjects,
      };
    },
  };
}
