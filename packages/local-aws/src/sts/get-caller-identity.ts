import { AwsError } from '../errors.js';
import type { RoleStore } from '../iam/roles.js';
import type { AwsRequest, AwsResponse } from '../types.js';
import { stsResponse } from './response.js';

/** GetCallerIdentity needs no permission, as in AWS; only an unsigned call fails. */
export function getCallerIdentity(roles: RoleStore, request: AwsRequest): AwsResponse {
  const { principal } = request;
  if (principal.kind === 'anonymous') throw new AwsError('AccessDenied', 'GetCallerIdentity requires a signed request.');
  const userId =
    principal.kind === 'root'
      ? principal.accountId
      : `${roles.get(principal.roleArn)?.roleId ?? principal.roleArn}:${principal.sessionName}`;
  return stsResponse('GetCallerIdentity', request.requestId, { UserId: userId, Account: principal.accountId, Arn: principal.arn });
}
