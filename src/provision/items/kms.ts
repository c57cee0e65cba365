import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, GetKeyPolicyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { canonicalPolicy } from '../canonical.js';
import type { Item, LiveContext } from '../context.js';
import { isAlias, type DesiredState, type KeySpec } from '../desired.js';
import { ProvisionError } from '../errors.js';

const settingOf = (which: KeySpec['which']) => (which === 'dock' ? 'LFS_DOCK_KMS_KEY_ID' : 'LFS_VAULT_KMS_KEY_ID');

/**
 * A KMS key and its key policy. An alias (`alias/lfs-dock`) that names no
 * key gets a new symmetric key; a key id or ARN must exist already.
 */
export function kmsKeyItem(which: KeySpec['which']) {
  return (state: DesiredState, context: LiveContext): Item => {
    const spec = state.keys.find((key) => key.which === which)!;
    const { kms } = context.clients;
    const label = `the ${which} KMS key ${spec.configured}`;
    const remember = (arn: string) => {
      if (which === 'dock') context.refs.dockKeyArn = arn;
      else context.refs.vaultKeyArn = arn;
    };
    const policyText = JSON.stringify(spec.policy);
    return {
      id: `kms:${which}-key`,
      label,
      service: 'kms',
      desired: { KeyPolicy: canonicalPolicy(spec.policy) },
      async read() {
        const described = await context.lookup('kms:DescribeKey', label, ['NotFoundException'], () => kms.send(new DescribeKeyCommand({ KeyId: spec.configured })));
        if (!described) {
          if (isAlias(spec.configured)) return undefined;
          throw new ProvisionError('MISSING', `${label} (${settingOf(which)}) does not exist`, `create it, or set ${settingOf(which)} to an alias (alias/lfs-${which}) for lfs provision to create the key`);
        }
        const metadata = described.KeyMetadata;
        if (!metadata?.Arn) throw new ProvisionError('FAILED', `kms:DescribeKey answered no ARN for ${label}`, 'check the endpoint');
        if (metadata.KeyState !== 'Enabled' || (metadata.KeySpec ?? 'SYMMETRIC_DEFAULT') !== 'SYMMETRIC_DEFAULT' || (metadata.KeyUsage ?? 'ENCRYPT_DECRYPT') !== 'ENCRYPT_DECRYPT') {
          throw new ProvisionError(
            'CONFLICT',
            `${label} is ${metadata.KeyState}, ${metadata.KeySpec ?? 'SYMMETRIC_DEFAULT'} for ${metadata.KeyUsage ?? 'ENCRYPT_DECRYPT'}: S3 needs an enabled symmetric encryption key`,
            `enable it, or point ${settingOf(which)} (or the alias) at such a key`,
          );
        }
        remember(metadata.Arn);
        const { Policy } = await context.call('kms:GetKeyPolicy', label, () => kms.send(new GetKeyPolicyCommand({ KeyId: metadata.Arn, PolicyName: 'default' })));
        return { KeyPolicy: Policy ? canonicalPolicy(Policy) : null };
      },
      async apply(actual) {
        if (actual !== undefined) {
          await context.call('kms:PutKeyPolicy', label, () => kms.send(new PutKeyPolicyCommand({ KeyId: context.refs[which === 'dock' ? 'dockKeyArn' : 'vaultKeyArn'], PolicyName: 'default', Policy: policyText })));
          return;
        }
        const created = await context.call('kms:CreateKey', label, () =>
          kms.send(
            new CreateKeyCommand({
              Description: spec.description,
              KeySpec: 'SYMMETRIC_DEFAULT',
              KeyUsage: 'ENCRYPT_DECRYPT',
              Policy: policyText,
              Tags: [{ TagKey: 'lfs:alias', TagValue: spec.configured }],
            }),
          ),
        );
        const arn = created.KeyMetadata!.Arn!;
        // A key whose alias failed is an orphan the next run does not find (it makes another); the error names it.
        await context.call('kms:CreateAlias', `${label} (new key ${arn})`, () => kms.send(new CreateAliasCommand({ AliasName: spec.configured, TargetKeyId: arn })));
        remember(arn);
      },
    };
  };
}
