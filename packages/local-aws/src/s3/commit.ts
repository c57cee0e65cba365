import type { AwsRequest } from '../types.js';
import type { Segment } from './segments.js';
import type { S3Context } from './context.js';
import { notify, type ObjectEvent } from './notifications.js';
import { checkPreconditions } from './objects.js';
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
