import { AwsError } from '../../errors.js';
import type { AccessKey, User } from '../users.js';
import { POLICY_LIMITS } from './documents.js';
import { entityName, optional, path, required } from './params.js';
import { inlinePolicyOperations, memberList } from './inline-policies.js';
import type { IamContext, IamOperation } from './context.js';

/** IAM's user operations: the user, its inline policies and its access keys. */

function userXml(user: User) {
  return { Path: user.path, UserName: user.name, UserId: user.userId, Arn: user.arn, CreateDate: user.createdAt.toISOString() };
}

function keyMetadata(user: User, key: AccessKey) {
  return { UserName: user.name, AccessKeyId: key.accessKeyId, Status: key.status, CreateDate: key.createdAt.toISOString() };
}

/**
 * The user a request names, or (for operations where the name is optional)
 * the calling user itself, as IAM does.
 */
function userOf(ctx: IamContext, params: URLSearchParams, action: string, nameOptional = false): User {
  let name: string;
  if (nameOptional && optional(params, 'UserName') === undefined) {
    if (ctx.principal.kind !== 'user') throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials');
    name = ctx.principal.userName;
  } else {
    name = entityName(params, 'UserName');
  }
  const existing = findUser(ctx, name);
  ctx.authorize(`iam:${action}`, existing?.arn ?? ctx.arn('user', name));
  return existing ?? ctx.users.require(ctx.accountId, name);
}

function findUser(ctx: IamContext, name: string): User | undefined {
  try {
    return ctx.users.require(ctx.accountId, name);
  } catch {
    return undefined;
  }
}

export const createUser: IamOperation = (ctx, params) => {
  const name = entityName(params, 'UserName');
  const userPath = path(params);
  ctx.authorize('iam:CreateUser', ctx.arn('user', name, userPath));
  return { User: userXml(ctx.users.create(ctx.accountId, name, userPath)) };
};

export const getUser: IamOperation = (ctx, params) => ({ User: userXml(userOf(ctx, params, 'GetUser', true)) });

export const deleteUser: IamOperation = (ctx, params) => {
  ctx.users.delete(userOf(ctx, params, 'DeleteUser'));
  return {};
};

const inline = inlinePolicyOperations({
  kind: 'User',
  of: (ctx, params, action) => userOf(ctx, params, action),
  store: (ctx, user, name, policy) => ctx.users.setInlinePolicy(user, name, policy),
  limit: POLICY_LIMITS.userInline,
});
export const { put: putUserPolicy, get: getUserPolicy, remove: deleteUserPolicy, list: listUserPolicies } = inline;

export const createAccessKey: IamOperation = (ctx, params) => {
  const user = userOf(ctx, params, 'CreateAccessKey', true);
  const key = ctx.users.createAccessKey(user);
  return { AccessKey: { ...keyMetadata(user, key), SecretAccessKey: key.secretAccessKey } };
};

export const listAccessKeys: IamOperation = (ctx, params) => {
  const user = userOf(ctx, params, 'ListAccessKeys', true);
  return { AccessKeyMetadata: memberList(ctx.users.accessKeys(user).map((key) => keyMetadata(user, key))), IsTruncated: false };
};

export const deleteAccessKey: IamOperation = (ctx, params) => {
  const user = userOf(ctx, params, 'DeleteAccessKey', true);
  ctx.users.deleteAccessKey(user, required(params, 'AccessKeyId'));
  return {};
};
