import { AwsError } from '../../errors.js';
import { evaluate } from '../../iam/policy.js';
import type { PolicyDocument } from '../../types.js';
import type { KmsKeyInfo } from '../index.js';
import { keyPolicyOf, parseKeyPolicy } from '../key-policy.js';
import { epochSeconds, optionalBoolean, optionalString, requiredString, type KmsContext, type KmsOperation } from './context.js';

/** KMS's key operations: create, describe, list, key policies, rotation. */

export function keyMetadata(ctx: KmsContext, key: KmsKeyInfo) {
  return {
    AWSAccountId: ctx.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: epochSeconds(key.createdAt),
    Enabled: true,
    Description: key.description,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: 'Enabled',
    Origin: 'AWS_KMS',
    KeyManager: key.managed ? 'AWS' : 'CUSTOMER',
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
  };
}

/**
 * KMS refuses a policy that would lock the caller out of the key: unless the
 * caller bypasses the check, the new policy must let it call PutKeyPolicy.
 */
function checkLockout(ctx: KmsContext, policy: PolicyDocument, arn: string): void {
  const decision = evaluate({
    principal: ctx.principal,
    action: 'kms:PutKeyPolicy',
    resource: arn,
    context: ctx.context,
    resourcePolicy: policy,
    resourceAccount: ctx.accountId,
    resourcePolicyRequired: true,
  });
  if (decision !== 'Allow') {
    throw new AwsError('MalformedPolicyDocumentException', 'The new key policy will not allow you to update the key policy in the future.');
  }
}

export const createKey: KmsOperation = (ctx, input) => {
  ctx.authorizeIdentity('kms:CreateKey', '*');
  const usage = optionalString(input, 'KeyUsage') ?? 'ENCRYPT_DECRYPT';
  const spec = optionalString(input, 'KeySpec') ?? optionalString(input, 'CustomerMasterKeySpec') ?? 'SYMMETRIC_DEFAULT';
  if (usage !== 'ENCRYPT_DECRYPT' || spec !== 'SYMMETRIC_DEFAULT') {
    throw new AwsError('UnsupportedOperationException', 'This endpoint makes symmetric ENCRYPT_DECRYPT keys only.');
  }
  if ((optionalString(input, 'Origin') ?? 'AWS_KMS') !== 'AWS_KMS' || input.MultiRegion === true) {
    throw new AwsError('UnsupportedOperationException', 'This endpoint makes single-Region AWS_KMS keys only.');
  }
  const text = optionalString(input, 'Policy');
  if (text !== undefined && !optionalBoolean(input, 'BypassPolicyLockoutSafetyCheck')) {
    // The ARN is not known yet; the check needs only the principal's side and the policy's.
    checkLockout(ctx, parseKeyPolicy(text), `arn:aws:kms:${ctx.region}:${ctx.accountId}:key/*`);
  } else if (text !== undefined) parseKeyPolicy(text);
  const key = ctx.ring.create({ description: optionalString(input, 'Description') ?? '', policy: text ?? null });
  return { KeyMetadata: keyMetadata(ctx, key) };
};

export const describeKey: KmsOperation = (ctx, input) => {
  const key = ctx.key(requiredString(input, 'KeyId'));
  ctx.authorizeKey('kms:DescribeKey', key);
  return { KeyMetadata: keyMetadata(ctx, key) };
};

export const listKeys: KmsOperation = (ctx) => {
  ctx.authorizeIdentity('kms:ListKeys', '*');
  const prefix = `arn:aws:kms:${ctx.region}:${ctx.accountId}:key/`;
  return { Keys: ctx.ring.keyIds().map((keyId) => ({ KeyId: keyId, KeyArn: `${prefix}${keyId}` })), Truncated: false };
};

function policyName(input: Record<string, unknown>): string {
  const name = optionalString(input, 'PolicyName') ?? 'default';
  if (name !== 'default') throw new AwsError('NotFoundException', `No such policy exists: ${name}`);
  return name;
}

export const getKeyPolicy: KmsOperation = (ctx, input) => {
  const key = ctx.key(requiredString(input, 'KeyId'));
  const name = policyName(input);
  ctx.authorizeKey('kms:GetKeyPolicy', key);
  return { Policy: key.policy ?? JSON.stringify(keyPolicyOf(key, ctx.accountId)), PolicyName: name };
};

export const putKeyPolicy: KmsOperation = (ctx, input) => {
  const key = ctx.key(requiredString(input, 'KeyId'));
  policyName(input);
  ctx.authorizeKey('kms:PutKeyPolicy', key);
  const text = requiredString(input, 'Policy');
  const policy = parseKeyPolicy(text);
  if (!optionalBoolean(input, 'BypassPolicyLockoutSafetyCheck')) checkLockout(ctx, policy, key.arn);
  ctx.ring.setPolicy(key.keyId, text);
  return {};
};

export const enableKeyRotation: KmsOperation = (ctx, input) => {
  const key = ctx.key(requiredString(input, 'KeyId'));
  ctx.authorizeKey('kms:EnableKeyRotation', key);
  ctx.ring.setRotation(key.keyId, true);
  return {};
};

export const getKeyRotationStatus: KmsOperation = (ctx, input) => {
  const key = ctx.key(requiredString(input, 'KeyId'));
  ctx.authorizeKey('kms:GetKeyRotationStatus', key);
  return { KeyRotationEnabled: key.rotation || key.managed, KeyId: key.arn };
};
