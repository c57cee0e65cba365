import { AwsError } from '../../errors.js';
import type { S3Handler } from '../context.js';
import { contentsEntry, listingRequest, listPage } from '../listing.js';
import { s3Document, xmlContentType } from '../../xml.js';

/** ListObjectsV2: paged by an opaque continuation token (the last key or common prefix returned). */
export const listObjectsV2: S3Handler = async (ctx, req, { bucket }) => {
  const { prefix, delimiter, maxKeys, url, enc } = listingRequest(ctx, req, bucket);
  const token = req.query.get('continuation-token');
  const startAfter = req.query.get('start-after');
  let after = startAfter ?? '';
  if (token !== null) {
    if (token === '') throw new AwsError('InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
    after = Buffer.from(token, 'base64url').toString('utf8');
  }
  const page = listPage(ctx, bucket, { prefix, delimiter, maxKeys, after });
  const body = s3Document('ListBucketResult', {
    Name: bucket,
    Prefix: enc(prefix),
    Delimiter: delimiter ? enc(delimiter) : undefined,
    MaxKeys: maxKeys,
    EncodingType: url ? 'url' : undefined,
    KeyCount: page.contents.length + page.commonPrefixes.length,
    IsTruncated: page.truncated,
    ContinuationToken: token ?? undefined,
    NextContinuationToken: page.truncated && page.last !== undefined ? Buffer.from(page.last, 'utf8').toString('base64url') : undefined,
    StartAfter: startAfter !== null ? enc(startAfter) : undefined,
    Contents: page.contents.map((object) => contentsEntry(ctx, object, enc, req.query.get('fetch-owner') === 'true')),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
  });
  return { status: 200, headers: xmlContentType, body };
};
