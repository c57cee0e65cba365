import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/iam/policy.js';
import type { AuthzRequest, PolicyDocument, PolicyStatement, Principal } from '../../../src/types.js';

/** AWS's evaluation across principals, accounts and required resource policies (KMS key policies, trust policies). */

const A = '123456789012';
const B = '111111111111';
const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });
const rootOf = (account: string): Principal => ({ kind: 'root', accessKeyId: 'AKIA', arn: `arn:aws:iam::${account}:root`, accountId: account });
const userOf = (account: string, ...policies: PolicyDocument[]): Principal => ({
  kind: 'user',
  accessKeyId: 'AKIAUSER',
  arn: `arn:aws:iam::${account}:user/u`,
  accountId: account,
  userName: 'u',
  userId: 'AIDAU',
  policies,
});
const s3: Principal = { kind: 'service', service: 's3.amazonaws.com' };
const allowPut = doc({ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' });
const denyPut = doc({ Effect: 'Deny', Action: 's3:PutObject', Resource: '*' });
const naming = (AWS: string, Effect: 'Allow' | 'Deny' = 'Allow') => doc({ Effect, Principal: { AWS }, Action: '*', Resource: '*' });

function decide(principal: Principal, extra: Partial<AuthzRequest> = {}) {
  return evaluate({ principal, action: 's3:PutObject', resource: 'arn:aws:s3:::vault/k', context: {}, resourceAccount: A, ...extra });
}

describe('policy evaluation across principals and accounts', () => {
  it.each([
    ['own root, no resource policy', rootOf(A), {}, 'Allow'],
    ['own root, denied by the resource policy', rootOf(A), { resourcePolicy: naming(A, 'Deny') }, 'ExplicitDeny'],
    ["another account's root, no resource policy", rootOf(B), {}, 'ImplicitDeny'],
    ["another account's root, resource policy names its account", rootOf(B), { resourcePolicy: naming(B) }, 'Allow'],
    ["another account's root, resource policy names someone else", rootOf(B), { resourcePolicy: naming(A) }, 'ImplicitDeny'],
    ['own user, identity allows', userOf(A, allowPut), {}, 'Allow'],
    ['own user, nothing allows', userOf(A), {}, 'ImplicitDeny'],
    ['own user, resource policy names the user', userOf(A), { resourcePolicy: naming(`arn:aws:iam::${A}:user/u`) }, 'Allow'],
    ['own user, resource policy names only the account', userOf(A), { resourcePolicy: naming(A) }, 'ImplicitDeny'],
    ['own user, identity Deny beats a resource Allow', userOf(A, denyPut), { resourcePolicy: naming(`arn:aws:iam::${A}:user/u`) }, 'ExplicitDeny'],
    ['own user, a Deny naming the account reaches it', userOf(A, allowPut), { resourcePolicy: naming(A, 'Deny') }, 'ExplicitDeny'],
    ["another account's user, identity allows, no resource policy", userOf(B, allowPut), {}, 'ImplicitDeny'],
    ["another account's user, resource policy names it, identity silent", userOf(B), { resourcePolicy: naming(`arn:aws:iam::${B}:user/u`) }, 'ImplicitDeny'],
    ["another account's user, both allow", userOf(B, allowPut), { resourcePolicy: naming(B) }, 'Allow'],
    ['a service, no resource policy', s3, {}, 'ImplicitDeny'],
    ['a service named by the resource policy', s3, { resourcePolicy: doc({ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: '*', Resource: '*' }) }, 'Allow'],
    ['a service not named by an AWS principal', s3, { resourcePolicy: naming(A) }, 'ImplicitDeny'],
  ] as const)('%s: %s', (_name, principal, extra, expected) => {
    expect(decide(principal, extra)).toBe(expected);
  });

  it.each([
    ['own root, the policy delegates to the account', rootOf(A), naming(A), 'Allow'],
    ['own root, the policy names someone else', rootOf(A), naming(`arn:aws:iam::${A}:user/u`), 'ImplicitDeny'],
    ['own user, delegation and identity allow', userOf(A, allowPut), naming(A), 'Allow'],
    ['own user, delegation but identity silent', userOf(A), naming(A), 'ImplicitDeny'],
    ['own user, identity allows but the policy does not delegate', userOf(A, allowPut), naming(`arn:aws:iam::${A}:root`.replace(A, B)), 'ImplicitDeny'],
    ['own user named directly, identity silent', userOf(A), naming(`arn:aws:iam::${A}:user/u`), 'Allow'],
    ["another account's user named directly, identity silent", userOf(B), naming(`arn:aws:iam::${B}:user/u`), 'ImplicitDeny'],
    ["another account's user, delegated and allowed", userOf(B, allowPut), naming(B), 'Allow'],
  ] as const)('required resource policy (key or trust policy), %s: %s', (_name, principal, resourcePolicy, expected) => {
    expect(decide(principal, { resourcePolicy, resourcePolicyRequired: true })).toBe(expected);
  });

  it('with a required resource policy and none given, nobody is allowed, root included', () => {
    expect(decide(rootOf(A), { resourcePolicyRequired: true })).toBe('ImplicitDeny');
  });
});
