import { AwsError } from '../errors.js';
import type { S3Context } from './context.js';
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
