import { AwsError } from '../../errors.js';
import type { AwsRequest, AwsResponse } from '../../types.js';
import { queryDocument, type XmlNode } from '../../xml.js';
import { evaluate } from '../policy.js';
import { callerName } from '../principals.js';
import type { RoleStore } from '../roles.js';
import type { UserStore } from '../users.js';
import type { IamContext, IamOperation } from './context.js';
import type { PrincipalDirectory } from './documents.js';
import { createRole, deleteRole, deleteRolePolicy, getRole, getRolePolicy, listRolePolicies, putRolePolicy, updateAssumeRolePolicy, updateRole } from './roles.js';
import {
  createAccessKey,
  createUser,
  deleteAccessKey,
  deleteUser,
  deleteUserPolicy,
  getUser,
  getUserPolicy,
  listAccessKeys,
  listUserPolicies,
  putUserPolicy,
} from './users.js';

export interface IamOptions {
  roles: RoleStore;
  users: UserStore;
}

export interface Iam {
  /** Handles one Query-protocol request; `params` merges query string and form body. */
  handle(request: AwsRequest, params: URLSearchParams): Promise<AwsResponse>;
}

const VERSION = '2010-05-08';

const operations: Record<string, IamOperation> = {
  CreateRole: createRole,
  GetRole: getRole,
  DeleteRole: deleteRole,
  UpdateRole: updateRole,
  UpdateAssumeRolePolicy: updateAssumeRolePolicy,
  PutRolePolicy: putRolePolicy,
  GetRolePolicy: getRolePolicy,
  DeleteRolePolicy: deleteRolePolicy,
  ListRolePolicies: listRolePolicies,
  CreateUser: createUser,
  GetUser: getUser,
  DeleteUser: deleteUser,
  PutUserPolicy: putUserPolicy,
  GetUserPolicy: getUserPolicy,
  DeleteUserPolicy: deleteUserPolicy,
  ListUserPolicies: listUserPolicies,
  CreateAccessKey: createAccessKey,
  ListAccessKeys: listAccessKeys,
  DeleteAccessKey: deleteAccessKey,
};

/**
 * The IAM API (Query protocol) over the endpoint's roles and users. Every
 * account has its own: a caller acts in its own account, with what its
 * identity policies allow (the root user: everything).
 */
export function createIam({ roles, users }: IamOptions): Iam {
  const directory: PrincipalDirectory = {
    exists(arn) {
      const [, , , , account = '', resource = ''] = arn.split(':');
      const [kind, ...rest] = resource.split('/');
      const name = rest[rest.length - 1] ?? '';
      try {
        if (kind === 'user') return users.require(account, name).arn === arn;
        if (kind === 'role') return roles.get(arn) !== undefined;
        if (kind === 'assumed-role') return roles.require(account, rest[0] ?? '') !== undefined;
      } catch {
        return false;
      }
      return false;
    },
  };
  return {
    async handle(request, params) {
      const version = params.get('Version');
      if (version !== null && version !== VERSION) throw new AwsError('InvalidAction', `Could not find operation ${params.get('Action')} for version ${version}`);
      const action = params.get('Action');
      if (action === null) throw new AwsError('MissingParameter', 'The request must contain the parameter Action.');
      const operation = Object.hasOwn(operations, action) ? operations[action] : undefined;
      if (!operation) throw new AwsError('InvalidAction', `Could not find operation ${action} for version ${VERSION}`);
      const { principal } = request;
      if (principal.kind === 'anonymous' || principal.kind === 'service') throw new AwsError('MissingAuthenticationToken');
      const ctx: IamContext = {
        principal,
        accountId: principal.accountId,
        roles,
        users,
        directory,
        authorize(iamAction, resource) {
          const context = { 'aws:SecureTransport': request.secure ? 'true' : 'false', 'aws:SourceIp': request.sourceIp };
          if (evaluate({ principal, action: iamAction, resource, context }) !== 'Allow') {
            throw new AwsError('AccessDenied', `User: ${callerName(principal)} is not authorized to perform: ${iamAction} on resource: ${resource}`);
          }
        },
        arn: (kind, name, path = '/') => `arn:aws:iam::${principal.accountId}:${kind}${path}${name}`,
      };
      const result = operation(ctx, params) as XmlNode;
      return { status: 200, headers: { 'content-type': 'text/xml' }, body: queryDocument('iam', action, result, request.requestId) };
    },
  };
}
