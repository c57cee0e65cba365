import { CreateRoleCommand, GetRoleCommand, GetRolePolicyCommand, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand, UpdateRoleCommand } from '@aws-sdk/client-iam';
import { canonicalPolicy, parsePolicyText, sameJson } from '../canonical.js';
import type { Item, LiveContext } from '../context.js';
import type { DesiredState } from '../desired.js';
import { ProvisionError } from '../errors.js';

/** The upload role: its trust policy (only LFS may assume it) and how long its sessions may last. */
export function uploadRoleItem(state: DesiredState, context: LiveContext): Item {
  const role = state.uploadRole;
  const { iam } = context.clients;
  const label = `the upload role ${role.name}`;
  const desired = { AssumeRolePolicyDocument: canonicalPolicy(role.trustPolicy), MaxSessionDuration: role.maxSessionDuration };
  return {
    id: 'iam:upload-role',
    label,
    service: 'iam',
    desired,
    async read() {
      const got = await context.lookup('iam:GetRole', label, ['NoSuchEntity', 'NoSuchEntityException'], () => iam.send(new GetRoleCommand({ RoleName: role.name })));
      if (!got) return undefined;
      const found = got.Role;
      if (found?.Path && found.Path !== role.path) {
        throw new ProvisionError('CONFLICT', `${label} exists under the path ${found.Path}, not ${role.path}`, 'set LFS_UPLOAD_ROLE_ARN to its ARN, or delete it');
      }
      if (found?.Arn) context.refs.uploadRoleArn = found.Arn;
      return {
        AssumeRolePolicyDocument: found?.AssumeRolePolicyDocument ? canonicalPolicy(parsePolicyText(found.AssumeRolePolicyDocument)) : null,
        MaxSessionDuration: found?.MaxSessionDuration ?? 3600,
      };
    },
    async apply(actual) {
      const trust = JSON.stringify(role.trustPolicy);
      if (actual === undefined) {
        const created = await context.call('iam:CreateRole', label, () =>
          iam.send(
            new CreateRoleCommand({
              RoleName: role.name,
              Path: role.path,
              AssumeRolePolicyDocument: trust,
              MaxSessionDuration: role.maxSessionDuration,
              Description: 'LFS upload credentials: write-only on the loading dock, one key per session',
            }),
          ),
        );
        if (created.Role?.Arn) context.refs.uploadRoleArn = created.Role.Arn;
        return;
      }
      const current = actual as typeof desired;
      if (!sameJson(current.AssumeRolePolicyDocument, desired.AssumeRolePolicyDocument)) {
        await context.call('iam:UpdateAssumeRolePolicy', label, () => iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: role.name, PolicyDocument: trust })));
      }
      if (current.MaxSessionDuration !== role.maxSessionDuration) {
        await context.call('iam:UpdateRole', label, () => iam.send(new UpdateRoleCommand({ RoleName: role.name, MaxSessionDuration: role.maxSessionDuration })));
      }
    },
  };
}

/** The upload role's inline policy: what any upload session can do at most. */
export function uploadRolePolicyItem(state: DesiredState, context: LiveContext): Item {
  const role = state.uploadRole;
  const { iam } = context.clients;
  const label = `the upload role ${role.name}: its policy ${role.policyName}`;
  return {
    id: 'iam:upload-role-policy',
    label,
    service: 'iam',
    parent: 'iam:upload-role',
    desired: canonicalPolicy(role.policy),
    async read() {
      const got = await context.lookup('iam:GetRolePolicy', label, ['NoSuchEntity', 'NoSuchEntityException'], () =>
        iam.send(new GetRolePolicyCommand({ RoleName: role.name, PolicyName: role.policyName })),
      );
      return got?.PolicyDocument ? canonicalPolicy(parsePolicyText(got.PolicyDocument)) : undefined;
    },
    async apply() {
      await context.call('iam:PutRolePolicy', label, () =>
        iam.send(new PutRolePolicyCommand({ RoleName: role.name, PolicyName: role.policyName, PolicyDocument: JSON.stringify(role.policy) })),
      );
    },
  };
}
