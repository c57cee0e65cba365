import { AwsError } from '../errors.js';
import type { AwsRequest } from '../types.js';
import type { KmsKey } from '../kms/index.js';
import type { WrittenBlob } from './blobs.js';
import { checksumHeader, checksumAlgorithms, decodeChecksum, isChecksumAlgorithm, type ChecksumAlgorithm } from './checksums.js';
import type { S3Context } from './context.js';
import { sseHeaders } from './sse.js';
import type { BucketRow, ObjectRow, StoredHeaders } from './store.js';
import { headersOf } from './store.js';
import { encodeTags, parseTaggingHeader, TAGGING } from './tagging.js';

/** S3's limit for one PutObject or UploadPart body. */
export const MAX_SINGLE_UPLOAD = 5 * 1024 ** 3;
const MAX_KEY_BYTES = 1024;

export function requireBucket(ctx: S3Context, name: string): BucketRow {
  const row = ctx.store.getBucket.get(name);
  if (!row) throw new AwsError('NoSuchBucket', undefined, { BucketName: name });
  return row;
}

/** Keys are opaque: any UTF-8 up to 1024 bytes, never used as a path. */
export function requireKey(key: string | undefined): string {
  if (key === undefined || key === '') throw new AwsError('InvalidArgument', 'A key is required.');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw new AwsError('KeyTooLongError', undefined, { Size: String(Buffer.byteLength(key)), MaxSizeAllowed: '1024' });
  return key;
}

const STORED = ['content-type', 'content-disposition', 'content-language', 'cache-control', 'expires', 'content-encoding'];

/** The request headers S3 keeps with the object; `aws-chunked` is transport, not content. */
export function storedHeadersFrom(headers: Record<string, string>): StoredHeaders {
  const out: StoredHeaders = {};
  for (const name of STORED) {
    let value = headers[name];
    if (name === 'content-encoding' && value !== undefined) {
      // Several Content-Encoding headers are one list, joined with ", " as HTTP joins repeated fields.
      value = value.split(',').map((v) => v.trim()).filter((v) => v !== 'aws-chunked' && v !== '').join(', ');
    }
    if (value) out[name] = value;
  }
  for (const [name, value] of Object.entries(headers)) if (name.startsWith('x-amz-meta-')) out[name] = value;
  if (headers[TAGGING] !== undefined) {
    const tags = parseTaggingHeader(headers[TAGGING]);
    if (tags.size) out[TAGGING] = encodeTags(tags);
  }
  if (!out['content-type']) out['content-type'] = 'binary/octet-stream';
  return out;
}

export const quote = (etag: string) => `"${etag}"`;
const unquote = (etag: string) => etag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');

/** The headers GetObject and HeadObject return for a stored object. */
export function objectHeaders(row: ObjectRow, checksumMode: boolean): Record<string, string | number> {
  const { [TAGGING]: tagging, ...stored } = headersOf(row);
  const headers: Record<string, string | number> = {
    ...stored,
    etag: quote(row.etag),
    'last-modified': new Date(row.last_modified).toUTCString(),
    'content-length': row.size,
    'accept-ranges': 'bytes',
    ...sseHeaders(row),
  };
  if (tagging) headers['x-amz-tagging-count'] = [...new URLSearchParams(tagging)].length;
  if (checksumMode && row.checksum_algorithm && row.checksum_value && isChecksumAlgorithm(row.checksum_algorithm)) {
    headers[checksumHeader(row.checksum_algorithm)] = row.checksum_value;
    headers['x-amz-checksum-type'] = row.checksum_type ?? 'FULL_OBJECT';
  }
  return headers;
}

function etagMatches(list: string, etag: string): boolean {
  return list.split(',').some((candidate) => candidate.trim() === '*' || unquote(candidate) === etag);
}

/**
 * Conditional request headers as S3 evaluates them. Reads: If-Match /
 * If-Unmodified-Since fail with 412, If-None-Match / If-Modified-Since with 304.
 * Writes (`prefix` `''` for the target, `x-amz-copy-source-` for a copy
 * source) fail with 412.
 */
export function checkPreconditions(headers: Record<string, string>, row: ObjectRow | undefined, mode: 'read' | 'write' | 'copy-source'): void {
  const prefix = mode === 'copy-source' ? 'x-amz-copy-source-' : '';
  const ifMatch = headers[`${prefix}if-match`];
  const ifNoneMatch = headers[`${prefix}if-none-match`];
  const ifModifiedSince = headers[`${prefix}if-modified-since`];
  const ifUnmodifiedSince = headers[`${prefix}if-unmodified-since`];
  if (ifMatch !== undefined) {
    if (!row) throw new AwsError(mode === 'write' ? 'NoSuchKey' : 'PreconditionFailed', undefined, { Condition: 'If-Match' });
    if (!etagMatches(ifMatch, row.etag)) throw new AwsError('PreconditionFailed', undefined, { Condition: 'If-Match' });
  }
  if (ifNoneMatch !== undefined && row && etagMatches(ifNoneMatch, row.etag)) {
    throw new AwsError(mode === 'read' ? 'NotModified' : 'PreconditionFailed', undefined, { Condition: 'If-None-Match' });
  }
  if (!row) return;
  const modified = Date.parse(row.last_modified);
  if (ifUnmodifiedSince !== undefined && ifMatch === undefined && modified > Date.parse(ifUnmodifiedSince)) {
    throw new AwsError('PreconditionFailed', undefined, { Condition: 'If-Unmodified-Since' });
  }
  // A date in the future is no date at all (RFC 9110), and S3 ignores it.
  if (ifModifiedSince !== undefined && ifNoneMatch === undefined && !(Date.parse(ifModifiedSince) > Date.now()) && Math.floor(modified / 1000) <= Math.floor(Date.parse(ifModifiedSince) / 1000)) {
    throw new AwsError(mode === 'read' ? 'NotModified' : 'PreconditionFailed', undefined, { Condition: 'If-Modified-Since' });
  }
}

