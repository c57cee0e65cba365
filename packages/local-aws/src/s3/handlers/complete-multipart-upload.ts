import { createHash } from 'node:crypto';
import { AwsError, isAwsError } from '../../errors.js';
import type { AwsResponse } from '../../types.js';
import { readAll } from '../../auth/index.js';
import { objectArn, authorize } from '../authz.js';
import {
  checksumField,
  checksumHeader,
  combineCrc,
  createDigester,
  isChecksumAlgorithm,
  isCombinable,
  type ChecksumAlgorithm,
} from '../checksums.js';
import { commitObject } from '../commit.js';
import type { S3Context, S3Handler } from '../context.js';
import { expirationHeader } from '../lifecycle.js';
import { checkPreconditions, quote, requireBucket, requireKey } from '../objects.js';
import { sseHeaders } from '../sse.js';
import type { PartRow } from '../store.js';
import { MIN_PART_SIZE, requireUpload } from '../uploads.js';
import { asArray, parseXml, s3Document, xmlContentType } from '../../xml.js';

interface RequestedPart {
  PartNumber?: string;
  ETag?: string;
  [checksum: string]: string | undefined;
}

const unquote = (etag: string) => etag.trim().replace(/^"|"$/g, '');

/** The parts a completion names, as compared with a remembered completion: `[[number, etag], …]`. */
function partList(requested: RequestedPart[]): string {
  return JSON.stringify(requested.map((p) => [Number(p.PartNumber), unquote(p.ETag ?? '')]));
}

/**
 * The answer a completed upload gave, when the same completion (same
 * upload, key and parts) is asked for again: a client whose answer was lost
 * retries, and S3 answers the same success instead of NoSuchUpload.
 */
function sameCompletion(ctx: S3Context, uploadId: string | null, bucket: string, key: string, requested: RequestedPart[]): AwsResponse | undefined {
  const done = uploadId ? ctx.store.getCompletedUpload.get(uploadId) : undefined;
  if (!done || done.bucket !== bucket || done.key !== key || done.parts !== partList(requested)) return undefined;
  return JSON.parse(done.response) as AwsResponse;
}

