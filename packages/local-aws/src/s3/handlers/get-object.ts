import { AwsError, isAwsError } from '../../errors.js';
import type { AwsRequest, AwsResponse } from '../../types.js';
import { objectArn, authorize } from '../authz.js';
import { checksumHeader, isChecksumAlgorithm } from '../checksums.js';
import type { S3Context, S3Handler, S3Target } from '../context.js';
import { expirationHeader } from '../lifecycle.js';
import { checkPreconditions, objectHeaders, quote, requireBucket, requireKey } from '../objects.js';
import { authorizeEncryptionRead, refuseEncryptionHeadersOnRead } from '../sse.js';
import { segmentsOf, type BucketRow, type ObjectRow } from '../store.js';
import { requirePartNumber } from '../uploads.js';

/** Query parameters a (presigned) GET may use to override response headers. */
const OVERRIDES = ['content-type', 'content-language', 'expires', 'cache-control', 'content-disposition', 'content-encoding'];

/** Looks up and authorizes a read; shared by GetObject, HeadObject and GetObjectAttributes. */
export function readableObject(ctx: S3Context, req: AwsRequest, target: S3Target, action = 's3:GetObject'): { bucket: BucketRow; row: ObjectRow } {
  const key = requireKey(target.key);
  const bucket = requireBucket(ctx, target.bucket);
  authorize(ctx, req, action, objectArn(bucket.name, key), bucket);
  const row = ctx.store.getObject.get(bucket.name, key);
  if (!row) throw new AwsError('NoSuchKey', undefined, { Key: key });
  refuseEncryptionHeadersOnRead(req.headers);
  authorizeEncryptionRead(ctx, req, row);
  return { bucket, row };
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n`; other forms are ignored as S3 does (whole object). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) throw new AwsError('InvalidRange', undefined, { ActualObjectSize: String(size), RangeRequested: header });
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
  }
  if (start >= size) throw new AwsError('InvalidRange', undefined, { ActualObjectSize: String(size), RangeRequested: header });
  return { start, end };
}

/**
 * The response headers a GET or HEAD asks to override. Only a signed request
 * may (as in S3): otherwise anyone could serve a publicly readable object as
 * `text/html` from the bucket's origin. Checked before authorization, so the
 * refusal says nothing about the object.
 */
export function responseOverrides(req: AwsRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of OVERRIDES) {
    const value = req.query.get(`response-${name}`);
    if (value !== null) out[name] = value;
  }
  if (req.principal.kind === 'anonymous' && Object.keys(out).length > 0) {
    throw new AwsError('InvalidRequest', 'Request specific response headers cannot be used for anonymous GET requests.');
  }
  return out;
}

/** What a GET or HEAD answers before any body: status, headers and the bytes to send. */
export interface ReadPlan {
  status: 200 | 206 | 304;
  headers: Record<string, string | number>;
  start: number;
  end: number;
}

/**
 * The part `partNumber` names, as a range: a part of a multipart object, or
 * the whole of any other object as its only part. Its checksum is sent only
 * where the part has its own: a COMPOSITE upload's part, or the one part of
 * an object that is nothing else.
 */
function partPlan(row: ObjectRow, req: AwsRequest, headers: Record<string, string | number>, checksumMode: boolean): ReadPlan {
  if (req.headers['range'] !== undefined) throw new AwsError('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter');
  const number = requirePartNumber(req.query.get('partNumber'));
  const parts = row.parts_count ? segmentsOf(row) : [{ blob: '', size: row.size }];
  if (number > parts.length) throw new AwsError('InvalidPartNumber', undefined, { PartNumberRequested: String(number), ActualPartCount: String(parts.length) });
  let start = 0;
  for (let i = 0; i < number - 1; i++) start += parts[i].size;
  const part = parts[number - 1];
  if (row.parts_count) headers['x-amz-mp-parts-count'] = row.parts_count;
  const algorithm = row.checksum_algorithm && isChecksumAlgorithm(row.checksum_algorithm) ? row.checksum_algorithm : undefined;
  if (checksumMode && algorithm) {
    const own = !row.parts_count ? row.checksum_value : row.checksum_type === 'COMPOSITE' ? part.checksum : parts.length === 1 ? row.checksum_value : undefined;
    if (own) {
      headers[checksumHeader(algorithm)] = own;
      headers['x-amz-checksum-type'] = row.parts_count ? (row.checksum_type ?? 'COMPOSITE') : 'FULL_OBJECT';
    }
  }
  const end = start + part.size - 1;
  headers['content-length'] = part.size;
  if (row.size === 0) return { status: 200, headers, start, end };
  headers['content-range'] = `bytes ${start}-${Math.max(start, end)}/${row.size}`;
  return { status: 206, headers, start, end };
}

/** Preconditions, `partNumber` or `Range`, and the headers of a GET or HEAD. */
export function planRead(ctx: S3Context, req: AwsRequest, bucket: BucketRow, row: ObjectRow): ReadPlan {
  try {
    checkPreconditions(req.headers, row, 'read');
  } catch (error) {
    // A 304 still names the version the client has, as S3's does.
    if (!isAwsError(error) || error.code !== 'NotModified') throw error;
    return { status: 304, headers: { etag: quote(row.etag), 'last-modified': new Date(row.last_modified).toUTCString() }, start: 0, end: -1 };
  }
  const asksChecksum = req.headers['x-amz-checksum-mode']?.toUpperCase() === 'ENABLED';
  const headers = { ...objectHeaders(row, false), ...expirationHeader(bucket.lifecycle, row, ctx.lifecycleDayMs) };
  if (req.query.has('partNumber')) return partPlan(row, req, headers, asksChecksum);
  const range = parseRange(req.headers['range'], row.size);
  if (!range) return { status: 200, headers: { ...headers, ...objectHeaders(row, asksChecksum) }, start: 0, end: row.size - 1 };
  headers['content-length'] = range.end - range.start + 1;
  headers['content-range'] = `bytes ${range.start}-${range.end}/${row.size}`;
  return { status: 206, headers, ...range };
}

export const getObject: S3Handler = async (ctx, req, target): Promise<AwsResponse> => {
  const overrides = responseOverrides(req);
  const { bucket, row } = readableObject(ctx, req, target);
  const plan = planRead(ctx, req, bucket, row);
  if (plan.status === 304) return { status: 304, headers: plan.headers };
  const headers = { ...plan.headers, ...overrides };
  const body = plan.end < plan.start ? '' : await ctx.blobs.read(segmentsOf(row), plan.start, plan.end);
  return { status: plan.status, headers, body };
};
