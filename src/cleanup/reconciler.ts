import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import { dockKeyOf, fileIdOfDockKey, type EncryptedBucket } from '../files/model.js';
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
  /** PROMOTING files untouched past the grace period, whose dock event was lost, resumed. */
  resumed: number;
}

/**
 * Finds completed dock objects whose notification was lost (the file is still
 * AWAITING_UPLOAD, or stuck PROMOTING after a crash, past the grace period)
 * and promotes them anyway; deletes dock objects of final or unknown files.
 * Then resumes PROMOTING files nothing has touched for the grace period,
 * whose dock object may be gone already (copied and deleted before the
 * database went away, the event since dead-lettered): the promotion finishes
 * from the vault copy, or fails the file.
 */
export function createReconciler(options: ReconcilerOptions) {
  const { s3, repository, promoter, logger } = options;
  const dockBucket = options.dock.name;
  return {
    async run(now = new Date()): Promise<ReconcileReport> {
      const report: ReconcileReport = { promoted: 0, deleted: 0, resumed: 0 };
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
      const before = new Date(now.getTime() - options.graceSeconds * 1000);
      let after: { updatedAt: Date; id: string } | undefined;
      for (;;) {
        const stuck = await repository.listChanged({ status: 'PROMOTING', before, limit: 100, after });
        for (const file of stuck) {
          logger.warn({ fileId: file.id }, 'resuming a promotion nothing has touched for the grace period');
          const outcome = await promoter.promote({
            eventName: 'ObjectCreated:Reconciled',
            eventTime: file.uploadedAt ?? file.updatedAt,
            bucket: dockBucket,
            key: dockKeyOf(file.id),
            size: file.size,
          });
          if (outcome !== 'ignored') report.resumed++;
        }
        if (stuck.length < 100) break;
        after = { updatedAt: stuck.at(-1)!.updatedAt, id: stuck.at(-1)!.id };
      }
      return report;
    },
  };
}
