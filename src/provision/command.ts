import { CreateAccessKeyCommand } from '@aws-sdk/client-iam';
import { createAwsClients } from '../aws/clients.js';
import type { Config } from '../config.js';
import { cloudFormationTemplate } from './cloudformation.js';
import { desiredState, targetOf } from './desired.js';
import { ProvisionError } from './errors.js';
import { principalNameOf } from './items/lfs-principal.js';
import { provision } from './provision.js';
import { renderPlan } from './render.js';
import { runCephProvision } from './ceph/command.js';

export const provisionUsage = `Usage: lfs provision [--dry-run] [--lfs-principal ARN] [--create-lfs-policy [--create-access-key]]
       lfs provision --print-lfs-policy [--lfs-principal ARN]
       lfs provision --cloudformation

Creates or updates, idempotently, what LFS needs in its account (KMS keys, the upload
role, both buckets with their policies, the queues), then reads it all back. It uses
the LFS_* settings (LFS_LOCAL_AWS=false, LFS_AWS_ENDPOINT for an endpoint other than
AWS, LFS_AWS_REGION, the buckets, keys and queues) and the credentials of
LFS_AWS_ACCESS_KEY_ID/SECRET/SESSION_TOKEN, or the AWS SDK's default chain.

  --dry-run             print the plan (a diff of each policy and setting); change nothing
  --lfs-principal ARN   the IAM role or user LFS runs as: the only one the upload role
                        trusts, that may use the keys and touch the vault (default: the one
                        the upload role already trusts, else whoever runs lfs provision)
  --create-lfs-policy   put LFS's policy (lfs-service) on that role or user; a user that
                        does not exist is created
  --create-access-key   with a user: create an access key for it and print it, once
  --print-lfs-policy    print the IAM policy LFS needs, to attach to its role yourself
  --cloudformation      print the same resources as a CloudFormation template (no AWS call)
  --target ceph         Ceph's object gateway (radosgw), as LFS_S3_ENGINE=ceph: the buckets, the
                        upload role, CORS, lifecycle, the persistent topic pushing to LFS's intake
                        and the dock's notification; prints what only an operator can do there`;

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
  const clients = createAwsClients({ endpoint: config.aws.endpoint, region: config.aws.region, credentials: config.aws.credentials });
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
