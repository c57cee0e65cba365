import { AwsError } from '../../errors.js';
import { bucketArn, authorize } from '../authz.js';
import type { S3Handler } from '../context.js';
import { requireBucket } from '../objects.js';

/** Only an empty bucket (no objects, no multipart uploads in progress) can be deleted. */
export const deleteBucket: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:DeleteBucket', bucketArn(bucket), row);
  ctx.db.transaction(() => {
    if (ctx.store.bucketHasObjects.get(bucket) || ctx.store.bucketHasUploads.get(bucket)) {
      throw new AwsError('BucketNotEmpty', undefined, { BucketName: bucket });
    }
    ctx.store.deleteBucket.run(bucket);
  })();
  return { status: 204 };
};
