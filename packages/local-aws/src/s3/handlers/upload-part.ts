import { randomBytes } from 'node:crypto';
import { AwsError } from '../../errors.js';
import { checksumHeader, isChecksumAlgorithm } from '../checksums.js';
import type { S3Handler } from '../context.js';
import { planChecksum, quote, writeBody } from '../objects.js';
import { sealingKey, sseHeaders } from '../sse.js';
import { authorizedPartWrite } from '../uploads.js';

export const uploadPart: S3Handler = async (ctx, req, target) => {
  // Each part gets its own data key from the upload's KMS key, as CreateMultipartUpload was allowed to.
  const { upload, partNumber } = authorizedPartWrite(ctx, req, target);

  // Every part of an upload with a checksum algorithm carries that checksum, computed here when the client sent none.
  const plan = planChecksum(req.headers);
  const uploadAlgorithm = upload.checksum_algorithm && isChecksumAlgorithm(upload.checksum_algorithm) ? upload.checksum_algorithm : undefined;
  if (uploadAlgorithm && plan.algorithm && plan.algorithm !== uploadAlgorithm) {
    throw new AwsError('InvalidRequest', `Checksum Type mismatch occurred, expected checksum Type: ${uploadAlgorithm.toLowerCase()}, actual checksum Type: ${plan.algorithm.toLowerCase()}`);
  }
  if (uploadAlgorithm && !plan.algorithm) plan.algorithm = uploadAlgorithm;

  const kms = upload.sse === 'aws:kms';
  const { written, checksum, md5 } = await writeBody(ctx, req, sealingKey(ctx, { sse: upload.sse, kms_key_arn: upload.kms_key_arn }), !kms, plan);
  const etag = md5 && !kms ? md5 : randomBytes(16).toString('hex');
  const replaced = ctx.db.transaction(() => {
    // The upload may have been completed or aborted while the body streamed.
    if (!ctx.store.getUpload.get(upload.upload_id)) throw new AwsError('NoSuchUpload', undefined, { UploadId: upload.upload_id });
    const previous = ctx.store.getPart.get(upload.upload_id, partNumber);
    ctx.store.putPart.run({
      upload_id: upload.upload_id,
      part_number: partNumber,
      size: written.size,
      etag,
      checksum: checksum ? JSON.stringify(checksum) : null,
      blob: written.blob,
      last_modified: new Date().toISOString(),
    });
    return previous?.blob;
  });
  let previousBlob: string | undefined;
  try {
    previousBlob = replaced();
  } catch (error) {
    await ctx.blobs.remove([written.blob]);
    throw error;
  }
  if (previousBlob) await ctx.blobs.remove([previousBlob]);
  const headers: Record<string, string> = { etag: quote(etag), ...sseHeaders(upload) };
  if (checksum) headers[checksumHeader(checksum.algorithm)] = checksum.value;
  return { status: 200, headers };
};
