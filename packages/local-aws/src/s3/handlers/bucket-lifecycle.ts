import { readAll } from '../../auth/index.js';
import { AwsError } from '../../errors.js';
import { bucketArn, authorize } from '../authz.js';
import type { S3Handler } from '../context.js';
import { parseLifecycle, renderLifecycle, storedRules } from '../lifecycle.js';
import { requireBucket } from '../objects.js';
import { xmlContentType } from '../../xml.js';

export const putBucketLifecycle: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:PutLifecycleConfiguration', bucketArn(bucket), row);
  const rules = parseLifecycle((await readAll(req.body, 256 * 1024)).toString('utf8'));
  ctx.store.setBucketSetting(bucket, 'lifecycle', JSON.stringify(rules));
  return { status: 200 };
};

export const getBucketLifecycle: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:GetLifecycleConfiguration', bucketArn(bucket), row);
  if (!row.lifecycle) throw new AwsError('NoSuchLifecycleConfiguration', undefined, { BucketName: bucket });
  return { status: 200, headers: xmlContentType, body: renderLifecycle(storedRules(row.lifecycle)) };
};

export const deleteBucketLifecycle: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:PutLifecycleConfiguration', bucketArn(bucket), row);
  ctx.store.setBucketSetting(bucket, 'lifecycle', null);
  return { status: 204 };
};
