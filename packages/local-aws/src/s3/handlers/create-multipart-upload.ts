import { callerName } from '../../iam/principals.js';
import { randomBytes } from 'node:crypto';
import { AwsError } from '../../errors.js';
import { objectArn, authorize } from '../authz.js';
import { isChecksumAlgorithm, isCombinable } from '../checksums.js';
import type { S3Handler } from '../context.js';
import { requireBucket, requireKey, storedHeadersFrom } from '../objects.js';
import { authorizeEncryptionWrite, resolveWriteEncryption, sseHeaders } from '../sse.js';
import { s3Document, xmlContentType } from '../../xml.js';

export const createMultipartUpload: S3Handler = async (ctx, req, target) => {
  const key = requireKey(target.key);
  const bucket = requireBucket(ctx, target.bucket);
  const encryption = resolveWriteEncryption(ctx, req.headers, bucket);
  authorize(ctx, req, 's3:PutObject', objectArn(bucket.name, key), bucket, encryption.context);
  authorizeEncryptionWrite(ctx, req, encryption);

  const algorithm = req.headers['x-amz-checksum-algorithm']?.toUpperCase();
  if (algorithm !== undefined && !isChecksumAlgorithm(algorithm)) throw new AwsError('InvalidRequest', 'Checksum algorithm provided is unsupported.');
  const type = req.headers['x-amz-checksum-type']?.toUpperCase() ?? (algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : algorithm ? 'COMPOSITE' : undefined);
  if (type !== undefined) {
    if (!algorithm) throw new AwsError('InvalidRequest', 'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.');
    if (type !== 'COMPOSITE' && type !== 'FULL_OBJECT') throw new AwsError('InvalidRequest', 'Value for x-amz-checksum-type header is invalid.');
    if (type === 'FULL_OBJECT' && !isCombinable(algorithm)) throw new AwsError('InvalidRequest', `The FULL_OBJECT checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`);
    if (type === 'COMPOSITE' && algorithm === 'CRC64NVME') throw new AwsError('InvalidRequest', 'The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.');
  }
  req.body.resume();

  // Counted and inserted with no await in between, so concurrent requests cannot both take the last slot.
  if (ctx.store.countUploadsOfKey.get(bucket.name, key)!.n >= ctx.maxUploadsPerKey) {
    throw new AwsError(
      'InvalidRequest',
      `This key already has ${ctx.maxUploadsPerKey} multipart upload${ctx.maxUploadsPerKey === 1 ? '' : 's'} in progress; complete or abort one before starting another. ` +
        '(A safeguard of this endpoint; AWS S3 has no such limit.)',
    );
  }
  // Ids that grow with initiation (the sequencer, in fixed-width hex) keep listings in initiation order, as S3's are;
  // the random rest makes them unguessable.
  const uploadId = `${ctx.nextSequencer()}${randomBytes(24).toString('base64url')}`;
  ctx.store.insertUpload.run({
    upload_id: uploadId,
    bucket: bucket.name,
    key,
    initiated: new Date().toISOString(),
    headers: JSON.stringify(storedHeadersFrom(req.headers)),
    sse: encryption.sse,
    kms_key_arn: encryption.key?.arn ?? null,
    checksum_algorithm: algorithm ?? null,
    checksum_type: type ?? null,
    initiator: callerName(req.principal),
  });
  const headers: Record<string, string> = { ...xmlContentType, ...sseHeaders({ sse: encryption.sse, kms_key_arn: encryption.key?.arn }) };
  if (algorithm) {
    headers['x-amz-checksum-algorithm'] = algorithm;
    headers['x-amz-checksum-type'] = type!;
  }
  const body = s3Document('InitiateMultipartUploadResult', { Bucket: bucket.name, Key: key, UploadId: uploadId });
  return { status: 200, headers, body };
};
