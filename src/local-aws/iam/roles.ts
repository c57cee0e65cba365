// STUB — to be implemented (IAM/STS/SQS helper). Signatures are the contract.
import type { PolicyDocument } from '../types.js';

export interface RoleDefinition {
  /** Role name; the ARN is arn:aws:iam::<account>:role/<name>. */
  name: string;
  /** Identity policies attached to the role. */
  policies: PolicyDocument[];
  /** Longest session AssumeRole may grant. @default 3600 */
  maxSessionDurationSeconds?: number;
}

export interface Role extends Required<RoleDefinition> {
  arn: string;
  roleId: string;
}

export interface RoleStore {
  /** Creates the role, or replaces its policies when it exists. Persisted. */
  put(definition: RoleDefinition): Role;
  get(arn: string): Role | undefined;
}
