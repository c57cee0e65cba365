import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import type { Failpoint, FailpointName, StepHook } from '../failpoints.js';
import { dockKeyOf, fileIdOfDockKey, vaultKeyOf, type EncryptedBucket, type FileRecord } from '../files/model.js';
import type { FileRepository } from '../files/repository.js';
import { isFinal } from '../files/states.js';
import type { StatusChanges } from '../files/status-changes.js';
import { attachmentDisposition } from '../files/content-disposition.js';
import { copyToVault, isNotFound, isPreconditionFailed, type CopyOptions } from './copy.js';
import type { DockObjectEvent } from './s3-event.js';
import { encryptionMismatchOf, headWithChecksums, mismatchOf, type Expected, type ObjectFacts } from './verify.js';

export interface PromoterOptions {
  s3: S3Client;
  repository: FileRepository;
  statusChanges: StatusChanges;
  dock: EncryptedBucket;
  /** Where files are promoted to, re-encrypted with its key. */
  vault: EncryptedBucket;
  copy: CopyOptions;
  logger: Logger;
  failpoint?: Failpoint;
  /** Tests only: awaited at each named step of a promotion (see `StepHook`). */
  stepHook?: StepHook;
}

export type PromotionOutcome = 'available' | 'failed' | 'ignored';

export interface Promoter {
  /** Promotes the file behind one dock object. Idempotent: safe to run again for the same object. */
  promote(event: DockObjectEvent): Promise<PromotionOutcome>;
  /** Marks the file FAILED after its last allowed attempt and clears the dock and the vault. */
  giveUp(event: DockObjectEvent, reason: string): Promise<void>;
}

/** Why a file fails when its dock object was replaced after it was verified: the replacement is never promoted. */
export const SOURCE_CHANGED = 'the uploaded object changed during promotion';

const expectedOf = (file: FileRecord): Expected => ({ size: file.size, checksum: file.checksum });

/**
 * validate → copy that very version into the vault → verify the vault copy →
 * delete the dock object → AVAILABLE. Every step can be repeated after a
 * crash: the status guards the row, the vault copy never overwrites, and
 * deletes are idempotent. A FAILED file keeps nothing in the vault.
 */
