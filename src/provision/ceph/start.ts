import type { Connection, Storage } from '../../aws/storage.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { ProvisionError } from '../errors.js';
import { provisionCeph } from './provision.js';

/** As provision/start.ts's Resolution (not imported from there: it imports this). */
type Resolution = { ready: true; storage: Storage; warnings: string[] } | { ready: false; problems: string[]; warnings: string[] };

/**
 * LFS's start on Ceph's object gateway: checks (or, with
 * LFS_PROVISION_ON_START, provisions) the gateway's resources. There are no
 * queues (dock events are pushed to the intake; file events go out as
 * webhooks), and the keys are the gateway's KMS key ids as configured.
 */
export async function resolveCephStorage(config: Config, connection: Connection, logger: Logger): Promise<Resolution> {
  let result;
  try {
    result = await provisionCeph(connection.clients, config, config.aws.provisionOnStart ? 'apply' : 'check');
  } catch (error) {
    if (!(error instanceof ProvisionError)) throw error;
    return { ready: false, problems: [error.message], warnings: [] };
  }
  if (result.problems.length > 0) return { ready: false, problems: result.problems, warnings: [] };
  const { names } = result;
  logger.info({ lfsUser: names.lfsUserArn, uploadRole: names.uploadRoleArn, topic: names.topicArn }, 'the Ceph gateway has what LFS needs');
  return {
    ready: true,
    warnings: [],
    storage: {
      ...connection,
      accountId: names.lfsUserArn.split(':')[4],
      uploadRoleArn: names.uploadRoleArn,
      dock: { name: config.storage.dockBucket, kmsKeyArn: names.dockKeyId },
      vault: { name: config.storage.vaultBucket, kmsKeyArn: names.vaultKeyId },
      resources: { dockEventsQueueUrl: '', deadLetterQueueUrl: '', fileEventsQueueUrl: '' },
    },
  };
}
