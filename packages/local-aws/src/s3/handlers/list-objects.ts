import type { S3Handler } from '../context.js';
import { contentsEntry, listingRequest, listPage } from '../listing.js';
import { s3Document, xmlContentType } from '../../xml.js';

/**
 * ListObjects (version 1): `GET /<bucket>` without `list-type=2`, paged by
 * `marker`. `NextMarker` comes only with a delimiter, as S3 sends it; without
 * one a client resumes after the last key it got.
 */
export const listObjects: S3Handler = async (ctx, req, { bucket }) => {
  const { prefix, delimiter, maxKeys, url, enc } = listingRequest(ctx, req, bucket);
  const marker = req.query.get('marker') ?? '';
  const page = listPage(ctx, bucket, { prefix, delimiter, maxKeys, after: marker });
  const body = s3Document('ListBucketResult', {
    Name: bucket,
    Prefix: enc(prefix),
    Marker: enc(marker),
    MaxKeys: maxKeys,
    Delimiter: delimiter ? enc(delimiter) : undefined,
    EncodingType: url ? 'url' : undefined,
    IsTruncated: page.truncated,
    NextMarker: page.truncated && delimiter && page.last !== undefined ? enc(page.last) : undefined,
    Contents: page.contents.map((object) => contentsEntry(ctx, object, enc, true)),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
  });
  return { status: 200, headers: xmlContentType, body };
};
