import { AwsError } from '../errors.js';
import type { CredentialStore } from '../iam/credentials.js';
import type { RoleStore } from '../iam/roles.js';
import type { AwsRequest, AwsResponse } from '../types.js';
import { assumeRole } from './assume-role.js';
import { getCallerIdentity } from './get-caller-identity.js';

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

const VERSION = '2011-06-15';

export function createSts(options: StsOptions): Sts {
  const deps = {
    credentials: options.credentials,
    roles: options.roles,
    minSessionDurationSeconds: options.minSessionDurationSeconds ?? 900,
  };
  return {
    async handle(request, params) {
      const version = params.get('Version');
      if (version !== null && version !== VERSION) {
        throw new AwsError('InvalidAction', `Could not find operation ${params.get('Action')} for version ${version}`);
      }
      const action = params.get('Action');
      switch (action) {
        case 'AssumeRole':
          return assumeRole(deps, request, params);
        case 'GetCallerIdentity':
          return getCallerIdentity(deps.roles, request);
        case null:
          throw new AwsError('MissingParameter', 'The request must contain the parameter Action.');
        default:
          throw new AwsError('InvalidAction', `Could not find operation ${action} for version ${VERSION}`);
      }
    },
  };
}
