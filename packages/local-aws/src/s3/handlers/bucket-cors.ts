import { readAll } from '../../auth/index.js';
import { AwsError } from '../../errors.js';
import { bucketArn, authorize } from '../authz.js';
import type { S3Handler } from '../context.js';
import { corsHeaders, matchCors, parseCors, renderCors, type CorsRule } from '../cors.js';
import { requireBucket } from '../objects.js';
import { xmlContentType } from '../../xml.js';

export const putBucketCors: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:PutBucketCORS', bucketArn(bucket), row);
  const rules = parseCors((await readAll(req.body, 64 * 1024)).toString('utf8'));
  ctx.store.setBucketSetting(bucket, 'cors', JSON.stringify(rules));
  return { status: 200 };
};

export const getBucketCors: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:GetBucketCORS', bucketArn(bucket), row);
  if (!row.cors) throw new AwsError('NoSuchCORSConfiguration', undefined, { BucketName: bucket });
  return { status: 200, headers: xmlContentType, body: renderCors(JSON.parse(row.cors) as CorsRule[]) };
};

export const deleteBucketCors: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:PutBucketCORS', bucketArn(bucket), row);
  ctx.store.setBucketSetting(bucket, 'cors', null);
  return { status: 204 };
};

/** Browser preflight: unsigned, answered from the bucket's CORS rules alone. */
export const preflight: S3Handler = async (ctx, req, { bucket }) => {
  const origin = req.headers['origin'];
  const method = req.headers['access-control-request-method'];
  if (!origin || !method) throw new AwsError('InvalidRequest', 'Insufficient information. Origin request header needed.');
  const row = requireBucket(ctx, bucket);
  const requested = (req.headers['access-control-request-headers'] ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  const rule = row.cors ? matchCors(JSON.parse(row.cors) as CorsRule[], origin, method, requested) : undefined;
  if (!rule) throw new AwsError('AccessDenied', 'CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource\'s CORS spec.');
  return { status: 200, headers: corsHeaders(rule, origin, { method, headers: requested }) };
};
