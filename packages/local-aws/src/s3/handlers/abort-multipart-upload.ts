import { objectArn, authorize } from '../authz.js';
import type { S3Handler } from '../context.js';
import { requireBucket, requireKey } from '../objects.js';
import { requireUpload } from '../uploads.js';

export const abortMultipartUpload: S3Handler = async (ctx, req, target) => {
  const key = requireKey(target.key);
  const bucket = requireBucket(ctx, target.bucket);
  authorize(ctx, req, 's3:AbortMultipartUpload', objectArn(bucket.name, key), bucket);
  const upload = requireUpload(ctx, req.query.get('uploadId'), bucket.name, key);
  const blobs = ctx.db.transaction(() => {
    const parts = ctx.store.listParts.all(upload.upload_id);
    ctx.store.deleteUpload.run(upload.upload_id);
    return parts.map((p) => p.blob);
  })();
  await ctx.blobs.remove(blobs);
  return { status: 204 };
};
