import { AwsError } from '../errors.js';
import type { AwsRequest } from '../types.js';
import { authorize, objectArn } from './authz.js';
import type { S3Context, S3Target } from './context.js';
import { requireBucket, requireKey } from './objects.js';
import { authorizeEncryptionWrite } from './sse.js';
import type { UploadRow } from './store.js';

export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PARTS = 10000;

export function requireUpload(ctx: S3Context, uploadId: string | null, bucket: string, key: string): UploadRow {
  const row = uploadId ? ctx.store.getUpload.get(uploadId) : undefined;
  if (!row || row.bucket !== bucket || row.key !== key) throw new AwsError('NoSuchUpload', undefined, { UploadId: uploadId ?? '' });
  return row;
}

export function requirePartNumber(value: string | null): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PARTS) {
    throw new AwsError('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', { ArgumentName: 'partNumber', ArgumentValue: String(value) });
  }
  return n;
}

/**
 * The checks every part write shares (UploadPart, UploadPartCopy): the caller
 * may write the key, the upload exists for it, the part number is valid, and
 * the caller may get a data key from the upload's KMS key.
 */
export function authorizedPartWrite(ctx: S3Context, req: AwsRequest, target: S3Target) {
  const key = requireKey(target.key);
  const bucket = requireBucket(ctx, target.bucket);
  authorize(ctx, req, 's3:PutObject', objectArn(bucket.name, key), bucket);
  const upload = requireUpload(ctx, req.query.get('uploadId'), bucket.name, key);
  const partNumber = requirePartNumber(req.query.get('partNumber'));
  authorizeEncryptionWrite(ctx, req, { sse: upload.sse, kms_key_arn: upload.kms_key_arn });
  return { key, bucket, upload, partNumber };
}
