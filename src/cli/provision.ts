import { Option, type Command } from 'commander';
import { settings, UsageError } from './runtime.js';

interface ProvisionFlags {
  dryRun?: boolean;
  cloudformation?: boolean;
  printLfsPolicy?: boolean;
  lfsPrincipal?: string;
  createLfsPolicy?: boolean;
  createAccessKey?: boolean;
  target?: 'aws' | 'ceph';
}

export function registerProvision(program: Command): void {
  program
    .command('provision')
    .summary('create or check what LFS needs in AWS (keys, role, buckets, queues)')
    .description(
      'Creates or updates, idempotently, what LFS needs in its account (KMS keys, the upload role, both buckets with their policies, the queues), then reads it all back. It uses the LFS_* settings (LFS_LOCAL_AWS=false, LFS_AWS_ENDPOINT for an endpoint other than AWS, LFS_AWS_REGION, the buckets, keys and queues) and the credentials of LFS_AWS_ACCESS_KEY_ID/SECRET/SESSION_TOKEN, or the AWS SDK\'s default chain.',
    )
    .option('--dry-run', 'print the plan (a diff of each policy and setting); change nothing')
    .option('--lfs-principal <arn>', 'the IAM role or user LFS runs as: the only one the upload role trusts, that may use the keys and touch the vault (default: the one the upload role already trusts, else whoever runs lfs provision)')
    .option('--create-lfs-policy', "put LFS's policy (lfs-service) on that role or user; a user that does not exist is created")
    .option('--create-access-key', 'with a user: create an access key for it and print it, once')
    .option('--print-lfs-policy', 'print the IAM policy LFS needs, to attach to its role yourself')
    .option('--cloudformation', 'print the same resources as a CloudFormation template (no AWS call)')
    .addOption(
      new Option(
        '--target <engine>',
        "the engine LFS runs on, as LFS_S3_ENGINE: ceph provisions Ceph's object gateway (buckets, upload role, CORS, lifecycle, the persistent topic pushing to LFS's intake, the dock's notification) and prints what only an operator can do there",
      ).choices(['aws', 'ceph']),
    )
    .action(async (flags: ProvisionFlags) => {
      if (flags.lfsPrincipal !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:(user|role)\/\S+$/.test(flags.lfsPrincipal)) {
        throw new UsageError('--lfs-principal: an IAM user or role ARN (arn:aws:iam::<account>:user/<name> or :role/<name>)');
      }
      // The target is the engine LFS will run on: the same setting, given on the command line.
      if (flags.target) process.env.LFS_S3_ENGINE = flags.target;
      const config = await settings();
      // Loaded on demand, as `serve` is: the KMS and IAM clients are for provisioning only.
      const { runProvision } = await import('../provision/command.js');
      await runProvision(
        {
          dryRun: Boolean(flags.dryRun),
          cloudformation: Boolean(flags.cloudformation),
          printLfsPolicy: Boolean(flags.printLfsPolicy),
          lfsPrincipal: flags.lfsPrincipal,
          createLfsPolicy: Boolean(flags.createLfsPolicy),
          createAccessKey: Boolean(flags.createAccessKey),
        },
        config,
        (text) => process.stdout.write(text),
      );
    });
}
