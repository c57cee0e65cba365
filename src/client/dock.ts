import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  S3Client,
  UploadPartCommand,
  type Part,
} from '@aws-sdk/client-s3';
import { checksumField, combines, type ChecksumAlgorithm } from './checksums.js';
import type { CredentialHolder } from './credentials.js';
import { LfsError } from './errors.js';
import { aborted, backoffMs, classify, describe, sleep } from './retry.js';

/** Where the ticket says to upload. */
export interface UploadTarget {
  endpoint: string | null;
  region: string;
  bucket: string;
  key: string;
  forcePathStyle: boolean;
  kmsKeyId: string;
  partSize: number;
  fallbackMaxBytes: number;
}

/** A part in the dock: its number, ETag, size and checksum (base64, as S3 has it). */
export interface DockPart {
  PartNumber: number;
  ETag: string;
  Size: number;
  checksum: string | undefined;
}

/** Attempts per request before a transient failure is final. */
const ATTEMPTS = 6;

/** The SDK keeps credentials until 5 minutes before they expire; nearer than that it asks the holder before each request. */
const SDK_MEMO_MS = 300_000;

/**
 * The S3 side of one upload, with only the ticket's credentials: the
 * multipart calls driven one by one (lib-storage can neither resume an
 * upload nor give per-part control), each retried with backoff, and once
 * more with fresh credentials after ExpiredToken.
 */
