import { AwsError, isAwsError } from '../errors.js';
import { evaluate, type Decision } from '../iam/policy.js';
import { validatePolicy } from '../iam/validate.js';
import type { ConditionContext, PolicyDocument, Principal } from '../types.js';
import type { KmsKeyInfo } from './index.js';

/** KMS key policies: every use of a key must be allowed by its policy, as KMS evaluates them. */

/**
 * The policy KMS gives a key created without one: it delegates the key to
 * the account's IAM policies (and lets the account's root use it).
 */
export function defaultKeyPolicy(accountId: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'kms:*', Resource: '*' }],
  };
}

/** KMS's own limit on a key policy document. */
const MAX_POLICY = 32 * 1024;

/** Parses a key policy given to CreateKey or PutKeyPolicy; throws MalformedPolicyDocumentException. */
export function parseKeyPolicy(text: string): PolicyDocument {
  if (text.length > MAX_POLICY) throw new AwsError('ValidationException', '1 validation error detected: Value at \'policy\' failed to satisfy constraint: Member must have length less than or equal to 32768');
  try {
    return validatePolicy(JSON.parse(text), 'MalformedPolicyDocument', 'resource');
  } catch (error) {
    const why = isAwsError(error) ? error.message : 'The policy is not valid JSON.';
    throw new AwsError('MalformedPolicyDocumentException', why);
  }
}

const parsed = new Map<string, PolicyDocument>();

/** The key's policy (stored policies were validated when put; parsed once). */
export function keyPolicyOf(key: KmsKeyInfo, accountId: string): PolicyDocument {
  if (key.policy === null) return defaultKeyPolicy(accountId);
  let policy = parsed.get(key.policy);
  if (!policy) {
    policy = JSON.parse(key.policy) as PolicyDocument;
    if (parsed.size >= 64) parsed.clear();
    parsed.set(key.policy, policy);
  }
  return policy;
}

/** May `principal` do `action` with the key? The key policy must allow, itself or by delegating to IAM. */
export function decideKeyUse(principal: Principal, action: string, key: KmsKeyInfo, accountId: string, context: ConditionContext, policy = keyPolicyOf(key, accountId)): Decision {
  return evaluate({ principal, action, resource: key.arn, context, resourcePolicy: policy, resourceAccount: accountId, resourcePolicyRequired: true });
}
