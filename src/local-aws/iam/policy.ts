// STUB — to be implemented (IAM/STS/SQS helper). Signatures are the contract.
import type { AuthzRequest, PolicyDocument } from '../types.js';

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/**
 * IAM evaluation as AWS does it for one account: an explicit Deny in any policy
 * wins; root is allowed unless a resource policy denies; an assumed-role
 * session needs an Allow from a role policy AND from the session policy (when
 * present), or an Allow from the resource policy naming the session/role.
 */
export function evaluate(_request: AuthzRequest): Decision {
  throw new Error('not implemented');
}

/** Parses and validates a policy JSON string; throws AwsError('MalformedPolicy'/'MalformedPolicyDocument'). */
export function parsePolicy(_json: string, _errorCode: 'MalformedPolicy' | 'MalformedPolicyDocument'): PolicyDocument {
  throw new Error('not implemented');
}
