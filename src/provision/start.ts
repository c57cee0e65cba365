import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Connection, Storage } from '../aws/storage.js';
import { ProvisionError } from './errors.js';
import { provision } from './provision.js';
import { resolveCephStorage } from './ceph/start.js';

/** Ready with everything resolved, or not, with one line per problem (each naming its fix). */
export type Resolution = { ready: true; storage: Storage; warnings: string[] } | { ready: false; problems: string[]; warnings: string[] };

/**
 * Makes sure what LFS needs is in its account. The embedded endpoint is
 * provisioned in process at every start; elsewhere LFS only checks (or,
 * with LFS_PROVISION_ON_START, provisions) and reports what is missing or
 * drifted, each with the command that fixes it.
 */
export async function resolveStorage(config: Config, connection: Connection, logger: Logger): Promise<Resolution> {
  if (config.events.engine === 'ceph') return resolveCephStorage(config, connection, logger);
  const { clients, localAws } = connection;
  let result;
  try {
    // The embedded endpoint speaks KMS and IAM: it is provisioned through its APIs like any other.
    const apply = localAws !== undefined || config.aws.provisionOnStart;
    result = await provision({ clients, config, caller: 'lfs', mode: apply ? 'apply' : 'check' });
  } catch (error) {
    if (!(error instanceof ProvisionError)) throw error;
    return { ready: false, problems: [error.message], warnings: [] };
  }
  const warnings = result.warnings.map((warning) => `not checked: ${warning.message}`);
  if (result.problems.length > 0) return { ready: false, problems: result.problems.map((problem) => problem.message), warnings };
  for (const note of result.notes) logger.info(note);
  const { refs, queueUrls } = result;
  // A key this endpoint cannot describe (no KMS API) is used as configured.
  const keyArn = (arn: string, configured: string) => (arn.includes('<') ? configured : arn);
  return {
    ready: true,
    warnings,
    storage: {
      ...connection,
      accountId: result.accountId,
      uploadRoleArn: refs.uploadRoleArn,
      dock: { name: config.storage.dockBucket, kmsKeyArn: keyArn(refs.dockKeyArn, config.storage.dockKmsKeyId) },
      vault: { name: config.storage.vaultBucket, kmsKeyArn: keyArn(refs.vaultKeyArn, config.storage.vaultKmsKeyId) },
      resources: {
        dockEventsQueueUrl: queueUrls.get('dock-events')!,
        deadLetterQueueUrl: queueUrls.get('dead-letter')!,
        fileEventsQueueUrl: queueUrls.get('file-events')!,
      },
    },
  };
}
