import { AwsError } from '../../errors.js';
import { evaluate } from '../../iam/policy.js';
import { conditionContext } from '../authz.js';
import type { S3Handler } from '../context.js';
import { s3Document, xmlContentType } from '../../xml.js';

export const listBuckets: S3Handler = async (ctx, req) => {
  const { principal } = req;
  if (principal.kind === 'anonymous' || principal.kind === 'service') throw new AwsError('AccessDenied');
  if (principal.kind !== 'root') {
    const decision = evaluate({ principal, action: 's3:ListAllMyBuckets', resource: '*', context: conditionContext(ctx, req) });
    if (decision !== 'Allow') throw new AwsError('AccessDenied');
  }
  // Every bucket belongs to the main account; another account's caller lists its own, none.
  const own = principal.accountId === ctx.accountId;
  const buckets = own ? ctx.store.listBuckets.all().map((b) => ({ Name: b.name, CreationDate: b.created_at })) : [];
  const body = s3Document('ListAllMyBucketsResult', {
    Owner: { ID: ctx.accountId, DisplayName: 'local' },
    Buckets: { Bucket: buckets },
  });
  return { status: 200, headers: xmlContentType, body };
};
