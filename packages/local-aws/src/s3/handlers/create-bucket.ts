import { readAll } from '../../auth/index.js';
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
  // CreateBucketConfiguration only names a region; there is one region here.
  const configuration = (await readAll(req.body, 64 * 1024)).toString('utf8');
  const created = ctx.db.transaction(() => {
    if (ctx.store.getBucket.get(bucket)) return false;
    ctx.store.insertBucket.run(bucket, new Date().toISOString());
    return true;
  })();
  // In us-east-1 S3 answers a plain re-creation of a bucket you own with 200 OK (a legacy it keeps); elsewhere, or
  // when the request names a location, with BucketAlreadyOwnedByYou.
  const legacy = ctx.region === 'us-east-1' && !/<LocationConstraint>\s*\S/.test(configuration);
  if (!created && !legacy) throw new AwsError('BucketAlreadyOwnedByYou', undefined, { BucketName: bucket });
  return { status: 200, headers: { location: `/${bucket}` } };
};
