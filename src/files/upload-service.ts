import { randomUUID } from 'node:crypto';
import type { CredentialIssuer } from '../credentials/issuer.js';
import { conflict, notFound } from '../errors.js';
import { canSee, dockKeyOf, type Caller, type FileRecord } from './model.js';
import type { FileRepository } from './repository.js';
import type { UploadRequest, UploadService, UploadTarget } from './tickets.js';

const MiB = 1024 * 1024;
/** S3's limit on parts per multipart upload. */
const MAX_PARTS = 10_000;

export interface UploadServiceOptions {
  repository: FileRepository;
  issuer: CredentialIssuer;
  target: Omit<UploadTarget, 'key' | 'partSize'>;
  deadlineSeconds: number;
  minPartSize: number;
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
  };
}
