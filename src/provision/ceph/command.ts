import { createAwsClients } from '../../aws/clients.js';
import type { Config } from '../../config.js';
import { ProvisionError } from '../errors.js';
import { cephManualSteps, provisionCeph } from './provision.js';

/** `lfs provision` on Ceph's object gateway: what it did (or would do), then what is left to the operator. */
export async function runCephProvision(dryRun: boolean, config: Config, out: (text: string) => void): Promise<void> {
  if (!config.events.intakeSecret) {
    throw new ProvisionError('INVALID', "the dock's topic pushes to LFS's intake, whose URL carries LFS_EVENT_INTAKE_SECRET", 'set LFS_EVENT_INTAKE_SECRET (openssl rand -hex 32) and LFS_PUBLIC_URL');
  }
  const clients = createAwsClients({ endpoint: config.aws.endpoint, region: config.aws.region, credentials: config.aws.credentials });
  try {
    const mode = dryRun ? 'plan' : 'apply';
    const result = await provisionCeph(clients, config, mode);
    out(`${dryRun ? 'Plan' : 'Provisioned'} on Ceph's object gateway ${config.aws.endpoint} as ${result.names.lfsUserArn}:\n${result.lines.join('\n')}\n\n`);
    out(cephManualSteps(config, result.names));
  } finally {
    clients.destroy();
  }
}
