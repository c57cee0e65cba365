import { objectArn, authorize } from '../authz.js';
import { checksumHeader } from '../checksums.js';
import { commitWrittenObject } from '../commit.js';
import type { S3Handler } from '../context.js';
import { expirationHeader } from '../lifecycle.js';
import { checkPreconditions, quote, requireBucket, requireKey, writeBody } from '../objects.js';
import { authorizeEncryptionWrite, resolveWriteEncryption, sealingKey, sseHeaders } from '../sse.js';

export const putObject: S3Handler = async (ctx, req, target) => {
  const key = requireKey(target.key);
  const bucket = requireBucket(ctx, target.bucket);
  const encryption = resolveWriteEncryption(ctx, req.headers, bucket);
  authorize(ctx, req, 's3:PutObject', objectArn(bucket.name, key), bucket, encryption.context);
  authorizeEncryptionWrite(ctx, req, encryption);
  // Fail fast before streaming gigabytes; commitObject checks again atomically.
  checkPreconditions(req.headers, ctx.store.getObject.get(bucket.name, key), 'write');

  // SSE-KMS ETags are not MD5s in S3 either, so the slowest digest is skipped for them.
  const kms = encryption.sse === 'aws:kms';
  const body = await writeBody(ctx, req, sealingKey(ctx, encryption), !kms);
  const { checksum } = body;
  const row = await commitWrittenObject(ctx, req, { bucket: bucket.name, key, headers: req.headers, encryption, body }, 'ObjectCreated:Put');
  const headers: Record<string, string> = { etag: quote(row.etag), ...sseHeaders(row), ...expirationHeader(bucket.lifecycle, row, ctx.lifecycleDayMs) };
  if (checksum) {
    headers[checksumHeader(checksum.algorithm)] = checksum.value;
    headers['x-amz-checksum-type'] = 'FULL_OBJECT';
  }
  return { status: 200, headers };
};
