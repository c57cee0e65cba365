import { CreateUserCommand, GetRoleCommand, GetRolePolicyCommand, GetUserCommand, GetUserPolicyCommand, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { canonicalPolicy, parsePolicyText } from '../canonical.js';
import type { Item, LiveContext } from '../context.js';
import type { DesiredState } from '../desired.js';
import { isAwsError, ProvisionError } from '../errors.js';

/** The name of LFS's own inline policy on its user or role. */
export const LFS_POLICY_NAME = 'lfs-service';
const NO_ENTITY = ['NoSuchEntity', 'NoSuchEntityException'];

export interface PrincipalName {
  kind: 'user' | 'role';
  name: string;
  path: string;
}

/** `arn:aws:iam::<account>:user/<path/>name` or `...:role/...`; undefined for anything else (the root, a session). */
export function principalNameOf(arn: string): PrincipalName | undefined {
  const match = /^arn:aws[a-z-]*:iam::\d{12}:(user|role)\/(.+)$/.exec(arn);
  if (!match) return undefined;
  const parts = match[2].split('/');
  const name = parts.pop()!;
  return { kind: match[1] as 'user' | 'role', name, path: parts.length > 0 ? `/${parts.join('/')}/` : '/' };
}

function requirePrincipal(context: LiveContext): PrincipalName {
  const principal = principalNameOf(context.refs.lfsPrincipalArn);
  if (!principal) {
    throw new ProvisionError('INVALID', `LFS's principal ${context.refs.lfsPrincipalArn} is not an IAM user or role`, 'pass --lfs-principal with the ARN of the user or role LFS runs as');
  }
  return principal;
}

/**
 * LFS's own user (created when missing) or role (which must exist: its trust
 * policy says where LFS runs, which only the operator knows). It comes
 * first: key and trust policies may only name principals that exist.
 */
export function lfsPrincipalItem(_state: DesiredState, context: LiveContext): Item {
  const principal = requirePrincipal(context);
  const { iam } = context.clients;
  const label = `LFS's ${principal.kind} ${principal.name}`;
  return {
    id: 'iam:lfs-principal',
    label,
    service: 'iam',
    desired: {},
    async read() {
      const found =
        principal.kind === 'user'
          ? await context.lookup('iam:GetUser', label, NO_ENTITY, () => iam.send(new GetUserCommand({ UserName: principal.name })))
          : await context.lookup('iam:GetRole', label, NO_ENTITY, () => iam.send(new GetRoleCommand({ RoleName: principal.name })));
      return found ? {} : undefined;
    },
    async apply() {
      if (principal.kind === 'role') {
        throw new ProvisionError('MISSING', `${label} does not exist`, 'create the role LFS runs as (its trust policy names where LFS runs), then run lfs provision again');
      }
      try {
        await iam.send(new CreateUserCommand({ UserName: principal.name, Path: principal.path }));
      } catch (error) {
        if (isAwsError(error, 'EntityAlreadyExists', 'EntityAlreadyExistsException')) return;
        await context.call('iam:CreateUser', label, () => Promise.reject(error));
      }
    },
  };
}

/** The policy LFS needs, inline on its user or role (`--create-lfs-policy`). */
export function lfsPolicyItem(state: DesiredState, context: LiveContext): Item {
  const principal = requirePrincipal(context);
  const { iam } = context.clients;
  const label = `LFS's ${principal.kind} ${principal.name}: its policy ${LFS_POLICY_NAME}`;
  const document = JSON.stringify(state.lfsPolicy);
  return {
    id: 'iam:lfs-policy',
    label,
    service: 'iam',
    parent: 'iam:lfs-principal',
    desired: canonicalPolicy(state.lfsPolicy),
    async read() {
      const got =
        principal.kind === 'user'
          ? await context.lookup('iam:GetUserPolicy', label, NO_ENTITY, () => iam.send(new GetUserPolicyCommand({ UserName: principal.name, PolicyName: LFS_POLICY_NAME })))
          : await context.lookup('iam:GetRolePolicy', label, NO_ENTITY, () => iam.send(new GetRolePolicyCommand({ RoleName: principal.name, PolicyName: LFS_POLICY_NAME })));
      return got?.PolicyDocument ? canonicalPolicy(parsePolicyText(got.PolicyDocument)) : undefined;
    },
    async apply() {
      if (principal.kind === 'user') {
        await context.call('iam:PutUserPolicy', label, () => iam.send(new PutUserPolicyCommand({ UserName: principal.name, PolicyName: LFS_POLICY_NAME, PolicyDocument: document })));
      } else {
        await context.call('iam:PutRolePolicy', label, () => iam.send(new PutRolePolicyCommand({ RoleName: principal.name, PolicyName: LFS_POLICY_NAME, PolicyDocument: document })));
      }
    },
  };
}
