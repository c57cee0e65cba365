import { DeleteObjectCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { abortEach, uploadsOfKey } from '../aws/listing.js';
import type { CredentialIssuer } from '../credentials/issuer.js';
import type { Revocations } from '../credentials/revocations.js';
import { conflict, notFound } from '../errors.js';
import { attachmentDisposition } from '../files/content-disposition.js';
import type { FileLifecycle } from '../files/status-changes.js';
import { canSee, dockKeyOf, vaultKeyOf, type Caller, type FileRecord } from '../files/model.js';
import type { FileRepository } from '../files/repository.js';
import type { UploadService, UploadTarget } from './ticket.js';

const MiB = 1024 * 1024;
/** S3's limit on parts per multipart upload. */
const MAX_PARTS = 10_000;

export interface UploadServiceOptions {
  repository: FileRepository;
  issuer: CredentialIssuer;
  target: Omit<UploadTarget, 'key' | 'partSize'>;
  deadlineSeconds: number;
  minPartSize: number;
  lifecycle: FileLifecycle;
  /** LFS's own S3 client, for aborting uploads in the dock. */
  s3: S3Client;
  /** Signs download links; its endpoint is the one browsers reach. */
  presignS3: S3Client;
  vaultBucket: string;
  logger: Logger;
  /** Refuses a cancelled file's upload credentials (a Deny in the dock bucket policy); without it they live until they expire. */
  revocations?: Pick<Revocations, 'revoke'>;
}

/** The smallest whole-MiB part size, at least `minPartSize`, that fits `size` in 10,000 parts. */
export function recommendedPartSize(size: number, minPartSize: number): number {
  const needed = Math.ceil(size / MAX_PARTS / MiB) * MiB;
  return Math.max(minPartSize, needed);
}

export function createUploadService(options: UploadServiceOptions): UploadService {
  const { repository, issuer } = options;

  async function visibleFile(caller: Caller, fileId: string): Promise<FileRecord | undefined> {
    const file = await repository.get(fileId);
    return file && canSee(caller, file) ? file : undefined;
  }

  return {
    async requestUpload(caller, request) {
      const now = new Date();
      const id = randomUUID();
      const key = dockKeyOf(id);
      const uploadDeadline = new Date(now.getTime() + options.deadlineSeconds * 1000);
      // Credentials first: if STS fails, no orphan record is left behind.
      const credentials = await issuer.issue(id, key, uploadDeadline, now);
      const file = await repository.create({
        id,
        owner: caller.subject,
        tenant: caller.tenant,
        name: request.name,
        size: request.size,
        contentType: request.contentType,
        metadata: request.metadata,
        checksum: request.checksum,
        createdAt: now,
        uploadDeadline,
      });
      return {
        file,
        target: { ...options.target, key, partSize: recommendedPartSize(request.size, options.minPartSize) },
        credentials,
      };
    },

    async refreshUploadCredentials(caller, fileId) {
      const file = await visibleFile(caller, fileId);
      if (!file) throw notFound();
      if (file.status !== 'AWAITING_UPLOAD') throw conflict(`File is ${file.status}; credentials are only issued while AWAITING_UPLOAD`);
      if (file.uploadDeadline.getTime() <= Date.now()) throw conflict('The upload deadline has passed');
      return issuer.issue(file.id, dockKeyOf(file.id), file.uploadDeadline);
    },

    getFile: visibleFile,

    async cancelUpload(caller, fileId) {
      const file = await visibleFile(caller, fileId);
      if (!file) throw notFound();
      if (file.status !== 'AWAITING_UPLOAD') throw conflict(`File is ${file.status}; only AWAITING_UPLOAD files can be cancelled`);
      const cancelled = await options.lifecycle.transition(file.id, 'AWAITING_UPLOAD', 'CANCELLED');
      if (!cancelled) throw conflict('The file changed state while it was being cancelled');
      // Before clearing the dock, so the credentials cannot start a new upload behind the abort.
      await options.revocations
        ?.revoke(file.id)
        .catch((error) => options.logger.error({ err: error, fileId }, 'could not revoke the upload credentials of a cancelled file'));
      // Best effort now; the cleanup job aborts whatever this misses.
      await clearDock(file.id).catch((error) => options.logger.warn({ err: error, fileId }, 'could not clear the dock after cancel'));
      return cancelled;
    },

    async createDownloadLink(caller, fileId, expiresInSeconds) {
      const file = await visibleFile(caller, fileId);
      if (!file) throw notFound();
      if (file.status !== 'AVAILABLE') throw conflict(`File is ${file.status}; download links exist only for AVAILABLE files`);
      const expiresAt = new Date(Date.now() + expiresInSeconds * 1000);
      const url = await getSignedUrl(
        options.presignS3,
        new GetObjectCommand({
          Bucket: options.vaultBucket,
          Key: vaultKeyOf(file.id),
          ResponseContentDisposition: attachmentDisposition(file.name),
          ResponseContentType: file.contentType,
        }),
        { expiresIn: expiresInSeconds },
      );
      return { url, expiresAt };
    },
  };

  /** Aborts every multipart upload of the file's dock key and deletes a completed object. */
  async function clearDock(fileId: string): Promise<void> {
    const key = dockKeyOf(fileId);
    const bucket = options.target.bucket;
    // Every page: the credentials may have opened more uploads than one listing holds.
    await abortEach(options.s3, bucket, uploadsOfKey(options.s3, bucket, key));
    await options.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }
}
