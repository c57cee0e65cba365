import { SNSClient } from '@aws-sdk/client-sns';
import type { AwsClients } from '../../aws/clients.js';
import type { Config } from '../../config.js';
import { ProvisionError } from '../errors.js';
import { cephNames, cephResources, type CephNames } from './resources.js';

export interface CephProvisionResult {
  names: CephNames;
  /** One line per resource: what was (or would be) done. */
  lines: string[];
  /** `check`: what is missing or drifted, each naming its fix. */
  problems: string[];
}

/** The SNS client of the gateway's topics (the same endpoint and credentials as the others). */
export function cephSnsClient(config: Config): SNSClient {
  return new SNSClient({ endpoint: config.aws.endpoint, region: config.aws.region, credentials: config.aws.credentials && { ...config.aws.credentials } });
}

/**
 * Provisions (or plans, or checks) what LFS needs on Ceph's object gateway,
 * each resource idempotently in order: the buckets, the upload role and its
 * policy, the dock's CORS and lifecycle rules, the persistent topic pushing
 * to LFS's intake and the dock's notification to it.
 */
export async function provisionCeph(clients: AwsClients, config: Config, mode: 'plan' | 'apply' | 'check'): Promise<CephProvisionResult> {
  const sns = cephSnsClient(config);
  try {
    const names = await cephNames({ ...clients, sns }, config).catch((error: unknown) => {
      throw new ProvisionError('FAILED', `the gateway at ${config.aws.endpoint} did not answer ListBuckets (${(error as Error).name}: ${(error as Error).message})`, 'check LFS_AWS_ENDPOINT and the credentials');
    });
    const lines: string[] = [];
    const problems: string[] = [];
    for (const resource of cephResources({ ...clients, sns }, config, names)) {
      let state: 'ok' | 'missing' | 'drifted';
      try {
        state = await resource.check();
      } catch (error) {
        // A parent not there yet (a bucket's settings before the bucket): it will be missing too.
        if (mode === 'apply' || mode === 'plan') state = 'missing';
        else {
          problems.push(`${resource.label}: could not be read (${(error as Error).name}); run lfs provision`);
          continue;
        }
      }
      if (state === 'ok') {
        lines.push(`  ok       ${resource.label}`);
        continue;
      }
      const verb = state === 'missing' ? 'create' : 'update';
      if (mode === 'check') {
        problems.push(`${resource.label} is ${state}: run \`lfs provision\` (LFS_S3_ENGINE=ceph)`);
        continue;
      }
      if (mode === 'apply') {
        await resource.apply().catch((error: unknown) => {
          throw new ProvisionError('FAILED', `${resource.label}: ${verb} failed (${(error as Error).name}: ${(error as Error).message})`, fixOf(error, names));
        });
        const after = await resource.check();
        if (after !== 'ok') throw new ProvisionError('FAILED', `${resource.label}: still ${after} after it was applied`, 'see what the gateway kept');
      }
      lines.push(`  ${mode === 'apply' ? `${verb}d`.padEnd(8) : `${verb}?`.padEnd(8)} ${resource.label}`);
    }
    return { names, lines, problems };
  } finally {
    sns.destroy();
  }
}

function fixOf(error: unknown, names: CephNames): string {
  const user = names.lfsUserArn.split('/').pop();
  if ((error as Error).name === 'AccessDenied' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) {
    return `give LFS's user its caps: radosgw-admin caps add --uid ${user} --caps "roles=*;user-policy=*"`;
  }
  return 'see the gateway log';
}

/** What provisioning cannot do through the gateway's APIs: the operator does it, with these commands. */
export function cephManualSteps(config: Config, names: CephNames): string {
  const user = names.lfsUserArn.split('/').pop();
  return `Not done by lfs provision (the gateway has no API for it):
  - LFS's user needs caps to create the upload role and its policy:
      radosgw-admin caps add --uid ${user} --caps "roles=*;user-policy=*"
  - The gateway's own settings (ceph.conf, section of the radosgw instance), then restart it:
      rgw enable apis = s3, s3website, admin, sts, iam, notifications
      rgw sts key = <16 characters>
      rgw s3 auth use sts = true
  - The SSE-KMS keys ${names.dockKeyId} (dock) and ${names.vaultKeyId} (vault) live in the gateway's KMS backend, e.g. Vault
    (rgw crypt s3 kms backend = vault), or for tests only:
      rgw crypt s3 kms backend = testing
      rgw crypt s3 kms encryption keys = ${names.dockKeyId}=$(openssl rand -base64 32) ${names.vaultKeyId}=$(openssl rand -base64 32)
    (plain HTTP to the gateway also needs rgw crypt require ssl = false)
  - Point LFS_PUBLIC_URL at a load balancer or proxy in front of LFS that answers 502/503 while LFS is down: a push
    whose connection is refused stalls a persistent topic's queue on pacific (the reconciler then catches up).
  - No bucket default encryption, public access block or conditional copy on this engine: LFS refuses dock
    objects not SSE-KMS under ${names.dockKeyId} and copies into the vault in parts (README "Running on Ceph").
LFS runs against it with:
  LFS_S3_ENGINE=ceph LFS_AWS_ENDPOINT=${config.aws.endpoint} LFS_DOCK_KMS_KEY_ID=${names.dockKeyId} LFS_VAULT_KMS_KEY_ID=${names.vaultKeyId}
  LFS_UPLOAD_ROLE_ARN=${names.uploadRoleArn} LFS_EVENT_INTAKE_SECRET=<the secret> LFS_PUBLIC_URL=${config.events.publicUrl}
`;
}
