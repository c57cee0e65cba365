import { AwsError } from '../errors.js';
import type { AwsRequest } from '../types.js';
import type { S3Context } from './context.js';
import { authorize, bucketArn } from './authz.js';
import { quote, requireBucket } from './objects.js';
import type { ObjectRow } from './store.js';

/** Rows fetched per SQLite query while walking a bucket. */
const BATCH = 1000;
/** The largest code point: `p + LAST` sorts after every key that starts with `p`. */
const LAST = '\u{10FFFF}';

export interface ListingQuery {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  /** Keys and common prefixes up to and including this one are skipped (v1 `marker`, v2 `start-after` or token). */
  after: string;
}

export interface ListingPage {
  contents: ObjectRow[];
  commonPrefixes: string[];
  truncated: boolean;
  /** The last key or common prefix returned: where the next page starts. */
  last?: string;
}

/** SQLite orders keys by their UTF-8 bytes; JavaScript strings compare by UTF-16 units. Compare as SQLite does. */
function after(a: string, b: string): boolean {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')) > 0;
}

/**
 * One page of a bucket listing, as ListObjects and ListObjectsV2 share it:
 * keys in order after `after`, those holding `delimiter` past `prefix`
 * rolled up into common prefixes that each count once against `maxKeys`. A
 * common prefix is listed only when it sorts after `after`, so a marker that
 * names a common prefix (or a key inside one) resumes past all of it, as S3
 * does. Keys under a collapsed prefix are skipped in SQLite, not walked.
 */
export function listPage(ctx: S3Context, bucket: string, query: ListingQuery): ListingPage {
  const { prefix, delimiter, maxKeys } = query;
  const page: ListingPage = { contents: [], commonPrefixes: [], truncated: false };
  // `max-keys=0` asks for nothing and, in S3, is not a truncated answer.
  if (maxKeys === 0) return page;
  let cursor = query.after;
  for (;;) {
    const rows = ctx.store.listObjects.all(bucket, cursor, prefix, prefix, BATCH);
    let jumped = false;
    for (const row of rows) {
      cursor = row.key;
      const cut = delimiter ? row.key.indexOf(delimiter, prefix.length) : -1;
      const common = cut >= 0 ? row.key.slice(0, cut + delimiter.length) : undefined;
      if (common !== undefined && !after(common, query.after)) {
        cursor = common + LAST;
        jumped = true;
        break;
      }
      if (page.contents.length + page.commonPrefixes.length >= maxKeys) {
        page.truncated = true;
        return page;
      }
      if (common !== undefined) {
        page.commonPrefixes.push(common);
        page.last = common;
        cursor = common + LAST;
        jumped = true;
        break;
      }
      page.contents.push(row);
      page.last = row.key;
    }
    if (!jumped && rows.length < BATCH) return page;
  }
}

/**
 * What both ListObjects versions read first: the bucket (which must exist),
 * `prefix` (authorized as `s3:prefix`), `delimiter`, `max-keys` and
 * `encoding-type`.
 */
export function listingRequest(ctx: S3Context, req: AwsRequest, bucket: string) {
  const row = requireBucket(ctx, bucket);
  const prefix = req.query.get('prefix') ?? '';
  authorize(ctx, req, 's3:ListBucket', bucketArn(bucket), row, { 's3:prefix': prefix });
  return { prefix, delimiter: req.query.get('delimiter') ?? '', maxKeys: maxKeysOf(req), ...encoderOf(req) };
}

/** `max-keys` as S3 reads it: 1000 when absent, at most 1000. */
export function maxKeysOf(req: AwsRequest): number {
  const raw = req.query.get('max-keys');
  if (raw === null) return 1000;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1) {
    throw new AwsError('InvalidArgument', 'Provided max-keys not an integer or within integer range', { ArgumentName: 'max-keys', ArgumentValue: raw });
  }
  return Math.min(1000, n);
}

/** `encoding-type=url` percent-encodes names in the answer (`/` kept); any other value is refused, as S3 does. */
export function encoderOf(req: AwsRequest): { url: boolean; enc: (value: string) => string } {
  const type = req.query.get('encoding-type');
  if (type !== null && type !== 'url') {
    throw new AwsError('InvalidArgument', 'Invalid Encoding Method specified in Request', { ArgumentName: 'encoding-type', ArgumentValue: type });
  }
  const url = type === 'url';
  return { url, enc: (value) => (url ? encodeURIComponent(value).replace(/%2F/g, '/') : value) };
}

/** A `<Contents>` entry; ListObjects (v1) always names the owner, V2 only when asked (`fetch-owner`). */
export function contentsEntry(ctx: S3Context, row: ObjectRow, enc: (value: string) => string, owner: boolean) {
  return {
    Key: enc(row.key),
    LastModified: row.last_modified,
    ETag: quote(row.etag),
    ChecksumAlgorithm: row.checksum_algorithm ?? undefined,
    ChecksumType: row.checksum_algorithm ? (row.checksum_type ?? 'FULL_OBJECT') : undefined,
    Size: row.size,
    Owner: owner ? { ID: ctx.accountId, DisplayName: 'local' } : undefined,
    StorageClass: 'STANDARD',
  };
}
