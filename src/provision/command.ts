import { CreateAccessKeyCommand } from '@aws-sdk/client-iam';
import { createAwsClients, endpointCas } from '../aws/clients.js';
import type { Config } from '../config.js';
import { cloudFormationTemplate } from './cloudformation.js';
import { desiredState, targetOf } from './desired.js';
import { ProvisionError } from './errors.js';
import { principalNameOf } from './items/lfs-principal.js';
import { provision } from './provision.js';
import { renderPlan } from './render.js';
import { runCephProvision } from './ceph/command.js';

export interface ProvisionCommandOptions {
  dryRun: boolean;
  cloudformation: boolean;
  printLfsPolicy: boolean;
  lfsPrincipal?: string;
  createLfsPolicy: boolean;
  createAccessKey: boolean;
}

/** `lfs provision`: writes what it did (or would do) to `out`; a problem is thrown as one ProvisionError line. */
export async function runProvision(options: ProvisionCommandOptions, config: Config, out: (text: string) => void): Promise<void> {
  if (options.cloudformation) return out(cloudFormationTemplate(config));
  if (config.aws.local) {
    throw new ProvisionError(
      'INVALID',
      'LFS is set to run the embedded endpoint, which it provisions itself at every start',
      'set LFS_LOCAL_AWS=false to provision AWS (and LFS_AWS_ENDPOINT for another endpoint)',
    );
  }
  if (config.events.engine === 'ceph') return runCephProvision(options.dryRun, config, out);
  if (options.createAccessKey && !options.createLfsPolicy) throw new ProvisionError('INVALID', '--create-access-key needs --create-lfs-policy', 'add it');
  const clients = createAwsClients({ endpoint: config.aws.endpoint, region: config.aws.region, credentials: config.aws.credentials, ca: endpointCas(config.aws) });
  try {
    const mode = options.dryRun || options.printLfsPolicy ? 'plan' : 'apply';
    const result = await provision({ clients, config, caller: 'provision', mode, lfsPrincipalArn: options.lfsPrincipal, lfsPolicy: options.createLfsPolicy && !options.printLfsPolicy });
    if (options.printLfsPolicy) {
      return out(`${JSON.stringify(desiredState(config, result.refs, targetOf(config)).lfsPolicy, null, 2)}\n`);
    }
    out(renderPlan(result, { mode, endpoint: config.aws.endpoint }));
    if (mode === 'apply' && options.createAccessKey) {
      const user = principalNameOf(result.lfsPrincipalArn);
      if (user?.kind !== 'user') throw new ProvisionError('INVALID', `--create-access-key needs LFS's principal to be a user, not ${result.lfsPrincipalArn}`, 'give --lfs-principal a user ARN');
      const { AccessKey } = await clients.iam.send(new CreateAccessKeyCommand({ UserName: user.name })).catch((error: unknown) => {
        throw new ProvisionError('FAILED', `iam:CreateAccessKey for ${user.name} failed (${(error as Error).name})`, 'grant it, or create the key yourself');
      });
      out(`LFS's access key (shown once):\n  LFS_AWS_ACCESS_KEY_ID=${AccessKey!.AccessKeyId}\n  LFS_AWS_SECRET_ACCESS_KEY=${AccessKey!.SecretAccessKey}\n`);
    }
  } finally {
    clients.destroy();
  }
}
