import { AwsError } from '../../errors.js';
import type { AwsRequest } from '../../types.js';
import { objectArn, authorize } from '../authz.js';
import type { S3Context, S3Handler, S3Target } from '../context.js';
import { checkPreconditions, objectHeaders, requireBucket, requireKey } from '../objects.js';
import { authorizeEncryptionRead } from '../sse.js';
import { segmentsOf, type ObjectRow } from '../store.js';

/** Query parameters a (presigned) GET may use to override response headers. */
const OVERRIDES = ['content-type', 'content-language', 'expires', 'cache-control', 'content-disposition', 'content-encoding'];

/** Looks up and authorizes a read; shared by GetObject and HeadObject. */
export function readableObject(ctx: S3Context, req: AwsRequest, target: S3Target): ObjectRow {
  const key = requireKey(target.key);
  const bucket = requireBucket(ctx, target.bucket);
  authorize(ctx, req, 's3:GetObject', objectArn(bucket.name, key), bucket);
  const row = ctx.store.getObject.get(bucket.name, key);
  if (!row) throw new AwsError('NoSuchKey', undefined, { Key: key });
  authorizeEncryptionRead(ctx, req, row);
  checkPreconditions(req.headers, row, 'read');
  return row;
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

export const getObject: S3Handler = async (ctx, req, target) => {
  const overrides = responseOverrides(req);
  const row = readableObject(ctx, req, target);
  const range = parseRange(req.headers['range'], row.size);
  const checksumMode = req.headers['x-amz-checksum-mode']?.toUpperCase() === 'ENABLED' && !range;
  const headers = { ...objectHeaders(row, checksumMode), ...overrides };
  if (!range) {
    const body = row.size === 0 ? '' : await ctx.blobs.read(segmentsOf(row), 0, row.size - 1);
    return { status: 200, headers, body };
  }
  headers['content-length'] = range.end - range.start + 1;
  headers['content-range'] = `bytes ${range.start}-${range.end}/${row.size}`;
  return { status: 206, headers, body: await ctx.blobs.read(segmentsOf(row), range.start, range.end) };
};
