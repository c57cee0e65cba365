import { readAll } from '../../auth/index.js';
import { AwsError } from '../../errors.js';
import { bucketArn, authorize } from '../authz.js';
import type { S3Handler } from '../context.js';
import { requireBucket } from '../objects.js';
import { parsePublicAccessBlock, renderPublicAccessBlock, type PublicAccessBlock } from '../public-access.js';
import { xmlContentType } from '../../xml.js';

/** Block Public Access: stored per bucket; BlockPublicPolicy and RestrictPublicBuckets are enforced (no ACLs here to block). */

export const putPublicAccessBlock: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:PutBucketPublicAccessBlock', bucketArn(bucket), row);
  const block = parsePublicAccessBlock((await readAll(req.body, 16 * 1024)).toString('utf8'));
  ctx.store.setBucketSetting(bucket, 'public_access_block', JSON.stringify(block));
  return { status: 200 };
};

export const getPublicAccessBlock: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:GetBucketPublicAccessBlock', bucketArn(bucket), row);
  if (!row.public_access_block) throw new AwsError('NoSuchPublicAccessBlockConfiguration', undefined, { BucketName: bucket });
  return { status: 200, headers: xmlContentType, body: renderPublicAccessBlock(JSON.parse(row.public_access_block) as PublicAccessBlock) };
};

export const deletePublicAccessBlock: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:PutBucketPublicAccessBlock', bucketArn(bucket), row);
  ctx.store.setBucketSetting(bucket, 'public_access_block', null);
  return { status: 204 };
};
