import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  S3ServiceException,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ChecksumAlgorithm } from '../files/model.js';

export interface CopyRequest {
  sourceBucket: string;
  sourceKey: string;
  /** The ETag of the source version that was verified: the copy takes that version or nothing (`x-amz-copy-source-if-match`). */
  sourceETag: string;
  targetBucket: string;
  targetKey: string;
  size: number;
  contentType: string;
  contentDisposition: string;
  kmsKeyId: string;
  metadata?: Record<string, string>;
  /** Have the vault compute and keep this full-object checksum. */
  checksumAlgorithm?: ChecksumAlgorithm;
}

export interface CopyOptions {
  /** Objects up to this size use one CopyObject (S3 allows up to 5 GiB). @default 256 MiB */
  singleCopyLimit: number;
  /** Part size of parallel UploadPartCopy; grown so the object fits 10,000 parts. @default 256 MiB */
  partSize: number;
  /** Parts copied at once. @default 8 */
  concurrency: number;
  /**
   * `auto`: one CopyObject up to `singleCopyLimit`, and parallel parts from
   * the first CopyObject the engine answers 501 (Ceph's gateway cannot copy
   * an SSE-KMS source that way). `multipart`: parallel parts always.
   * @default auto
   */
  method?: 'auto' | 'multipart';
  /** Called after each part, for progress reporting; the next part waits for what it returns. */
  onProgress?: (copiedBytes: number) => void | Promise<void>;
}

/**
 * `copied`: this call wrote the vault object. `already-present`: a vault
 * object was there already (an earlier attempt wrote it); the caller verifies
 * it. `source-changed`: the source is no longer the version named by
 * `sourceETag`, so nothing was copied.
 */
export type CopyResult = 'copied' | 'already-present' | 'source-changed';

const MAX_PARTS = 10_000;

/**
 * Copies one version of a dock object into the vault, re-encrypted with the
 * vault key. Two conditions make it safe to repeat and impossible to steer:
 * `If-None-Match: *` on the target (a second copy, after a redelivered event
 * or a restart, never overwrites) and `x-amz-copy-source-if-match` on the
 * source for the single copy and every part (the owner's credentials can
 * still replace the dock object after it was verified; the replacement is
 * never copied). Either refusal is a 412: the target tells them apart.
 */
export async function copyToVault(s3: S3Client, request: CopyRequest, options: CopyOptions): Promise<CopyResult> {
  try {
    if (options.method !== 'multipart' && request.size <= options.singleCopyLimit && !singleCopyRefused.has(s3)) {
      try {
        await singleCopy(s3, request);
        return 'copied';
      } catch (error) {
        if (!isNotImplemented(error)) throw error;
        // The engine lacks it (by behaviour, not by name): this client copies in parts from now on.
        singleCopyRefused.add(s3);
      }
    }
    await parallelCopy(s3, request, options);
    return 'copied';
  } catch (error) {
    if (!isPreconditionFailed(error)) throw error;
    try {
      await s3.send(new HeadObjectCommand({ Bucket: request.targetBucket, Key: request.targetKey }));
      return 'already-present';
    } catch (missing) {
      if (isNotFound(missing)) return 'source-changed';
      throw missing;
    }
  }
}

/** Clients whose engine answered CopyObject with 501 Not Implemented. */
const singleCopyRefused = new WeakSet<S3Client>();

function isNotImplemented(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.name === 'NotImplemented' || error.$metadata.httpStatusCode === 501);
}

function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** What the vault object is: where, its headers, its encryption and checksum; the same for both copy paths. */
function vaultObject(request: CopyRequest) {
  return {
    Bucket: request.targetBucket,
    Key: request.targetKey,
    ContentType: request.contentType,
    ContentDisposition: request.contentDisposition,
    Metadata: request.metadata,
    ServerSideEncryption: 'aws:kms' as const,
    SSEKMSKeyId: request.kmsKeyId,
    ChecksumAlgorithm: request.checksumAlgorithm,
  };
}

async function singleCopy(s3: S3Client, request: CopyRequest): Promise<void> {
  await s3.send(
    new CopyObjectCommand({
      ...vaultObject(request),
      CopySource: copySource(request.sourceBucket, request.sourceKey),
      CopySourceIfMatch: request.sourceETag,
      MetadataDirective: 'REPLACE',
      IfNoneMatch: '*',
    }),
  );
}

/** Part size that fits the object in 10,000 parts, rounded up to whole MiB. */
export function copyPartSize(size: number, preferred: number): number {
  const MiB = 1024 * 1024;
  return Math.max(preferred, Math.ceil(size / MAX_PARTS / MiB) * MiB);
}

async function parallelCopy(s3: S3Client, request: CopyRequest, options: CopyOptions): Promise<void> {
  const partSize = copyPartSize(request.size, options.partSize);
  const partCount = Math.ceil(request.size / partSize);
  const created = await s3.send(
    new CreateMultipartUploadCommand({
      ...vaultObject(request),
      // CRCs combine across parts into a checksum of the whole content; SHA-256 cannot.
      ChecksumType: request.checksumAlgorithm && request.checksumAlgorithm !== 'SHA256' ? 'FULL_OBJECT' : undefined,
    }),
  );
  const uploadId = created.UploadId!;
  const parts: CompletedPart[] = new Array(partCount);
  let next = 0;
  let copied = 0;
  let failed = false;
  const copyParts = async () => {
    while (!failed && next < partCount) {
      const index = next++;
      const start = index * partSize;
      const end = Math.min(request.size, start + partSize) - 1;
      const result = await s3.send(
        new UploadPartCopyCommand({
          Bucket: request.targetBucket,
          Key: request.targetKey,
          UploadId: uploadId,
          PartNumber: index + 1,
          CopySource: copySource(request.sourceBucket, request.sourceKey),
          CopySourceRange: `bytes=${start}-${end}`,
          CopySourceIfMatch: request.sourceETag,
        }),
      );
      const { ETag, ChecksumCRC32, ChecksumCRC32C, ChecksumCRC64NVME, ChecksumSHA256 } = result.CopyPartResult!;
      parts[index] = { PartNumber: index + 1, ETag, ChecksumCRC32, ChecksumCRC32C, ChecksumCRC64NVME, ChecksumSHA256 };
      copied += end - start + 1;
      await options.onProgress?.(copied);
    }
  };
  const worker = () =>
    copyParts().catch((error: unknown) => {
      failed = true;
      throw error;
    });
  try {
    // Every part in flight settles before the abort, so none lands in an upload already aborted.
    const results = await Promise.allSettled(Array.from({ length: Math.min(options.concurrency, partCount) }, worker));
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: request.targetBucket,
        Key: request.targetKey,
        UploadId: uploadId,
        IfNoneMatch: '*',
        MultipartUpload: { Parts: parts },
      }),
    );
  } catch (error) {
    // Never leave a half object behind: the parts go, the next attempt starts clean.
    await s3.send(new AbortMultipartUploadCommand({ Bucket: request.targetBucket, Key: request.targetKey, UploadId: uploadId })).catch(() => {});
    throw error;
  }
}

export function isPreconditionFailed(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.name === 'PreconditionFailed' || error.$metadata.httpStatusCode === 412);
}

export function isNotFound(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'NotFound' || error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404)
  );
}
