import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import { fileIdOfDockKey, type EncryptedBucket } from '../files/model.js';
import type { FileRepository } from '../files/repository.js';
import { isFinal } from '../files/states.js';
import type { Promoter } from '../promotion/promote.js';
import { objectsUnder } from '../aws/listing.js';

export interface ReconcilerOptions {
  s3: S3Client;
  repository: FileRepository;
  promoter: Promoter;
  dock: EncryptedBucket;
  /** How long a completed dock object may wait for its notification before it is promoted anyway. */
  graceSeconds: number;
  logger: Logger;
}

export interface ReconcileReport {
  promoted: number;
  deleted: number;
}

/**
 * Finds completed dock objects whose notification was lost (the file is still
 * AWAITING_UPLOAD, or stuck PROMOTING after a crash, past the grace period)
 * and promotes them anyway; deletes dock objects of final or unknown files.
 */
export function createReconciler(options: ReconcilerOptions) {
  const { s3, repository, promoter, logger } = options;
  const dockBucket = options.dock.name;
  return {
    async run(now = new Date()): Promise<ReconcileReport> {
      const report: ReconcileReport = { promoted: 0, deleted: 0 };
      for await (const object of objectsUnder(s3, dockBucket, 'uploads/')) {
        const key = object.Key!;
        const fileId = fileIdOfDockKey(key);
        const file = fileId ? await repository.get(fileId) : undefined;
        if (!file || isFinal(file.status)) {
          await s3.send(new DeleteObjectCommand({ Bucket: dockBucket, Key: key }));
          report.deleted++;
          continue;
        }
        const lastModified = object.LastModified ?? now;
        if (now.getTime() - lastModified.getTime() < options.graceSeconds * 1000) continue;
        logger.warn({ fileId, status: file.status }, 'promoting a dock object whose notification never arrived');
        const outcome = await promoter.promote({
          eventName: 'ObjectCreated:Reconciled',
          eventTime: lastModified,
          bucket: dockBucket,
          key,
          size: object.Size ?? 0,
          eTag: object.ETag,
        });
        if (outcome === 'available') report.promoted++;
      }
      return report;
    },
  };
}
