import { AwsError } from '../../errors.js';
import type { Role } from '../roles.js';
import { encodedDocument, packedSize, parseIamPolicy, POLICY_LIMITS } from './documents.js';
import { entityName, maxSessionDuration, optional, path, required } from './params.js';
import type { IamContext, IamOperation } from './context.js';
import { inlinePolicyOperations } from './inline-policies.js';

/** IAM's role operations: the role, its trust policy and its inline policies. */

function roleXml(role: Role) {
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: role.createdAt.toISOString(),
    AssumeRolePolicyDocument: encodedDocument(role.trustPolicy),
    Description: role.description || undefined,
    MaxSessionDuration: role.maxSessionDurationSeconds,
  };
}

function roleOf(ctx: IamContext, params: URLSearchParams, action: string): Role {
  const name = entityName(params, 'RoleName');
  let role: Role | undefined;
  try {
    role = ctx.roles.require(ctx.accountId, name);
  } catch {
    role = undefined;
  }
  // Authorized before a missing role is reported, so names cannot be probed.
  ctx.authorize(`iam:${action}`, role?.arn ?? ctx.arn('role', name));
  return role ?? ctx.roles.require(ctx.accountId, name);
}

export const createRole: IamOperation = (ctx, params) => {
  const name = entityName(params, 'RoleName');
  const rolePath = path(params);
  ctx.authorize('iam:CreateRole', ctx.arn('role', name, rolePath));
  const trustPolicy = parseIamPolicy(required(params, 'AssumeRolePolicyDocument'), 'trust', ctx.directory);
  if (packedSize(trustPolicy) > POLICY_LIMITS.trust) throw new AwsError('LimitExceeded', `Cannot exceed quota for ACLSizePerRole: ${POLICY_LIMITS.trust}`);
  const role = ctx.roles.create({
    accountId: ctx.accountId,
    name,
    path: rolePath,
    trustPolicy,
    maxSessionDurationSeconds: maxSessionDuration(params),
    description: optional(params, 'Description') ?? '',
  });
  return { Role: roleXml(role) };
};

export const getRole: IamOperation = (ctx, params) => ({ Role: roleXml(roleOf(ctx, params, 'GetRole')) });

export const deleteRole: IamOperation = (ctx, params) => {
  ctx.roles.delete(roleOf(ctx, params, 'DeleteRole'));
  return {};
};

export const updateRole: IamOperation = (ctx, params) => {
  const role = roleOf(ctx, params, 'UpdateRole');
  ctx.roles.update(role, {
    maxSessionDurationSeconds: params.get('MaxSessionDuration') === null ? undefined : maxSessionDuration(params),
    description: optional(params, 'Description'),
  });
  return {};
};

export const updateAssumeRolePolicy: IamOperation = (ctx, params) => {
  const role = roleOf(ctx, params, 'UpdateAssumeRolePolicy');
  const policy = parseIamPolicy(required(params, 'PolicyDocument'), 'trust', ctx.directory);
  if (packedSize(policy) > POLICY_LIMITS.trust) throw new AwsError('LimitExceeded', `Cannot exceed quota for ACLSizePerRole: ${POLICY_LIMITS.trust}`);
  ctx.roles.setTrustPolicy(role, policy);
  return {};
};

const inline = inlinePolicyOperations({
  kind: 'Role',
  of: roleOf,
  store: (ctx, role, name, policy) => ctx.roles.setInlinePolicy(role, name, policy),
  limit: POLICY_LIMITS.roleInline,
});
export const { put: putRolePolicy, get: getRolePolicy, remove: deleteRolePolicy, list: listRolePolicies } = inline;

