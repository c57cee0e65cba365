import { bucketArn, authorize } from '../authz.js';
import type { S3Handler } from '../context.js';
import { requireBucket } from '../objects.js';
import { s3Document, xmlContentType } from '../../xml.js';

/** us-east-1 is reported as an empty LocationConstraint, as S3 does. */
export const getBucketLocation: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:GetBucketLocation', bucketArn(bucket), row);
  const body = s3Document('LocationConstraint', ctx.region === 'us-east-1' ? '' : ctx.region);
  return { status: 200, headers: xmlContentType, body };
};
