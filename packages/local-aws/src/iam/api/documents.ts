import { AwsError } from '../../errors.js';
import type { PolicyDocument, PolicyStatement } from '../../types.js';
import { statements } from '../policy.js';
import { validatePolicy, type PolicyKind } from '../validate.js';

/** Policy documents as IAM takes them in and gives them back. */

/** What IAM looks principals up in, to refuse a trust policy naming one that does not exist. */
export interface PrincipalDirectory {
  exists(arn: string): boolean;
}

/** IAM's default quotas, counted without whitespace, as IAM counts them. */
export const POLICY_LIMITS = { trust: 2048, roleInline: 10_240, userInline: 2048 } as const;

export function packedSize(policy: PolicyDocument): number {
  return JSON.stringify(policy).length;
}

/** Parses a PolicyDocument / AssumeRolePolicyDocument parameter; throws MalformedPolicyDocument. */
export function parseIamPolicy(text: string, kind: Extract<PolicyKind, 'identity' | 'trust'>, directory: PrincipalDirectory): PolicyDocument {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new AwsError('MalformedPolicyDocument', 'Syntax errors in policy.');
  }
  const policy = validatePolicy(document, 'MalformedPolicyDocument', kind);
  if (kind === 'trust') for (const statement of statements(policy)) checkPrincipals(statement, directory);
  return policy;
}

const ACCOUNT = /^\d{12}$|^arn:aws:iam::\d{12}:root$/;
const IDENTITY = /^arn:aws:iam::\d{12}:(user|role)\/.+$|^arn:aws:sts::\d{12}:assumed-role\/.+$/;

/** IAM resolves every AWS principal of a trust policy when it is saved; an unknown one makes it malformed. */
function checkPrincipals(statement: PolicyStatement, directory: PrincipalDirectory): void {
  const element = statement.Principal ?? statement.NotPrincipal;
  if (element === undefined || element === '*') return;
  for (const [kind, value] of Object.entries(element)) {
    if (kind !== 'AWS') continue;
    for (const name of Array.isArray(value) ? value : [value]) {
      if (name === '*') continue;
      // An account is taken on its word; a user or role must exist (in an account this endpoint has).
      const exists = ACCOUNT.test(name) || (IDENTITY.test(name) && directory.exists(name));
      if (!exists) throw new AwsError('MalformedPolicyDocument', `Invalid principal in policy: "AWS":"${name}"`);
    }
  }
}

/** IAM returns policy documents URL-encoded (RFC 3986), as the AWS API reference says. */
export function encodedDocument(policy: PolicyDocument): string {
  return encodeURIComponent(JSON.stringify(policy));
}
