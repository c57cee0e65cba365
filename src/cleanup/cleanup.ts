import { AbortMultipartUploadCommand, DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import type { FileLifecycle } from '../files/lifecycle.js';
import { dockKeyOf, fileIdOfDockKey, fileIdOfVaultKey } from '../files/model.js';
import type { FileRepository } from '../files/repository.js';
import { isFinal } from '../files/states.js';
import { uploadsUnder } from '../aws/listing.js';

export interface CleanupOptions {
  s3: S3Client;
  repository: FileRepository;
  lifecycle: FileLifecycle;
  dockBucket: string;
  vaultBucket: string;
  /** Multipart uploads older than this are aborted whatever their file's state. */
  staleUploadSeconds: number;
  logger: Logger;
}

export interface CleanupReport {
  expired: number;
  abortedUploads: number;
  abortedVaultCopies: number;
}

/**
 * Expires tickets nobody used and aborts multipart uploads that can no longer
 * complete (their file is final or unknown, or they are older than the limit).
 * The dock's lifecycle rules are the backstop if this job stops running.
 */
export function createCleanup(options: CleanupOptions) {
  const { s3, repository, lifecycle, dockBucket, logger } = options;

  async function expireTickets(now: Date): Promise<number> {
    let expired = 0;
    for (;;) {
      const due = await repository.listExpired(now, 100);
      if (due.length === 0) return expired;
      for (const file of due) {
        const moved = await lifecycle.transition(file.id, 'AWAITING_UPLOAD', 'EXPIRED', {
          failureReason: 'The upload was not completed before its deadline',
        });
        if (moved) expired++;
        await s3.send(new DeleteObjectCommand({ Bucket: dockBucket, Key: dockKeyOf(file.id) }));
      }
      if (due.length < 100) return expired;
    }
  }

  async function abortDeadUploads(now: Date): Promise<number> {
    let aborted = 0;
    for await (const upload of uploadsUnder(s3, dockBucket, 'uploads/')) {
      const fileId = fileIdOfDockKey(upload.Key ?? '');
      const file = fileId ? await repository.get(fileId) : undefined;
      const age = now.getTime() - (upload.Initiated?.getTime() ?? now.getTime());
      const dead = !file || isFinal(file.status) || age > options.staleUploadSeconds * 1000;
      if (!dead) continue;
      await s3.send(new AbortMultipartUploadCommand({ Bucket: dockBucket, Key: upload.Key, UploadId: upload.UploadId }));
      logger.info({ key: upload.Key, fileStatus: file?.status }, 'aborted a multipart upload that cannot complete');
      aborted++;
    }
    return aborted;
  }

  /**
   * A parallel vault copy interrupted by a crash leaves its multipart upload
   * behind (never a visible object); once the file is final, nobody will
   * complete it.
   */
  async function abortInterruptedCopies(): Promise<number> {
    let aborted = 0;
    for await (const upload of uploadsUnder(s3, options.vaultBucket, 'files/')) {
      const fileId = fileIdOfVaultKey(upload.Key ?? '');
      const file = fileId ? await repository.get(fileId) : undefined;
      if (file && !isFinal(file.status)) continue;
      await s3.send(new AbortMultipartUploadCommand({ Bucket: options.vaultBucket, Key: upload.Key, UploadId: upload.UploadId }));
      aborted++;
    }
    return aborted;
  }

  return {
    async run(now = new Date()): Promise<CleanupReport> {
      const expired = await expireTickets(now);
      const abortedUploads = await abortDeadUploads(now);
      const abortedVaultCopies = await abortInterruptedCopies();
      return { expired, abortedUploads, abortedVaultCopies };
    },
  };
}
