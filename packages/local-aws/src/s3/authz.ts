import { AwsError } from '../errors.js';
import { evaluate, parsePolicy } from '../iam/policy.js';
import { callerName } from '../iam/principals.js';
import { decideKeyUse } from '../kms/key-policy.js';
import { isPublicPolicy, withoutPublicGrants, type PublicAccessBlock } from './public-access.js';
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
function principalArn(principal: Principal): string | undefined {
  switch (principal.kind) {
    case 'anonymous':
    case 'service':
      return undefined;
    case 'root':
    case 'user':
      return principal.arn;
    case 'assumed-role':
      return principal.roleArn;
  }
}

/** Condition keys every S3 request carries; SSE keys only when the request sent the header. */
export function conditionContext(ctx: S3Context, req: AwsRequest, extra: ConditionContext = {}): ConditionContext {
  return {
    'aws:SecureTransport': req.secure ? 'true' : 'false',
    'aws:PrincipalArn': principalArn(req.principal),
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

/** The bucket policy as it applies to this caller: RestrictPublicBuckets leaves public grants to the owner's account alone. */
function effectivePolicy(req: AwsRequest, bucket: BucketRow | undefined, owner: string): PolicyDocument | undefined {
  if (!bucket?.policy) return undefined;
  const policy = bucketPolicy(bucket.policy);
  const restrict = bucket.public_access_block ? (JSON.parse(bucket.public_access_block) as PublicAccessBlock).RestrictPublicBuckets : false;
  const outsider = req.principal.kind === 'anonymous' || (req.principal.kind !== 'service' && req.principal.accountId !== owner);
  return restrict && outsider && isPublicPolicy(policy) ? withoutPublicGrants(policy) : policy;
}

/**
 * Throws AccessDenied unless IAM evaluation allows `action` on `resource`.
 * The bucket policy, when the bucket has one, is the resource policy. Every
 * bucket belongs to the endpoint's main account: a caller of another account
 * needs its own policies and the bucket policy to allow.
 */
export function authorize(ctx: S3Context, req: AwsRequest, action: string, resource: string, bucket: BucketRow | undefined, extra?: ConditionContext): void {
  const resourcePolicy = effectivePolicy(req, bucket, ctx.accountId);
  // The owner's root with no resource policy is always allowed; skip the evaluator on the hot path.
  if (req.principal.kind === 'root' && req.principal.accountId === ctx.accountId && !resourcePolicy) return;
  const decision = evaluate({ principal: req.principal, action, resource, context: conditionContext(ctx, req, extra), resourcePolicy, resourceAccount: ctx.accountId });
  if (decision !== 'Allow') throw new AwsError('AccessDenied');
}

/**
 * S3 uses the KMS key on the caller's behalf: the caller needs the KMS
 * permission on the key, from the key policy (itself, or by delegating to
 * the caller's IAM policies), as KMS decides it for a request via S3.
 */
export function authorizeKms(ctx: S3Context, req: AwsRequest, action: 'kms:GenerateDataKey' | 'kms:Decrypt', keyArn: string): void {
  const key = ctx.kms.info(keyArn);
  const decision = decideKeyUse(
    req.principal,
    action,
    key,
    ctx.accountId,
    conditionContext(ctx, req, {
      'kms:ViaService': `s3.${ctx.region}.amazonaws.com`,
      'kms:CallerAccount': req.principal.kind === 'anonymous' || req.principal.kind === 'service' ? undefined : req.principal.accountId,
      's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn,
    }),
  );
  if (decision !== 'Allow') throw new AwsError('AccessDenied', `User: ${callerName(req.principal)} is not authorized to perform: ${action} on the KMS key ${keyArn}`);
}
