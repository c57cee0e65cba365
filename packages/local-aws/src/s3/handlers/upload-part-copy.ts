import { randomBytes } from 'node:crypto';
import { AwsError } from '../../errors.js';
import { checksumField, isChecksumAlgorithm } from '../checksums.js';
import type { S3Handler } from '../context.js';
import { copySource } from '../copy-source.js';
import { MAX_SINGLE_UPLOAD, quote } from '../objects.js';
import { sealingKey, sseHeaders } from '../sse.js';
import { segmentsOf } from '../store.js';
import { authorizedPartWrite } from '../uploads.js';
import { s3Document, xmlContentType } from '../../xml.js';

/** UploadPart with the bytes taken from an existing object (optionally a range of it): parallel server-side copies. */
export const uploadPartCopy: S3Handler = async (ctx, req, target) => {
  const { upload, partNumber } = authorizedPartWrite(ctx, req, target);
  const source = copySource(ctx, req);
  req.body.resume();

  let start = 0;
  let end = source.size - 1;
  const rangeHeader = req.headers['x-amz-copy-source-range'];
  if (rangeHeader !== undefined) {
    const m = /^bytes=(\d+)-(\d+)$/.exec(rangeHeader.trim());
    if (!m || Number(m[2]) < Number(m[1])) {
      throw new AwsError('InvalidArgument', 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy', { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: rangeHeader });
    }
    start = Number(m[1]);
    end = Number(m[2]);
    // A range that starts past the source and one that only ends past it are refused differently, as S3 does.
    if (start >= source.size) throw new AwsError('InvalidRequest', 'The specified copy range is invalid for the source object size');
    if (end >= source.size) throw new AwsError('InvalidArgument', `Range specified is not valid for source object of size: ${source.size}`, { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: rangeHeader });
  }
  if (end - start + 1 > MAX_SINGLE_UPLOAD) throw new AwsError('InvalidRequest', 'The specified copy source is larger than the maximum allowable size for a copy source: 5368709120');

  const algorithm = upload.checksum_algorithm && isChecksumAlgorithm(upload.checksum_algorithm) ? upload.checksum_algorithm : undefined;
  const kms = upload.sse === 'aws:kms';
  // Decrypted from the source's keys, encrypted under a fresh data key of the upload's key: one pass at disk speed.
  const written = await ctx.blobs.copy(
    segmentsOf(source),
    start,
    end,
    [...(kms ? [] : (['MD5'] as const)), ...(algorithm ? [algorithm] : [])],
    sealingKey(ctx, { sse: upload.sse, kms_key_arn: upload.kms_key_arn }),
  );
  const etag = kms ? randomBytes(16).toString('hex') : written.digests.MD5!.toString('hex');
  const checksum = algorithm ? { algorithm, value: written.digests[algorithm]!.toString('base64') } : undefined;
  const lastModified = new Date().toISOString();
  let previousBlob: string | undefined;
  try {
    previousBlob = ctx.db.transaction(() => {
      if (!ctx.store.getUpload.get(upload.upload_id)) throw new AwsError('NoSuchUpload', undefined, { UploadId: upload.upload_id });
      const previous = ctx.store.getPart.get(upload.upload_id, partNumber);
      ctx.store.putPart.run({ upload_id: upload.upload_id, part_number: partNumber, size: written.size, etag, checksum: checksum ? JSON.stringify(checksum) : null, blob: written.blob, last_modified: lastModified });
      return previous?.blob;
    })();
  } catch (error) {
    await ctx.blobs.remove([written.blob]);
    throw error;
  }
  if (previousBlob) await ctx.blobs.remove([previousBlob]);
  const result = s3Document('CopyPartResult', {
    ETag: quote(etag),
    LastModified: lastModified,
    ...(checksum ? { [checksumField(checksum.algorithm)]: checksum.value } : {}),
  });
  return { status: 200, headers: { ...xmlContentType, ...sseHeaders(upload) }, body: result };
};
