import { DeleteObjectCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { abortEach, uploadsOfKey } from '../aws/listing.js';
import type { CredentialIssuer, UploadCredentials } from '../credentials/issuer.js';
import type { Revocations } from '../credentials/revocations.js';
import { conflict, notFound } from '../errors.js';
import { attachmentDisposition } from '../files/content-disposition.js';
import { canSee, dockKeyOf, vaultKeyOf, type Caller, type Checksum, type EncryptedBucket, type FileRecord } from '../files/model.js';
import type { FileRepository } from '../files/repository.js';
import type { StatusChanges } from '../files/status-changes.js';
import { createWithinQuota, type QuotaLimits } from './quotas.js';
import { recommendedPartSize, type UploadRequest, type UploadTarget, type UploadTicket } from './ticket.js';

/** A presigned GET on the vault copy; `DownloadLink` in schema.graphql. */
export interface DownloadLink {
  url: string;
  expiresAt: Date;
}

/**
 * The upload use cases behind the mutations. Errors are `LfsError`s
 * (NOT_FOUND for files the caller cannot see, CONFLICT for wrong states).
 */
export interface UploadService {
  requestUpload(caller: Caller, request: UploadRequest): Promise<UploadTicket>;
  refreshUploadCredentials(caller: Caller, fileId: string): Promise<UploadCredentials>;
  /**
   * The ticket again for a file still AWAITING_UPLOAD, with fresh credentials
   * and the newest multipart upload open on its key: upload credentials may
   * list the parts of an upload but not the uploads of a bucket (S3 cannot
   * narrow that listing to one key), so LFS lists them with its own.
   */
  resumeUpload(caller: Caller, fileId: string): Promise<UploadTicket>;
  /** Sets the checksum of an AWAITING_UPLOAD file that has none; the same value again is accepted. */
  declareChecksum(caller: Caller, fileId: string, checksum: Checksum): Promise<FileRecord>;
  /** The file when the caller may see it. */
  getFile(caller: Caller, fileId: string): Promise<FileRecord | undefined>;
  /** Moves an AWAITING_UPLOAD file to CANCELLED, revokes its credentials and clears its dock key. */
  cancelUpload(caller: Caller, fileId: string): Promise<FileRecord>;
  /** A presigned GET for an AVAILABLE file, valid `expiresInSeconds` (validated by the API). */
  createDownloadLink(caller: Caller, fileId: string, expiresInSeconds: number): Promise<DownloadLink>;
}

export interface UploadServiceOptions {
  repository: FileRepository;
  statusChanges: StatusChanges;
  issuer: CredentialIssuer;
  /** Refuses a cancelled file's upload credentials (a Deny in the dock bucket policy). */
  revocations: Pick<Revocations, 'revoke'>;
  /** LFS's own S3 client, for aborting uploads in the dock. */
  s3: S3Client;
  /** Signs download links; its endpoint is the one browsers reach. */
  presignS3: S3Client;
  dock: EncryptedBucket;
  vault: EncryptedBucket;
  /** How browsers reach the dock: the endpoint they are told (null on AWS) and the region. */
  browserEndpoint: { endpoint: string | null; region: string };
  deadlineSeconds: number;
  minPartSize: number;
  /** LFS_FALLBACK_MAX_BYTES, told to clients in the ticket. */
  fallbackMaxBytes: number;
  /** Per-owner limits on uploads awaiting completion (QUOTA_EXCEEDED beyond). */
  quotas: QuotaLimits;
  logger: Logger;
}

export function createUploadService(options: UploadServiceOptions): UploadService {
  const { repository, issuer, dock } = options;

  async function visibleFile(caller: Caller, fileId: string): Promise<FileRecord | undefined> {
    const file = await repository.get(fileId);
    return file && canSee(caller, file) ? file : undefined;
  }

  return {
    async requestUpload(caller, request) {
      const now = new Date();
      const id = randomUUID();
      const uploadDeadline = new Date(now.getTime() + options.deadlineSeconds * 1000);
      // Credentials first: if STS fails, no orphan record is left behind. The quota is checked with the insert, in
      // one transaction: credentials minted for a request it refuses write to a key no file owns (the promotion
      // worker and the cleanup job delete what lands there), and the rate limit bounds how many such a caller gets.
      const credentials = await issuer.issue(id, uploadDeadline, now);
      const file = await createWithinQuota(() => repository.create({
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
      }, options.quotas));
      return { file, target: targetOf(file), credentials, uploadId: null };
    },

    async refreshUploadCredentials(caller, fileId) {
      const file = await visibleFile(caller, fileId);
      if (!file) throw notFound();
      if (file.status !== 'AWAITING_UPLOAD') throw conflict(`File is ${file.status}; credentials are only issued while AWAITING_UPLOAD`);
      if (file.uploadDeadline.getTime() <= Date.now()) throw conflict('The upload deadline has passed');
      return issuer.issue(file.id, file.uploadDeadline);
    },

    async resumeUpload(caller, fileId) {
      const file = await visibleFile(caller, fileId);
      if (!file) throw notFound();
      if (file.status !== 'AWAITING_UPLOAD') throw conflict(`File is ${file.status}; only AWAITING_UPLOAD files can be resumed`);
      const credentials = await issuer.issue(file.id, file.uploadDeadline);
      let uploadId: string | null = null;
      // Listed by initiation: the last one is the newest, the one a client last wrote through.
      for await (const upload of uploadsOfKey(options.s3, dock.name, dockKeyOf(file.id))) uploadId = upload.UploadId ?? uploadId;
      return { file, target: targetOf(file), credentials, uploadId };
    },

    async declareChecksum(caller, fileId, checksum) {
      const file = await visibleFile(caller, fileId);
      if (!file) throw notFound();
      const same = (declared: Checksum | null) => declared?.algorithm === checksum.algorithm && declared.value === checksum.value;
      if (same(file.checksum)) return file;
      if (file.status !== 'AWAITING_UPLOAD') throw conflict(`File is ${file.status}; a checksum can only be declared while AWAITING_UPLOAD`);
      if (file.checksum) throw conflict('A different checksum was already declared for this file');
      const declared = await repository.declareChecksum(file.id, checksum);
      if (declared) return declared;
      // Moved on, or declared by a concurrent call: answer as if this call had come second.
      const now = await repository.get(file.id);
      if (now && same(now.checksum)) return now;
      throw conflict(`The file changed while its checksum was being declared`);
    },

    getFile: visibleFile,

    async cancelUpload(caller, fileId) {
      const file = await visibleFile(caller, fileId);
      if (!file) throw notFound();
      if (file.status !== 'AWAITING_UPLOAD') throw conflict(`File is ${file.status}; only AWAITING_UPLOAD files can be cancelled`);
      const cancelled = await options.statusChanges.transition(file.id, 'AWAITING_UPLOAD', 'CANCELLED');
      if (!cancelled) throw conflict('The file changed state while it was being cancelled');
      // Before clearing the dock, so the credentials cannot start a new upload behind the abort.
      await options.revocations
        .revoke(file.id)
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
          Bucket: options.vault.name,
          Key: vaultKeyOf(file.id),
          ResponseContentDisposition: attachmentDisposition(file.name),
          ResponseContentType: file.contentType,
        }),
        { expiresIn: expiresInSeconds },
      );
      return { url, expiresAt };
    },
  };

  function targetOf(file: FileRecord): UploadTarget {
    const { endpoint, region } = options.browserEndpoint;
    return {
      endpoint,
      region,
      bucket: dock.name,
      key: dockKeyOf(file.id),
      // A custom endpoint (the embedded one) is addressed by path; AWS by virtual host.
      forcePathStyle: endpoint !== null,
      kmsKeyId: dock.kmsKeyArn,
      partSize: recommendedPartSize(file.size, options.minPartSize),
      fallbackMaxBytes: options.fallbackMaxBytes,
    };
  }

  /** Aborts every multipart upload of the file's dock key and deletes a completed object. */
  async function clearDock(fileId: string): Promise<void> {
    const key = dockKeyOf(fileId);
    // Every page: the credentials may have opened more uploads than one listing holds.
    await abortEach(options.s3, dock.name, uploadsOfKey(options.s3, dock.name, key));
    await options.s3.send(new DeleteObjectCommand({ Bucket: dock.name, Key: key }));
  }
}
