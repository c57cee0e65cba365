import { randomBytes } from 'node:crypto';
import { objectArn, authorize } from '../authz.js';
import { checksumHeader } from '../checksums.js';
import { commitObject } from '../commit.js';
import type { S3Handler } from '../context.js';
import { expirationHeader } from '../lifecycle.js';
import { checkPreconditions, quote, requireBucket, requireKey, storedHeadersFrom, writeBody } from '../objects.js';
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
  const { written, checksum, md5 } = await writeBody(ctx, req, sealingKey(ctx, encryption), !kms);
  const row = {
    bucket: bucket.name,
    key,
    size: written.size,
    etag: md5 && !kms ? md5 : randomBytes(16).toString('hex'),
    last_modified: new Date().toISOString(),
    headers: JSON.stringify(storedHeadersFrom(req.headers)),
    sse: encryption.sse,
    kms_key_arn: encryption.key?.arn ?? null,
    checksum_algorithm: checksum?.algorithm ?? null,
    checksum_value: checksum?.value ?? null,
    checksum_type: checksum ? 'FULL_OBJECT' : null,
    parts_count: null,
    segments: JSON.stringify([{ blob: written.blob, size: written.size }]),
  };
  try {
    await commitObject(ctx, req, row, 'ObjectCreated:Put');
  } catch (error) {
    await ctx.blobs.remove([written.blob]);
    throw error;
  }
  const headers: Record<string, string> = { etag: quote(row.etag), ...sseHeaders(row), ...expirationHeader(bucket.lifecycle, row, ctx.lifecycleDayMs) };
  if (checksum) {
    headers[checksumHeader(checksum.algorithm)] = checksum.value;
    headers['x-amz-checksum-type'] = 'FULL_OBJECT';
  }
  return { status: 200, headers };
};
