import { AwsError } from '../../errors.js';
import { bucketArn, authorize } from '../authz.js';
import type { S3Handler } from '../context.js';
import { quote, requireBucket } from '../objects.js';
import { s3Document, xmlContentType } from '../../xml.js';

/** Rows fetched per SQLite query while collapsing common prefixes. */
const BATCH = 1000;

export const listObjectsV2: S3Handler = async (ctx, req, { bucket }) => {
  const row = requireBucket(ctx, bucket);
  authorize(ctx, req, 's3:ListBucket', bucketArn(bucket), row, { 's3:prefix': req.query.get('prefix') ?? '' });
  const prefix = req.query.get('prefix') ?? '';
  const delimiter = req.query.get('delimiter') ?? '';
  const maxKeys = Math.min(1000, Number(req.query.get('max-keys') ?? 1000));
  if (!Number.isInteger(maxKeys) || maxKeys < 0) throw new AwsError('InvalidArgument', 'max-keys must be a non-negative integer', { ArgumentName: 'max-keys' });
  const token = req.query.get('continuation-token');
  let after = req.query.get('start-after') ?? '';
  if (token !== null) {
    after = Buffer.from(token, 'base64url').toString('utf8');
  }
  const encode = req.query.get('encoding-type') === 'url';
  const enc = (value: string) => (encode ? encodeURIComponent(value).replace(/%2F/g, '/') : value);

  const contents: { Key: string; LastModified: string; ETag: string; Size: number; StorageClass: string; ChecksumAlgorithm?: string }[] = [];
  const prefixes: string[] = [];
  let cursor = after;
  let truncated = false;
  let lastReturned = '';
  outer: for (;;) {
    const rows = ctx.store.listObjects.all(bucket, cursor, prefix, prefix, BATCH);
    for (const object of rows) {
      cursor = object.key;
      const rest = object.key.slice(prefix.length);
      const cut = delimiter ? rest.indexOf(delimiter) : -1;
      if (cut >= 0) {
        const common = prefix + rest.slice(0, cut + delimiter.length);
        if (prefixes[prefixes.length - 1] === common) continue;
        if (contents.length + prefixes.length >= maxKeys) {
          truncated = true;
          break outer;
        }
        prefixes.push(common);
        lastReturned = object.key;
        continue;
      }
      if (contents.length + prefixes.length >= maxKeys) {
        truncated = true;
        break outer;
      }
      contents.push({ Key: enc(object.key), LastModified: object.last_modified, ETag: quote(object.etag), Size: object.size, StorageClass: 'STANDARD', ChecksumAlgorithm: object.checksum_algorithm ?? undefined });
      lastReturned = object.key;
    }
    if (rows.length < BATCH) break;
  }
  // Resume after the last key returned, skipping the rest of a collapsed prefix.
  const lastPrefix = prefixes[prefixes.length - 1];
  const resumeAfter = lastPrefix && lastReturned.startsWith(lastPrefix) ? `${lastPrefix}\u{10FFFF}` : lastReturned;
  const body = s3Document('ListBucketResult', {
    Name: bucket,
    Prefix: enc(prefix),
    Delimiter: delimiter ? enc(delimiter) : undefined,
    MaxKeys: maxKeys,
    EncodingType: encode ? 'url' : undefined,
    KeyCount: contents.length + prefixes.length,
    IsTruncated: truncated,
    ContinuationToken: token ?? undefined,
    NextContinuationToken: truncated ? Buffer.from(resumeAfter, 'utf8').toString('base64url') : undefined,
    StartAfter: req.query.get('start-after') ?? undefined,
    Contents: contents,
    CommonPrefixes: prefixes.map((p) => ({ Prefix: enc(p) })),
  });
  return { status: 200, headers: xmlContentType, body };
};
