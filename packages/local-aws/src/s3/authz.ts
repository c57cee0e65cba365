import { AwsError } from '../errors.js';
import { evaluate, parsePolicy } from '../iam/policy.js';
import type { AwsRequest, ConditionContext, PolicyDocument, Principal } from '../types.js';
import type { S3Context } from './context.js';
import type { BucketRow } from './store.js';

export function bucketArn(bucket: string): string {
  return `arn:aws:s3:::${bucket}`;
}

export function objectArn(bucket: string, key: string): string {
  return `arn:aws:s3:::${bucket}/${key}`;
}

/** `aws:PrincipalArn` is the role (not the session) for assumed roles, as in AWS. */
function principalArn(principal: Principal, accountId: string): string | undefined {
  switch (principal.kind) {
    case 'anonymous':
      return undefined;
    case 'root':
      return `arn:aws:iam::${accountId}:root`;
    case 'assumed-role':
      return principal.roleArn;
  }
}

/** Condition keys every S3 request carries; SSE keys only when the request sent the header. */
export function conditionContext(ctx: S3Context, req: AwsRequest, extra: ConditionContext = {}): ConditionContext {
  return {
    'aws:SecureTransport': req.secure ? 'true' : 'false',
    'aws:PrincipalArn': principalArn(req.principal, ctx.accountId),
    'aws:SourceIp': req.sourceIp,
    'aws:CurrentTime': new Date().toISOString(),
    's3:x-amz-server-side-encryption': req.headers['x-amz-server-side-encryption'],
    ...extra,
  };
}

/** Parsed bucket policies by their stored text: a policy is validated when put, not again on every request. */
const parsedPolicies = new Map<string, PolicyDocument>();

function bucketPolicy(text: string): PolicyDocument {
  let policy = parsedPolicies.get(text);
  if (!policy) {
    policy = parsePolicy(text, 'MalformedPolicy');
    // Policies change rarely (revocations do change them); a small bound keeps stale texts from piling up.
    if (parsedPolicies.size >= 64) parsedPolicies.clear();
    parsedPolicies.set(text, policy);
  }
  return policy;
}

/**
 * Throws AccessDenied unless IAM evaluation allows `action` on `resource`.
 * The bucket policy, when the bucket has one, is the resource policy.
 */
export function authorize(ctx: S3Context, req: AwsRequest, action: string, resource: string, bucket: BucketRow | undefined, extra?: ConditionContext): void {
  const resourcePolicy = bucket?.policy ? bucketPolicy(bucket.policy) : undefined;
  // Root with no resource policy is always allowed; skip the evaluator on the hot path.
  if (req.principal.kind === 'root' && !resourcePolicy) return;
  const decision = evaluate({ principal: req.principal, action, resource, context: conditionContext(ctx, req, extra), resourcePolicy });
  if (decision !== 'Allow') throw new AwsError('AccessDenied');
}

/** S3 uses the KMS key on the caller's behalf; the caller needs the KMS permission on the key. */
export function authorizeKms(ctx: S3Context, req: AwsRequest, action: 'kms:GenerateDataKey' | 'kms:Decrypt', keyArn: string): void {
  if (req.principal.kind === 'root') return;
  const decision = evaluate({
    principal: req.principal,
    action,
    resource: keyArn,
    context: conditionContext(ctx, req, {
      'kms:ViaService': `s3.${ctx.region}.amazonaws.com`,
      's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn,
    }),
  });
  if (decision !== 'Allow') throw new AwsError('AccessDenied', `User is not authorized to perform ${action} on the KMS key`);
}
