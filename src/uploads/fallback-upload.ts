import { PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { LfsError } from '../errors.js';
import { dockKeyOf, type Caller, type EncryptedBucket } from '../files/model.js';
import type { UploadService } from './upload-service.js';

/** A body on its way in, as the transport hands it over. */
export interface IncomingBody {
  /** The bytes; opened only once the upload is accepted, so a refused body is never read. */
  open(): Readable;
  /** The length the sender declared, in bytes; undefined when it declared none. */
  length: number | undefined;
  /** True once the sender went away: a failure then means the body ended short. */
  abandoned(): boolean;
}

export interface FallbackUploadOptions {
  uploads: Pick<UploadService, 'getFile'>;
  s3: S3Client;
  dock: EncryptedBucket;
  /** Largest body accepted this way; bigger files must go to the dock directly. */
  maxBytes: number;
}

/**
 * For clients that cannot reach the dock: LFS streams the body into the dock
 * object itself (never buffering it), under the same rules as a direct
 * upload; the notification and promotion then run as usual.
 */
export function createFallbackUpload(options: FallbackUploadOptions) {
  const { s3, dock } = options;

  return async function upload(caller: Caller, fileId: string, body: IncomingBody): Promise<{ etag?: string }> {
    const file = await options.uploads.getFile(caller, fileId);
    if (!file) throw new LfsError('NOT_FOUND', 'File not found');
    if (file.status !== 'AWAITING_UPLOAD') throw new LfsError('CONFLICT', `File is ${file.status}; only AWAITING_UPLOAD files accept an upload`);
    const { length } = body;
    if (length === undefined) throw new LfsError('LENGTH_REQUIRED', 'Content-Length is required');
    if (length > options.maxBytes) {
      throw new LfsError('PAYLOAD_TOO_LARGE', `This route takes up to ${options.maxBytes} bytes; upload larger files to the dock directly`);
    }
    if (length !== file.size) throw new LfsError('BAD_USER_INPUT', `Content-Length ${length} differs from the declared size ${file.size}`, { field: 'size' });
    try {
      const result = await s3.send(
        new PutObjectCommand({
          Bucket: dock.name,
          Key: dockKeyOf(file.id),
          Body: body.open(),
          ContentLength: length,
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: dock.kmsKeyArn,
        }),
      );
      return { etag: result.ETag };
    } catch (error) {
      // A body shorter than announced, or a sender that went away: nothing was stored.
      if (body.abandoned() || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 400)) {
        throw new LfsError('BAD_USER_INPUT', 'The body ended before Content-Length bytes arrived', { field: 'body' });
      }
      throw error;
    }
  };
}

export type FallbackUpload = ReturnType<typeof createFallbackUpload>;
