import { readAll } from '../../auth/index.js';
import { AwsError } from '../../errors.js';
import { parsePolicy } from '../../iam/policy.js';
import { bucketArn, authorize } from '../authz.js';
import type { S3Handler } from '../context.js';
import { requireBucket } from '../objects.js';
import { callerName } from '../../iam/principals.js';
import { isPublicPolicy, type PublicAccessBlock } from '../public-access.js';

/** The stored policy is the resource policy of every later request on the bucket and its objects. */
export const putBucketPolicy: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:PutBucketPolicy', bucketArn(bucket), row);
  const text = (await readAll(req.body, 20 * 1024)).toString('utf8');
  const policy = parsePolicy(text, 'MalformedPolicy');
  const block = row.public_access_block ? (JSON.parse(row.public_access_block) as PublicAccessBlock) : undefined;
  if (block?.BlockPublicPolicy && isPublicPolicy(policy)) {
    throw new AwsError('AccessDenied', `User: ${callerName(req.principal)} is not authorized to perform: s3:PutBucketPolicy on resource: "${bucketArn(bucket)}" because public policies are blocked by the BlockPublicPolicy block public access setting.`);
  }
  ctx.store.setBucketSetting(bucket, 'policy', text);
  return { status: 204 };
};

export const getBucketPolicy: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:GetBucketPolicy', bucketArn(bucket), row);
  if (!row.policy) throw new AwsError('NoSuchBucketPolicy', undefined, { BucketName: bucket });
  return { status: 200, headers: { 'content-type': 'application/json' }, body: row.policy };
};

export const deleteBucketPolicy: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:DeleteBucketPolicy', bucketArn(bucket), row);
  ctx.store.setBucketSetting(bucket, 'policy', null);
  return { status: 204 };
};
