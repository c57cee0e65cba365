import { randomBytes } from 'node:crypto';
import { AwsError } from '../../errors.js';
import { objectArn, authorize } from '../authz.js';
import { checksumField, isChecksumAlgorithm, type ChecksumAlgorithm } from '../checksums.js';
import { commitObject } from '../commit.js';
import type { S3Handler } from '../context.js';
import { copySource } from '../copy-source.js';
import { checkPreconditions, quote, requireBucket, requireKey, storedHeadersFrom } from '../objects.js';
import { authorizeEncryptionWrite, resolveWriteEncryption, sealingKey, sseHeaders } from '../sse.js';
import { headersOf, segmentsOf, type ObjectRow, type StoredHeaders } from '../store.js';
import { TAGGING } from '../tagging.js';
import { s3Document, xmlContentType } from '../../xml.js';

export const copyObject: S3Handler = async (ctx, req, target) => {
  const key = requireKey(target.key);
  const bucket = requireBucket(ctx, target.bucket);
  const encryption = resolveWriteEncryption(ctx, req.headers, bucket);
  authorize(ctx, req, 's3:PutObject', objectArn(bucket.name, key), bucket, encryption.context);
  authorizeEncryptionWrite(ctx, req, encryption);
  const source = copySource(ctx, req);
  checkPreconditions(req.headers, ctx.store.getObject.get(bucket.name, key), 'write');

  const directive = (req.headers['x-amz-metadata-directive'] ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') throw new AwsError('InvalidArgument', 'Unknown metadata directive.', { ArgumentName: 'x-amz-metadata-directive' });
  const sameObject = source.bucket === bucket.name && source.key === key;
  if (sameObject && directive === 'COPY' && !req.headers['x-amz-server-side-encryption'] && !req.headers['x-amz-checksum-algorithm']) {
    throw new AwsError('InvalidRequest', "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
  }
  const asked = req.headers['x-amz-checksum-algorithm']?.toUpperCase();
  if (asked !== undefined && !isChecksumAlgorithm(asked)) throw new AwsError('InvalidRequest', 'Checksum algorithm provided is unsupported.');
  req.body.resume();

  const kms = encryption.sse === 'aws:kms';
  const sourceMd5 = source.sse !== 'aws:kms' && !source.parts_count ? source.etag : undefined;
  const keepChecksum = source.checksum_type === 'FULL_OBJECT' && (!asked || asked === source.checksum_algorithm);
  const algorithm = (asked ?? (keepChecksum ? source.checksum_algorithm : undefined)) as ChecksumAlgorithm | undefined;
  const needed: (ChecksumAlgorithm | 'MD5')[] = [];
  if (!kms && !sourceMd5) needed.push('MD5');
  if (algorithm && !keepChecksum) needed.push(algorithm);
  // One pass: decrypt the source frames, digest what the destination needs, encrypt under a fresh data key of the destination's key.
  const written = await ctx.blobs.copy(segmentsOf(source), 0, source.size - 1, needed, sealingKey(ctx, encryption));
  const segments = [{ blob: written.blob, size: written.size }];
  const digests = written.digests;

  const row: ObjectRow = {
    bucket: bucket.name,
    key,
    size: source.size,
    etag: kms ? randomBytes(16).toString('hex') : (sourceMd5 ?? digests.MD5!.toString('hex')),
    last_modified: new Date().toISOString(),
    headers: JSON.stringify(copiedHeaders(req.headers, source, directive)),
    sse: encryption.sse,
    kms_key_arn: encryption.key?.arn ?? null,
    checksum_algorithm: algorithm ?? null,
    checksum_value: algorithm ? (keepChecksum ? source.checksum_value : digests[algorithm]!.toString('base64')) : null,
    checksum_type: algorithm ? 'FULL_OBJECT' : null,
    parts_count: null,
    segments: JSON.stringify(segments),
  };
  try {
    await commitObject(ctx, req, row, 'ObjectCreated:Copy');
  } catch (error) {
    await ctx.blobs.remove(segments.map((s) => s.blob));
    throw error;
  }
  const body = s3Document('CopyObjectResult', {
    ETag: quote(row.etag),
    LastModified: row.last_modified,
    ...(algorithm ? { ChecksumType: 'FULL_OBJECT', [checksumField(algorithm)]: row.checksum_value } : {}),
  });
  return { status: 200, headers: { ...xmlContentType, ...sseHeaders(row) }, body };
};

/** Metadata follows x-amz-metadata-directive, tags x-amz-tagging-directive (both COPY unless REPLACE). */
function copiedHeaders(headers: Record<string, string>, source: ObjectRow, directive: string): StoredHeaders {
  const copied = directive === 'REPLACE' ? storedHeadersFrom(headers) : headersOf(source);
  const replaceTags = (headers['x-amz-tagging-directive'] ?? 'COPY').toUpperCase() === 'REPLACE';
  const tags = replaceTags ? storedHeadersFrom({ [TAGGING]: headers[TAGGING] ?? '' })[TAGGING] : headersOf(source)[TAGGING];
  delete copied[TAGGING];
  if (tags) copied[TAGGING] = tags;
  return copied;
}
