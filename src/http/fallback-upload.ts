import { PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Logger } from 'pino';
import type { Authenticator } from '../auth/index.js';
import { LfsError, errorCodes, type ErrorCode } from '../errors.js';
import { dockKeyOf } from '../files/model.js';
import type { UploadService } from '../uploads/ticket.js';

export interface FallbackUploadOptions {
  authenticator: Authenticator;
  uploads: UploadService;
  s3: S3Client;
  dockBucket: string;
  dockKmsKeyArn: string;
  /** Largest body accepted this way; bigger files must go to the dock directly. */
  maxBytes: number;
  logger: Logger;
}

/**
 * `PUT /uploads/<fileId>`: for clients that cannot reach the dock, LFS streams
 * the body into the dock object itself (never buffering it), under the same
 * rules as a direct upload; the notification and promotion then run as usual.
 */
export function createFallbackUpload(options: FallbackUploadOptions) {
  const { s3, logger } = options;

  async function upload(req: IncomingMessage, fileId: string): Promise<{ etag?: string }> {
    const caller = await options.authenticator.authenticate(req.headers.authorization);
    const file = await options.uploads.getFile(caller, fileId);
    if (!file) throw new LfsError('NOT_FOUND', 'File not found');
    if (file.status !== 'AWAITING_UPLOAD') throw new LfsError('CONFLICT', `File is ${file.status}; only AWAITING_UPLOAD files accept an upload`);
    const header = req.headers['content-length'];
    if (header === undefined || !/^\d+$/.test(header)) throw new LfsError('LENGTH_REQUIRED', 'Content-Length is required');
    const length = Number(header);
    if (length > options.maxBytes) {
      throw new LfsError('PAYLOAD_TOO_LARGE', `This route takes up to ${options.maxBytes} bytes; upload larger files to the dock directly`);
    }
    if (length !== file.size) throw new LfsError('BAD_USER_INPUT', `Content-Length ${length} differs from the declared size ${file.size}`, { field: 'size' });
    // A client hanging up ends the body short instead of erroring it: the endpoint then refuses the
    // incomplete upload (nothing stored), and no stream error escapes inside the SDK.
    const body = new PassThrough();
    req.pipe(body);
    req.once('error', () => body.end());
    try {
      const result = await s3.send(
        new PutObjectCommand({
          Bucket: options.dockBucket,
          Key: dockKeyOf(file.id),
          Body: body,
          ContentLength: length,
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: options.dockKmsKeyArn,
        }),
      );
      return { etag: result.ETag };
    } catch (error) {
      // A body shorter than announced, or a client that went away: nothing was stored.
      if (req.destroyed || req.readableAborted || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 400)) {
        throw new LfsError('BAD_USER_INPUT', 'The body ended before Content-Length bytes arrived', { field: 'body' });
      }
      throw error;
    }
  }

  return async function handle(req: IncomingMessage, res: ServerResponse, fileId: string): Promise<void> {
    // A client that hangs up mid-body makes the request stream error; the upload fails with it, handled below.
    req.on('error', () => {});
    try {
      const { etag } = await upload(req, fileId);
      res.writeHead(200, { 'content-type': 'application/json', ...(etag ? { etag } : {}) }).end(JSON.stringify({ fileId, status: 'UPLOADED' }));
    } catch (error) {
      const code: ErrorCode = error instanceof LfsError ? error.code : 'INTERNAL';
      if (code === 'INTERNAL') logger.error({ err: error, fileId }, 'fallback upload failed');
      const message = error instanceof LfsError ? error.message : errorCodes.INTERNAL.message;
      // Unread body bytes would otherwise hold the connection; close it instead of draining gigabytes.
      res.shouldKeepAlive = false;
      res.writeHead(errorCodes[code].http, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ error: { code, message } }));
      req.resume();
    }
  };
}
