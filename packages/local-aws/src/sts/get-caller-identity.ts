import { AwsError } from '../errors.js';
import type { RoleStore } from '../iam/roles.js';
import type { AwsRequest, AwsResponse } from '../types.js';
import { elements, stsResponse } from './xml.js';

/** GetCallerIdentity needs no permission, as in AWS; only an unsigned call fails. */
export function getCallerIdentity(roles: RoleStore, request: AwsRequest): AwsResponse {
  const { principal } = request;
  if (principal.kind === 'anonymous') throw new AwsError('AccessDenied', 'GetCallerIdentity requires a signed request.');
  const userId =
    principal.kind === 'root'
      ? principal.accountId
      : `${roles.get(principal.roleArn)?.roleId ?? principal.roleArn}:${principal.sessionName}`;
  const result = elements({ UserId: userId, Account: principal.accountId, Arn: principal.arn });
  return stsResponse('GetCallerIdentity', result, request.requestId);
}
