import { readAll } from '../../auth/index.js';
import { AwsError } from '../../errors.js';
import { bucketArn, authorize } from '../authz.js';
import type { S3Handler } from '../context.js';
import { requireBucket } from '../objects.js';
import type { BucketEncryption } from '../sse.js';
import { asArray, parseXml, s3Document, xmlContentType } from '../../xml.js';

export const putBucketEncryption: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:PutEncryptionConfiguration', bucketArn(bucket), row);
  const document = parseXml((await readAll(req.body, 64 * 1024)).toString('utf8'), 'ServerSideEncryptionConfiguration');
  const rules = asArray(document.Rule as Record<string, unknown> | Record<string, unknown>[]);
  const defaults = rules[0]?.ApplyServerSideEncryptionByDefault as { SSEAlgorithm?: string; KMSMasterKeyID?: string } | undefined;
  if (rules.length !== 1 || !defaults) throw new AwsError('MalformedXML');
  const bucketKey = rules[0].BucketKeyEnabled;
  if (bucketKey !== undefined && bucketKey !== 'true' && bucketKey !== 'false') throw new AwsError('MalformedXML');
  let setting: BucketEncryption;
  if (defaults.SSEAlgorithm === 'AES256') setting = { SSEAlgorithm: 'AES256' };
  else if (defaults.SSEAlgorithm === 'aws:kms' || defaults.SSEAlgorithm === 'aws:kms:dsse') {
    // Resolve now so a typo fails the configuration, not every later write.
    const key = defaults.KMSMasterKeyID ? ctx.kms.resolve(defaults.KMSMasterKeyID) : undefined;
    setting = { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key?.arn };
  } else throw new AwsError('MalformedXML', 'SSEAlgorithm must be AES256 or aws:kms.');
  // S3 Bucket Keys cut KMS calls on AWS; here every object already has its own data key, so it is recorded and echoed.
  if (bucketKey === 'true') setting.BucketKeyEnabled = true;
  ctx.store.setBucketSetting(bucket, 'encryption', JSON.stringify(setting));
  return { status: 200 };
};

export const getBucketEncryption: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:GetEncryptionConfiguration', bucketArn(bucket), row);
  if (!row.encryption) throw new AwsError('ServerSideEncryptionConfigurationNotFoundError', undefined, { BucketName: bucket });
  const setting = JSON.parse(row.encryption) as BucketEncryption;
  const body = s3Document('ServerSideEncryptionConfiguration', {
    Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: setting.SSEAlgorithm, KMSMasterKeyID: setting.KMSMasterKeyID }, BucketKeyEnabled: setting.BucketKeyEnabled ?? false },
  });
  return { status: 200, headers: xmlContentType, body };
};

export const deleteBucketEncryption: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:PutEncryptionConfiguration', bucketArn(bucket), row);
  ctx.store.setBucketSetting(bucket, 'encryption', null);
  return { status: 204 };
};
