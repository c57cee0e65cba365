import { randomBytes } from 'node:crypto';
import type { AwsRequest } from '../types.js';
import type { Segment } from './segments.js';
import type { S3Context } from './context.js';
import { notify, type ObjectEvent } from './notifications.js';
import { checkPreconditions, storedHeadersFrom, type WrittenBody } from './objects.js';
import type { WriteEncryption } from './sse.js';
import { segmentsOf, type ObjectRow } from './store.js';

/**
 * Makes a fully written object visible: in one SQLite transaction, re-checks
 * the write preconditions against the current row, writes the row, runs
 * `also` (e.g. deletes the multipart upload) and enqueues the notification.
 * Then removes the blobs of the replaced version. On failure the caller still
 * owns (and must remove) the new blobs.
 */
export async function commitObject(
  ctx: S3Context,
  req: AwsRequest,
  row: ObjectRow,
  eventName: ObjectEvent['eventName'],
  also?: () => void,
): Promise<void> {
  const replaced = ctx.db.transaction((): Segment[] => {
    const bucket = ctx.store.getBucket.get(row.bucket);
    const previous = ctx.store.getObject.get(row.bucket, row.key);
    checkPreconditions(req.headers, previous, 'write');
    ctx.store.putObject.run(row);
    also?.();
    notify(ctx, req, bucket?.notification ?? null, { eventName, bucket: row.bucket, key: row.key, size: row.size, etag: row.etag });
    return previous ? segmentsOf(previous) : [];
  })();
  const kept = new Set(segmentsOf(row).map((s) => s.blob));
  await ctx.blobs.remove(replaced.map((s) => s.blob).filter((blob) => !kept.has(blob)));
}

/**
 * Commits an object written whole in one blob (PutObject, POST Object): its
 * row, then commitObject; the blob is removed when the commit fails.
 */
export async function commitWrittenObject(
  ctx: S3Context,
  req: AwsRequest,
  object: { bucket: string; key: string; headers: Record<string, string>; encryption: WriteEncryption; body: WrittenBody },
  eventName: ObjectEvent['eventName'],
): Promise<ObjectRow> {
  const { encryption, body } = object;
  const { written, checksum, md5 } = body;
  const row: ObjectRow = {
    bucket: object.bucket,
    key: object.key,
    size: written.size,
    // SSE-KMS ETags are not MD5s in S3 either.
    etag: md5 && encryption.sse !== 'aws:kms' ? md5 : randomBytes(16).toString('hex'),
    last_modified: new Date().toISOString(),
    headers: JSON.stringify(storedHeadersFrom(object.headers)),
    sse: encryption.sse,
    kms_key_arn: encryption.key?.arn ?? null,
    checksum_algorithm: checksum?.algorithm ?? null,
    checksum_value: checksum?.value ?? null,
    checksum_type: checksum ? 'FULL_OBJECT' : null,
    parts_count: null,
    segments: JSON.stringify([{ blob: written.blob, size: written.size }]),
  };
  try {
    await commitObject(ctx, req, row, eventName);
  } catch (error) {
    await ctx.blobs.remove([written.blob]);
    throw error;
  }
  return row;
}
