import { AwsError } from '../../errors.js';
import { bucketArn, authorize } from '../authz.js';
import type { S3Handler } from '../context.js';

/** S3's naming rules for new buckets (lower case, 3..63, no IP-address look-alikes). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export const createBucket: S3Handler = async (ctx, req, { bucket }) => {
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(bucket)) {
    throw new AwsError('InvalidBucketName', undefined, { BucketName: bucket });
  }
  authorize(ctx, req, 's3:CreateBucket', bucketArn(bucket), undefined);
  req.body.resume(); // CreateBucketConfiguration only names a region; there is one region here.
  const created = ctx.db.transaction(() => {
    if (ctx.store.getBucket.get(bucket)) return false;
    ctx.store.insertBucket.run(bucket, new Date().toISOString());
    return true;
  })();
  if (!created) throw new AwsError('BucketAlreadyOwnedByYou', undefined, { BucketName: bucket });
  return { status: 200, headers: { location: `/${bucket}` } };
};
