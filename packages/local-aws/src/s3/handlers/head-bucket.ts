import { bucketArn, authorize } from '../authz.js';
import type { S3Handler } from '../context.js';
import { requireBucket } from '../objects.js';

export const headBucket: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:ListBucket', bucketArn(bucket), row);
  return { status: 200, headers: { 'x-amz-bucket-region': ctx.region } };
};