export function createDock(target: UploadTarget, holder: CredentialHolder, signal: AbortSignal, fileId: string) {
  const s3 = new S3Client({
    endpoint: target.endpoint ?? undefined,
    region: target.region,
    forcePathStyle: target.forcePathStyle,
    // Reported as expiring soon, so the SDK's cache never outlives credentials the holder renewed or was pushed.
    credentials: async () => {
      const current = await holder.provide();
      return { ...current, expiration: new Date(Math.min(current.expiration.getTime(), Date.now() + SDK_MEMO_MS / 2)) };
    },
    // Retries are ours (per part, with credential renewal); the SDK adds no checksum of its own to ours.
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const where = { Bucket: target.bucket, Key: target.key };

  async function attempt<T>(what: string, request: () => Promise<T>, options: { attempts?: number } = {}): Promise<T> {
    let renewed = false;
    for (let tries = 1; ; tries++) {
      try {
        return await request();
      } catch (error) {
        if (signal.aborted) throw aborted(signal, fileId);
        const failure = classify(error);
        // A browser sees no ExpiredToken when the dock's error answer lacks CORS headers: only a failed fetch.
        if ((failure === 'expired' || (failure === 'unreachable' && holder.nearExpiry())) && !renewed) {
          renewed = true;
          if ((await holder.renewNow()) && failure === 'expired') continue;
        }
        if ((failure === 'transient' || failure === 'unreachable') && tries < (options.attempts ?? ATTEMPTS)) {
          await sleep(backoffMs(tries), signal);
          continue;
        }
        throw Object.assign(new LfsError('STORAGE', `${what} failed: ${describe(error)}`, { fileId, cause: error }), { failure });
      }
    }
  }

  /** Every part of an upload, or undefined when the upload is gone (completed, aborted). */
  async function listParts(uploadId: string): Promise<{ parts: DockPart[]; algorithm: ChecksumAlgorithm | null } | undefined> {
    const parts: DockPart[] = [];
    let algorithm: ChecksumAlgorithm | null = null;
    let marker: string | undefined;
    try {
      do {
        const page = await attempt('ListParts', () => s3.send(new ListPartsCommand({ ...where, UploadId: uploadId, PartNumberMarker: marker }), { abortSignal: signal }), { attempts: 2 });
        algorithm = (page.ChecksumAlgorithm as ChecksumAlgorithm | undefined) ?? algorithm;
        for (const part of page.Parts ?? []) parts.push(dockPart(part, algorithm));
        marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
      } while (marker);
    } catch (error) {
      if ((error as { cause?: { name?: string } }).cause?.name === 'NoSuchUpload') return undefined;
      throw error;
    }
    return { parts, algorithm };
  }

  return {
    listParts,

    async create(algorithm: ChecksumAlgorithm | null, contentType: string): Promise<string> {
      const created = await attempt(
        'CreateMultipartUpload',
        () =>
          s3.send(
            new CreateMultipartUploadCommand({
              ...where,
              ContentType: contentType,
              ServerSideEncryption: 'aws:kms',
              SSEKMSKeyId: target.kmsKeyId,
              ChecksumAlgorithm: algorithm ?? undefined,
              // CRC parts combine into a checksum of the whole object, which S3 then verifies and keeps.
              ChecksumType: algorithm ? (combines(algorithm) ? 'FULL_OBJECT' : 'COMPOSITE') : undefined,
            }),
            { abortSignal: signal },
          ),
        { attempts: 2 },
      );
      if (!created.UploadId) throw new LfsError('STORAGE', 'the dock answered CreateMultipartUpload without an UploadId', { fileId });
      return created.UploadId;
    },

    async uploadPart(uploadId: string, PartNumber: number, body: Uint8Array, algorithm: ChecksumAlgorithm | null, checksum: string | undefined): Promise<DockPart> {
      const sent = await attempt(`UploadPart ${PartNumber}`, () =>
        s3.send(
          new UploadPartCommand({
            ...where,
            UploadId: uploadId,
            PartNumber,
            Body: body,
            ContentLength: body.byteLength,
            ...(algorithm ? { [checksumField(algorithm)]: checksum } : {}),
          }),
          { abortSignal: signal },
        ),
      );
      // A browser sees only the headers the dock's CORS rule exposes.
      if (!sent.ETag) throw new LfsError('STORAGE', `the dock answered part ${PartNumber} without an ETag (does its CORS rule expose ETag?)`, { fileId });
      return { PartNumber, ETag: sent.ETag, Size: body.byteLength, checksum };
    },

    async complete(uploadId: string, parts: DockPart[], algorithm: ChecksumAlgorithm | null, fullObject: string | undefined, size: number): Promise<void> {
      const send = (sent: DockPart[]) =>
        attempt('CompleteMultipartUpload', () =>
          s3.send(
            new CompleteMultipartUploadCommand({
              ...where,
              UploadId: uploadId,
              MultipartUpload: {
                Parts: sent.map((part) => ({
                  PartNumber: part.PartNumber,
                  ETag: part.ETag,
                  ...(algorithm && part.checksum ? { [checksumField(algorithm)]: part.checksum } : {}),
                })),
              },
              MpuObjectSize: size,
              // S3 checks the whole object against the value computed from the source.
              ...(algorithm && fullObject && combines(algorithm) ? { ChecksumType: 'FULL_OBJECT', [checksumField(algorithm)]: fullObject } : {}),
            }),
            { abortSignal: signal },
          ),
        );
      try {
        await send(parts);
      } catch (error) {
        // A part request given up on (a pause, a timeout) may still have landed after the part was sent again:
        // the dock then holds that part under another ETag. The listing tells which; each part's checksum, the
        // one computed from the source, shows it holds the same bytes.
        if ((error as { cause?: { name?: string } }).cause?.name !== 'InvalidPart' || !algorithm) throw error;
        const listed = new Map((await listParts(uploadId))?.parts.map((part) => [part.PartNumber, part]));
        const current = parts.map((part) => listed.get(part.PartNumber));
        if (current.some((part, index) => !part || part.checksum !== parts[index].checksum)) throw error;
        await send(current as DockPart[]);
      }
    },

    destroy: () => s3.destroy(),
  };
}

export type Dock = ReturnType<typeof createDock>;

function dockPart(part: Part, algorithm: ChecksumAlgorithm | null): DockPart {
  return {
    PartNumber: part.PartNumber ?? 0,
    ETag: part.ETag ?? '',
    Size: part.Size ?? 0,
    checksum: algorithm ? (part[checksumField(algorithm)] as string | undefined) : undefined,
  };
}

/** The S3 error behind a failed dock call, and whether the dock answered at all. */
export function dockFailure(error: unknown): { name: string | undefined; unreachable: boolean } {
  const failure = error as { cause?: { name?: string }; failure?: string };
  return { name: failure.cause?.name, unreachable: failure.failure === 'unreachable' };
}
