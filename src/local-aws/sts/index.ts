// STUB — to be implemented (IAM/STS/SQS helper). Signatures are the contract.
import type { AwsRequest, AwsResponse } from '../types.js';
import type { CredentialStore } from '../iam/credentials.js';
import type { RoleStore } from '../iam/roles.js';

export interface StsOptions {
  credentials: CredentialStore;
  roles: RoleStore;
  accountId: string;
  /** Shortest DurationSeconds accepted; AWS says 900, tests may lower it. @default 900 */
  minSessionDurationSeconds?: number;
}

export interface Sts {
  /** Handles one Query-protocol request; `params` merges query string and form body. */
  handle(request: AwsRequest, params: URLSearchParams): Promise<AwsResponse>;
}

export function createSts(_options: StsOptions): Sts {
  throw new Error('not implemented');
}