export const completeMultipartUpload: S3Handler = async (ctx, req, target) => {
  const key = requireKey(target.key);
  const bucket = requireBucket(ctx, target.bucket);
  authorize(ctx, req, 's3:PutObject', objectArn(bucket.name, key), bucket);
  const uploadId = req.query.get('uploadId');
  const document = parseXml((await readAll(req.body, 1024 * 1024)).toString('utf8'), 'CompleteMultipartUpload');
  const requested = asArray(document.Part as RequestedPart | RequestedPart[]);
  if (requested.length === 0) throw new AwsError('MalformedXML', 'You must specify at least one part');
  if (!ctx.store.getUpload.get(uploadId ?? '')) {
    const again = sameCompletion(ctx, uploadId, bucket.name, key, requested);
    if (again) return again;
  }
  const upload = requireUpload(ctx, uploadId, bucket.name, key);
  checkPreconditions(req.headers, ctx.store.getObject.get(bucket.name, key), 'write');

  const stored = new Map(ctx.store.listParts.all(upload.upload_id).map((p) => [p.part_number, p]));
  const algorithm = upload.checksum_algorithm && isChecksumAlgorithm(upload.checksum_algorithm) ? upload.checksum_algorithm : undefined;
  const parts: PartRow[] = [];
  // Order is judged on the whole list before any part is looked at, as S3 does.
  let previous = 0;
  for (const entry of requested) {
    const number = Number(entry.PartNumber);
    if (!Number.isInteger(number) || number <= previous) throw new AwsError('InvalidPartOrder', undefined, { UploadId: upload.upload_id });
    previous = number;
  }
  for (const [index, entry] of requested.entries()) {
    const number = Number(entry.PartNumber);
    const part = stored.get(number);
    if (!part || unquote(entry.ETag ?? '') !== part.etag) {
      throw new AwsError('InvalidPart', undefined, { UploadId: upload.upload_id, PartNumber: String(number), ETag: entry.ETag ?? '' });
    }
    if (algorithm) {
      const sent = entry[checksumField(algorithm)];
      const own = part.checksum ? (JSON.parse(part.checksum) as { value: string }).value : undefined;
      if (sent !== undefined && sent !== own) throw new AwsError('InvalidPart', undefined, { UploadId: upload.upload_id, PartNumber: String(number) });
    }
    if (index < requested.length - 1 && part.size < MIN_PART_SIZE) {
      throw new AwsError('EntityTooSmall', undefined, { UploadId: upload.upload_id, PartNumber: String(number), ProposedSize: String(part.size), MinSizeAllowed: String(MIN_PART_SIZE) });
    }
    parts.push(part);
  }
  const size = parts.reduce((sum, p) => sum + p.size, 0);
  const declaredSize = req.headers['x-amz-mp-object-size'];
  if (declaredSize !== undefined && Number(declaredSize) !== size) throw new AwsError('InvalidRequest', 'The provided x-amz-mp-object-size does not match the object size.');

  const md5s = Buffer.concat(parts.map((p) => Buffer.from(p.etag, 'hex')));
  const etag = `${createHash('md5').update(md5s).digest('hex')}-${parts.length}`;
  const checksum = algorithm ? await objectChecksum(algorithm, upload.checksum_type ?? 'COMPOSITE', parts) : undefined;
  if (checksum && req.headers[checksumHeader(algorithm!)] !== undefined && req.headers[checksumHeader(algorithm!)] !== checksum) {
    throw new AwsError('BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`);
  }

  const row = {
    bucket: bucket.name,
    key,
    size,
    etag,
    last_modified: new Date().toISOString(),
    headers: upload.headers,
    sse: upload.sse,
    kms_key_arn: upload.kms_key_arn,
    checksum_algorithm: algorithm ?? null,
    checksum_value: checksum ?? null,
    checksum_type: algorithm ? upload.checksum_type : null,
    parts_count: parts.length,
    segments: JSON.stringify(parts.map((p) => ({ blob: p.blob, size: p.size, checksum: p.checksum ? (JSON.parse(p.checksum) as { value: string }).value : undefined }))),
  };
  const headers: Record<string, string> = { ...xmlContentType, ...sseHeaders(upload), ...expirationHeader(bucket.lifecycle, row, ctx.lifecycleDayMs) };
  const body = s3Document('CompleteMultipartUploadResult', {
    Location: `/${bucket.name}/${key}`,
    Bucket: bucket.name,
    Key: key,
    ETag: quote(etag),
    ...(checksum ? { [checksumField(algorithm!)]: checksum, ChecksumType: upload.checksum_type ?? 'COMPOSITE' } : {}),
  });
  const response = { status: 200, headers, body };
  const used = new Set(parts.map((p) => p.blob));
  try {
    await commitObject(ctx, req, row, 'ObjectCreated:CompleteMultipartUpload', () => {
      if (!ctx.store.getUpload.get(upload.upload_id)) throw new AwsError('NoSuchUpload', undefined, { UploadId: upload.upload_id });
      ctx.store.deleteUpload.run(upload.upload_id);
      ctx.store.insertCompletedUpload.run({
        upload_id: upload.upload_id,
        bucket: bucket.name,
        key,
        parts: partList(requested),
        response: JSON.stringify(response),
        completed_at: row.last_modified,
      });
    });
  } catch (error) {
    // A concurrent completion of the same parts won the race: its answer is this one's too.
    const again = isAwsError(error) && error.code === 'NoSuchUpload' ? sameCompletion(ctx, uploadId, bucket.name, key, requested) : undefined;
    if (again) return again;
    throw error;
  }
  // Parts uploaded but left out of the completion are discarded, as in S3.
  await ctx.blobs.remove([...stored.values()].map((p) => p.blob).filter((b) => !used.has(b)));
  return response;
};

/**
 * COMPOSITE: the checksum of the concatenated binary part checksums, `-N`.
 * FULL_OBJECT: the CRC of the whole object, combined from the part CRCs.
 */
async function objectChecksum(algorithm: ChecksumAlgorithm, type: string, parts: PartRow[]): Promise<string> {
  const values = parts.map((p) => {
    if (!p.checksum) throw new AwsError('InvalidPart', `Part ${p.part_number} has no ${algorithm} checksum.`);
    return Buffer.from((JSON.parse(p.checksum) as { value: string }).value, 'base64');
  });
  if (type === 'FULL_OBJECT' && isCombinable(algorithm)) {
    let combined: Buffer = values[0];
    for (let i = 1; i < values.length; i++) combined = combineCrc(algorithm, combined, values[i], parts[i].size);
    return combined.toString('base64');
  }
  const digester = createDigester(algorithm);
  digester.update(Buffer.concat(values));
  return `${(await digester.digest()).toString('base64')}-${parts.length}`;
}
