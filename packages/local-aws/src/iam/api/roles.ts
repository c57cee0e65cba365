import { AwsError } from '../../errors.js';
import type { Role } from '../roles.js';
import { encodedDocument, packedSize, parseIamPolicy, POLICY_LIMITS } from './documents.js';
import { entityName, maxSessionDuration, optional, path, policyName, required } from './params.js';
import type { IamContext, IamOperation } from './context.js';

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

export const putRolePolicy: IamOperation = (ctx, params) => {
  const role = roleOf(ctx, params, 'PutRolePolicy');
  const name = policyName(params);
  const policy = parseIamPolicy(required(params, 'PolicyDocument'), 'identity', ctx.directory);
  const others = Object.entries(role.inlinePolicies).filter(([other]) => other !== name);
  const total = others.reduce((sum, [, document]) => sum + packedSize(document), packedSize(policy));
  if (total > POLICY_LIMITS.roleInline) {
    throw new AwsError('LimitExceeded', `Maximum policy size of ${POLICY_LIMITS.roleInline} bytes exceeded for role ${role.name}`);
  }
  ctx.roles.setInlinePolicy(role, name, policy);
  return {};
};

export const getRolePolicy: IamOperation = (ctx, params) => {
  const role = roleOf(ctx, params, 'GetRolePolicy');
  const name = policyName(params);
  const policy = role.inlinePolicies[name];
  if (!policy) throw new AwsError('NoSuchEntity', `The role policy with name ${name} cannot be found.`);
  return { RoleName: role.name, PolicyName: name, PolicyDocument: encodedDocument(policy) };
};

export const deleteRolePolicy: IamOperation = (ctx, params) => {
  const role = roleOf(ctx, params, 'DeleteRolePolicy');
  ctx.roles.setInlinePolicy(role, policyName(params), undefined);
  return {};
};

export const listRolePolicies: IamOperation = (ctx, params) => {
  const role = roleOf(ctx, params, 'ListRolePolicies');
  return { PolicyNames: memberList(Object.keys(role.inlinePolicies).sort()), IsTruncated: false };
};

/** A Query-protocol list: `<member>` elements, or an empty element the SDKs read as `[]`. */
export function memberList<T>(items: T[]): { member: T[] } | '' {
  return items.length ? { member: items } : '';
}