/** Which checksum the client sent or asked for, and where its value arrives (header now, trailer later). */
export interface ChecksumPlan {
  algorithm?: ChecksumAlgorithm;
  headerValue?: string;
  trailer?: string;
}

export function planChecksum(headers: Record<string, string>): ChecksumPlan {
  const sent = checksumAlgorithms.filter((a) => headers[checksumHeader(a)] !== undefined);
  const trailer = headers['x-amz-trailer']?.trim().toLowerCase();
  const trailed = trailer ? checksumAlgorithms.find((a) => checksumHeader(a) === trailer) : undefined;
  if (trailer && !trailed) throw new AwsError('InvalidRequest', `Unsupported trailer ${trailer}.`);
  if (sent.length + (trailed ? 1 : 0) > 1) throw new AwsError('InvalidRequest', 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  if (sent.length === 1) return { algorithm: sent[0], headerValue: headers[checksumHeader(sent[0])] };
  if (trailed) return { algorithm: trailed, trailer };
  const asked = headers['x-amz-sdk-checksum-algorithm']?.toUpperCase();
  if (asked !== undefined) {
    if (!isChecksumAlgorithm(asked)) throw new AwsError('InvalidRequest', 'Checksum algorithm provided is unsupported.');
    return { algorithm: asked };
  }
  return {};
}

export interface WrittenBody {
  written: WrittenBlob;
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
  /** Hex MD5 of the body, when it was computed. */
  md5?: string;
}

/**
 * Streams the request body into a new blob and verifies every integrity claim
 * (Content-MD5, x-amz-checksum-* header or trailer). The blob is encrypted
 * under a data key wrapped by `key`. MD5 is computed only when `wantMd5` (it
 * is the slowest digest); the blob is removed on any failure.
 */
export async function writeBody(ctx: S3Context, req: AwsRequest, key: KmsKey, wantMd5: boolean, plan = planChecksum(req.headers), maxSize = MAX_SINGLE_UPLOAD): Promise<WrittenBody> {
  const contentMd5 = req.headers['content-md5'];
  let expectedMd5: Buffer | undefined;
  if (contentMd5 !== undefined) {
    expectedMd5 = Buffer.from(contentMd5, 'base64');
    if (expectedMd5.length !== 16) throw new AwsError('InvalidDigest');
  }
  if (plan.algorithm && plan.headerValue !== undefined) decodeChecksum(plan.algorithm, plan.headerValue);
  if (req.contentLength !== undefined && req.contentLength > maxSize) throw new AwsError('EntityTooLarge');
  const algorithms: (ChecksumAlgorithm | 'MD5')[] = [];
  if (wantMd5 || expectedMd5) algorithms.push('MD5');
  if (plan.algorithm) algorithms.push(plan.algorithm);
  // The signed payload hash is checked by the blob store's digest, off the main thread, rather than in a stream in front of it.
  const payload = req.payloadToVerify;
  if (payload && !algorithms.includes('SHA256')) algorithms.push('SHA256');
  const written = await ctx.blobs.write(payload?.body ?? req.body, algorithms, maxSize, key);
  try {
    if (payload) {
      const actual = written.digests.SHA256!.toString('hex');
      if (actual !== payload.sha256) throw new AwsError('XAmzContentSHA256Mismatch', undefined, { ClientComputedContentSHA256: payload.sha256, S3ComputedContentSHA256: actual });
    }
    if (req.contentLength !== undefined && written.size !== req.contentLength) throw new AwsError('IncompleteBody');
    const md5 = written.digests.MD5;
    if (expectedMd5 && !expectedMd5.equals(md5!)) throw new AwsError('BadDigest');
    let checksum: WrittenBody['checksum'];
    if (plan.algorithm) {
      const actual = written.digests[plan.algorithm]!.toString('base64');
      const expected = plan.headerValue ?? (plan.trailer ? req.trailers()[plan.trailer] : undefined);
      if (plan.trailer && expected === undefined) throw new AwsError('InvalidRequest', `The trailer ${plan.trailer} was declared but not sent.`);
      if (expected !== undefined && expected !== actual) throw new AwsError('BadDigest', `The ${plan.algorithm} you specified did not match the calculated checksum.`);
      checksum = { algorithm: plan.algorithm, value: actual };
    }
    return { written, checksum, md5: md5?.toString('hex') };
  } catch (error) {
    await ctx.blobs.remove([written.blob]);
    throw error;
  }
}
