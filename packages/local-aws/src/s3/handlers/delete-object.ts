import { objectArn, authorize } from '../authz.js';
import type { S3Handler } from '../context.js';
import { notify } from '../notifications.js';
import { checkPreconditions, requireBucket, requireKey } from '../objects.js';
import { segmentsOf } from '../store.js';

/** Deleting a missing key succeeds, as in S3. */
export const deleteObject: S3Handler = async (ctx, req, target) => {
  const key = requireKey(target.key);
  const bucket = requireBucket(ctx, target.bucket);
  authorize(ctx, req, 's3:DeleteObject', objectArn(bucket.name, key), bucket);
  const blobs = deleteRow(ctx, req, bucket.name, key, true);
  await ctx.blobs.remove(blobs);
  return { status: 204 };
};

/** Removes the row (and notifies) in one transaction; returns the blobs to remove once committed. */
export function deleteRow(ctx: Parameters<S3Handler>[0], req: Parameters<S3Handler>[1], bucket: string, key: string, conditional: boolean): string[] {
  return ctx.db.transaction((): string[] => {
    const row = ctx.store.getObject.get(bucket, key);
    if (conditional && req.headers['if-match'] !== undefined) checkPreconditions({ 'if-match': req.headers['if-match'] }, row, 'write');
    if (!row) return [];
    ctx.store.deleteObject.run(bucket, key);
    notify(ctx, req, ctx.store.getBucket.get(bucket)?.notification ?? null, { eventName: 'ObjectRemoved:Delete', bucket, key });
    return segmentsOf(row).map((s) => s.blob);
  })();
}
