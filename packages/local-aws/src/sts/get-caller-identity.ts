import { AwsError } from '../errors.js';
import type { RoleStore } from '../iam/roles.js';
import type { AwsRequest, AwsResponse } from '../types.js';
import { stsResponse } from './response.js';

/** GetCallerIdentity needs no permission, as in AWS; only an unsigned call fails. */
export function getCallerIdentity(roles: RoleStore, request: AwsRequest): AwsResponse {
  const { principal } = request;
  if (principal.kind === 'anonymous' || principal.kind === 'service') throw new AwsError('AccessDenied', 'GetCallerIdentity requires a signed request.');
  let userId: string;
  switch (principal.kind) {
    case 'root':
      userId = principal.accountId;
      break;
    case 'user':
      userId = principal.userId;
      break;
    case 'assumed-role':
      userId = `${roles.get(principal.roleArn)?.roleId ?? principal.roleArn}:${principal.sessionName}`;
      break;
  }
  return stsResponse('GetCallerIdentity', request.requestId, { UserId: userId, Account: principal.accountId, Arn: principal.arn });
}
