import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import type { Failpoint } from '../failpoints.js';
import type { FileLifecycle } from '../files/lifecycle.js';
import { dockKeyOf, fileIdOfDockKey, vaultKeyOf, type FileRecord } from '../files/model.js';
import type { FileRepository } from '../files/repository.js';
import { isFinal } from '../files/states.js';
import { attachmentDisposition } from './content-disposition.js';
import { copyToVault, isNotFound, type CopyOptions } from './copy.js';
import type { DockObjectEvent } from './s3-event.js';
import { headWithChecksums, wholeObjectChecksum, type ObjectFacts } from './verify.js';

export interface PromoterOptions {
  s3: S3Client;
  repository: FileRepository;
  lifecycle: FileLifecycle;
  dockBucket: string;
  vaultBucket: string;
  vaultKmsKeyId: string;
  copy: CopyOptions;
  logger: Logger;
  failpoint?: Failpoint;
}

export type PromotionOutcome = 'available' | 'failed' | 'ignored';

export interface Promoter {
  /** Promotes the file behind one dock object. Idempotent: safe to run again for the same object. */
  promote(event: DockObjectEvent): Promise<PromotionOutcome>;
  /** Marks the file FAILED after its last allowed attempt and clears the dock. */
  giveUp(event: DockObjectEvent, reason: string): Promise<void>;
}

/**
 * validate → copy into the vault → delete the dock object → AVAILABLE.
 * Every step can be repeated after a crash: the status guards the row, the
 * vault copy never overwrites, and deletes are idempotent.
 */
export function createPromoter(options: PromoterOptions): Promoter {
  const { s3, repository, lifecycle, logger } = options;
  const failpoint = options.failpoint ?? (() => {});

  const deleteDockObject = (key: string) => s3.send(new DeleteObjectCommand({ Bucket: options.dockBucket, Key: key }));

  async function fail(file: FileRecord, reason: string): Promise<PromotionOutcome> {
    logger.warn({ fileId: file.id, reason }, 'promotion failed');
    await lifecycle.transition(file.id, ['AWAITING_UPLOAD', 'PROMOTING'], 'FAILED', { failureReason: reason });
    await deleteDockObject(dockKeyOf(file.id));
    return 'failed';
  }

  return {
    async promote(event) {
      if (event.bucket !== options.dockBucket || !event.eventName.startsWith('ObjectCreated:')) return 'ignored';
      const fileId = fileIdOfDockKey(event.key);
      const file = fileId ? await repository.get(fileId) : undefined;
      if (!file) {
        logger.warn({ key: event.key }, 'dock object belongs to no file; deleting it');
        await deleteDockObject(event.key);
        return 'ignored';
      }
      if (isFinal(file.status)) {
        // A late duplicate, or a stray write after the fact: the vault copy stands, the dock is cleared.
        await deleteDockObject(event.key);
        return 'ignored';
      }
      const promoting =
        file.status === 'PROMOTING'
          ? file
          : await lifecycle.transition(file.id, 'AWAITING_UPLOAD', 'PROMOTING', { uploadedAt: event.eventTime });
      if (!promoting) return 'ignored';

      let dock: ObjectFacts;
      try {
        dock = await headWithChecksums(s3, options.dockBucket, event.key);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        return finishWithoutDockObject(promoting);
      }
      const size = dock.size;
      if (size !== promoting.size) {
        return fail(promoting, `size mismatch: declared ${promoting.size} bytes, uploaded ${size}`);
      }
      const declared = promoting.checksum;
      if (declared) {
        const actual = await wholeObjectChecksum(s3, options.dockBucket, event.key, declared.algorithm, dock);
        if (actual !== declared.value) {
          return fail(promoting, `checksum mismatch: declared ${declared.algorithm} ${declared.value}, uploaded ${actual}`);
        }
      }

      failpoint('promotion.before-copy');
      await copyToVault(
        s3,
        {
          sourceBucket: options.dockBucket,
          sourceKey: event.key,
          targetBucket: options.vaultBucket,
          targetKey: vaultKeyOf(promoting.id),
          size,
          contentType: promoting.contentType,
          contentDisposition: attachmentDisposition(promoting.name),
          kmsKeyId: options.vaultKmsKeyId,
          checksumAlgorithm: declared?.algorithm,
        },
        {
          ...options.copy,
          onProgress: (copied) => {
            failpoint('promotion.mid-copy');
            // Progress is informational: a failed write of it must not fail the copy.
            lifecycle.progress(promoting.id, copied).catch((error) => logger.warn({ err: error }, 'could not record progress'));
          },
        },
      );
      failpoint('promotion.after-copy');
      if (declared) {
        // The vault copy must carry the same content checksum before the dock copy goes.
        const copied = await wholeObjectChecksum(s3, options.vaultBucket, vaultKeyOf(promoting.id), declared.algorithm);
        if (copied !== declared.value) throw new Error(`vault copy of ${promoting.id} has ${declared.algorithm} ${copied}, expected ${declared.value}`);
      }
      await deleteDockObject(event.key);
      await lifecycle.transition(promoting.id, 'PROMOTING', 'AVAILABLE', { availableAt: new Date() });
      return 'available';
    },

    async giveUp(event, reason) {
      const fileId = fileIdOfDockKey(event.key);
      const file = fileId ? await repository.get(fileId) : undefined;
      if (file && !isFinal(file.status)) await fail(file, reason);
    },
  };

  /** The dock object is gone: either an earlier run copied and deleted it, or it never fully existed. */
  async function finishWithoutDockObject(file: FileRecord): Promise<PromotionOutcome> {
    try {
      const vault = await s3.send(new HeadObjectCommand({ Bucket: options.vaultBucket, Key: vaultKeyOf(file.id) }));
      if (vault.ContentLength === file.size) {
        await lifecycle.transition(file.id, 'PROMOTING', 'AVAILABLE', { availableAt: new Date() });
        return 'available';
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return fail(file, 'the uploaded object disappeared before it could be promoted');
  }
}
