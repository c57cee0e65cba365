import { AwsError } from '../errors.js';
import type { AwsRequest } from '../types.js';
import { objectArn, authorize } from './authz.js';
import type { S3Context } from './context.js';
import { checkPreconditions, requireBucket, requireKey } from './objects.js';
import { authorizeEncryptionRead, refuseCopySourceCustomerKeys } from './sse.js';
import type { ObjectRow } from './store.js';

/** Resolves and authorizes `x-amz-copy-source` (`[/]bucket/key[?versionId=]`, URL-encoded). */
export function copySource(ctx: S3Context, req: AwsRequest): ObjectRow {
  const header = req.headers['x-amz-copy-source'];
  if (!header) throw new AwsError('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', { ArgumentName: 'x-amz-copy-source' });
  let decoded: string;
  try {
    decoded = decodeURIComponent(header.split('?')[0]).replace(/^\//, '');
  } catch {
    throw new AwsError('InvalidArgument', 'Invalid copy source encoding', { ArgumentName: 'x-amz-copy-source' });
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0) throw new AwsError('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', { ArgumentName: 'x-amz-copy-source' });
  const bucketName = decoded.slice(0, slash);
  const key = requireKey(decoded.slice(slash + 1));
  const bucket = requireBucket(ctx, bucketName);
  authorize(ctx, req, 's3:GetObject', objectArn(bucketName, key), bucket);
  const row = ctx.store.getObject.get(bucketName, key);
  if (!row) throw new AwsError('NoSuchKey', undefined, { Key: key });
  refuseCopySourceCustomerKeys(req.headers);
  authorizeEncryptionRead(ctx, req, row);
  checkPreconditions(req.headers, row, 'copy-source');
  return row;
}