export function createPromoter(options: PromoterOptions): Promoter {
  const { s3, repository, statusChanges, logger } = options;
  const dockBucket = options.dock.name;
  const vaultBucket = options.vault.name;
  const failpoint = options.failpoint ?? (() => {});
  // A crash test may die at a named step; an in-process test may act there.
  const reach = async (step: FailpointName, fileId: string) => {
    failpoint(step);
    await options.stepHook?.(step, fileId);
  };

  const deleteDockObject = (key: string) => s3.send(new DeleteObjectCommand({ Bucket: dockBucket, Key: key }));
  const deleteVaultObject = (fileId: string) => s3.send(new DeleteObjectCommand({ Bucket: vaultBucket, Key: vaultKeyOf(fileId) }));
  /** Deletes the vault object only if it is still the version that was judged wrong (If-Match). */
  const deleteWrongVaultObject = (fileId: string, etag: string) =>
    s3.send(new DeleteObjectCommand({ Bucket: vaultBucket, Key: vaultKeyOf(fileId), IfMatch: etag })).catch((error: unknown) => {
      // Gone, or replaced since: either way not the object judged; fail() below clears what a FAILED file keeps.
      if (!isNotFound(error) && !isPreconditionFailed(error)) throw error;
    });

  /**
   * FAILED, then nothing of the file is left: neither the dock object nor a
   * vault copy an earlier attempt made. The guarded transition is what makes
   * the vault delete safe: only a file this call moved to FAILED, which can
   * never become AVAILABLE, loses its vault object.
   */
  async function fail(file: FileRecord, reason: string): Promise<PromotionOutcome> {
    logger.warn({ fileId: file.id, reason }, 'promotion failed');
    const failed = await statusChanges.transition(file.id, ['AWAITING_UPLOAD', 'PROMOTING'], 'FAILED', { failureReason: reason });
    await deleteDockObject(dockKeyOf(file.id));
    if (failed) await deleteVaultObject(file.id);
    return 'failed';
  }

  return {
    async promote(event) {
      if (event.bucket !== dockBucket || !event.eventName.startsWith('ObjectCreated:')) return 'ignored';
      const fileId = fileIdOfDockKey(event.key);
      const file = fileId ? await repository.get(fileId) : undefined;
      if (!file) {
        logger.warn({ key: event.key }, 'dock object belongs to no file; deleting it');
        await deleteDockObject(event.key);
        return 'ignored';
      }
      if (isFinal(file.status)) {
        // A late duplicate, or a stray write after the fact: the dock is cleared. An AVAILABLE file's vault copy
        // stands; a FAILED file's goes (a crash may have come between the FAILED commit and its removal).
        if (file.status === 'FAILED') await deleteVaultObject(file.id);
        await deleteDockObject(event.key);
        return 'ignored';
      }
      const promoting =
        file.status === 'PROMOTING'
          ? file
          : await statusChanges.transition(file.id, 'AWAITING_UPLOAD', 'PROMOTING', { uploadedAt: event.eventTime });
      if (!promoting) return 'ignored';
      return promoteFile(promoting, event.key);
    },

    async giveUp(event, reason) {
      const fileId = fileIdOfDockKey(event.key);
      const file = fileId ? await repository.get(fileId) : undefined;
      if (file && !isFinal(file.status)) await fail(file, reason);
    },
  };

  async function promoteFile(file: FileRecord, dockKey: string): Promise<PromotionOutcome> {
    let dock: ObjectFacts;
    try {
      dock = await headWithChecksums(s3, dockBucket, dockKey);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      return finishWithoutDockObject(file);
    }
    // Checked before anything is read or copied: an engine without default encryption (Ceph) stores what it is sent.
    const unencrypted = encryptionMismatchOf(dock, options.dock.kmsKeyArn);
    if (unencrypted) return fail(file, `the uploaded object is ${unencrypted}`);
    const uploaded = await mismatchOf(s3, { bucket: dockBucket, key: dockKey, facts: dock, label: 'uploaded' }, expectedOf(file));
    if (uploaded) return fail(file, uploaded.kind === 'changed' ? SOURCE_CHANGED : uploaded.description);

    await reach('promotion.before-copy', file.id);
    const copied = await copyToVault(
      s3,
      {
        sourceBucket: dockBucket,
        sourceKey: dockKey,
        sourceETag: dock.etag,
        targetBucket: vaultBucket,
        targetKey: vaultKeyOf(file.id),
        size: dock.size,
        contentType: file.contentType,
        contentDisposition: attachmentDisposition(file.name),
        kmsKeyId: options.vault.kmsKeyArn,
        checksumAlgorithm: file.checksum?.algorithm,
      },
      {
        ...options.copy,
        onProgress: (bytes) => {
          failpoint('promotion.mid-copy');
          // Progress is informational: a failed write of it must not fail the copy.
          statusChanges.progress(file.id, bytes).catch((error) => logger.warn({ err: error }, 'could not record progress'));
          return options.stepHook?.('promotion.mid-copy', file.id);
        },
      },
    );
    if (copied === 'source-changed') return fail(file, SOURCE_CHANGED);
    await reach('promotion.after-copy', file.id);
    return finish(file, await headWithChecksums(s3, vaultBucket, vaultKeyOf(file.id)), dockKey);
  }

  /**
   * Makes the file AVAILABLE only if its vault object is what was declared,
   * whoever wrote it (this run or an earlier attempt): size, and the checksum
   * when one was declared. A wrong vault object is deleted (that version
   * only) before the file is FAILED. Vault objects are never overwritten, so a
   * good one never fails this check and is never deleted here.
   */
  async function finish(file: FileRecord, vault: ObjectFacts, dockKey: string | undefined): Promise<PromotionOutcome> {
    const vaultKey = vaultKeyOf(file.id);
    const wrong = await mismatchOf(s3, { bucket: vaultBucket, key: vaultKey, facts: vault, label: 'copied' }, expectedOf(file));
    if (wrong?.kind === 'changed') throw new Error(`vault object ${vaultKey} changed while it was verified`);
    const unencrypted = encryptionMismatchOf(vault, options.vault.kmsKeyArn);
    if (wrong || unencrypted) {
      await deleteWrongVaultObject(file.id, vault.etag);
      return fail(file, `the vault copy was wrong and was removed: ${wrong ? wrong.description : unencrypted}`);
    }
    if (dockKey) await deleteDockObject(dockKey);
    if (await statusChanges.transition(file.id, 'PROMOTING', 'AVAILABLE', { availableAt: new Date() })) return 'available';
    // Another run settled the file first. If it ended FAILED, the copy this run made must not stay.
    if ((await repository.get(file.id))?.status === 'FAILED') await deleteVaultObject(file.id);
    return 'ignored';
  }

  /** The dock object is gone: either an earlier run copied and deleted it, or it never fully existed. */
  async function finishWithoutDockObject(file: FileRecord): Promise<PromotionOutcome> {
    let vault: ObjectFacts;
    try {
      vault = await headWithChecksums(s3, vaultBucket, vaultKeyOf(file.id));
    } catch (error) {
      if (!isNotFound(error)) throw error;
      return fail(file, 'the uploaded object disappeared before it could be promoted');
    }
    return finish(file, vault, undefined);
  }
}
