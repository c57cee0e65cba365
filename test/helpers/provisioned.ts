import type { LocalAws } from '@lfs/local-aws';
import { createAwsClients } from '../../src/aws/clients.js';
import { loadConfig, type Config } from '../../src/config.js';
import { provision, type ProvisionOptions, type ProvisionResult } from '../../src/provision/provision.js';
import { EMBEDDED_WITHOUT_KMS_IAM, makeKeysAndRoleInProcess } from '../../src/provision/start.js';

/** The settings of an LFS that uses `endpoint` as it would use AWS (its root credentials unless others are given). */
export function externalEnv(endpoint: LocalAws, env: Record<string, string> = {}): Record<string, string> {
  return {
    LFS_LOCAL_AWS: 'false',
    LFS_AWS_ENDPOINT: endpoint.url,
    LFS_AWS_REGION: endpoint.region,
    LFS_AWS_ACCESS_KEY_ID: endpoint.rootCredentials.accessKeyId,
    LFS_AWS_SECRET_ACCESS_KEY: endpoint.rootCredentials.secretAccessKey,
    ...env,
  };
}

/** Runs provisioning in this process against `config`'s endpoint. */
export async function provisionWith(config: Config, options: Partial<ProvisionOptions> = {}): Promise<ProvisionResult> {
  const clients = createAwsClients({ endpoint: config.aws.endpoint, region: config.aws.region, credentials: config.aws.credentials, maxAttempts: 1 });
  try {
    return await provision({ clients, config, caller: 'provision', mode: 'apply', ...options });
  } finally {
    clients.destroy();
  }
}

/**
 * Provisions an endpoint started in the test the way embedded mode does
 * until the endpoint speaks KMS and IAM: keys and the upload role through
 * its in-process shortcuts, everything else through the S3 and SQS APIs.
 * Returns the settings to start LFS against it with (the key ARNs, which
 * LFS cannot look up there yet).
 */
export async function provisionS3AndSqs(endpoint: LocalAws, env: Record<string, string> = {}, options: Partial<ProvisionOptions> = {}) {
  let config = loadConfig(externalEnv(endpoint, env));
  const known = makeKeysAndRoleInProcess(endpoint, config);
  const settings = { ...env, LFS_DOCK_KMS_KEY_ID: known.dockKeyArn!, LFS_VAULT_KMS_KEY_ID: known.vaultKeyArn! };
  config = loadConfig(externalEnv(endpoint, settings));
  const result = await provisionWith(config, { skip: EMBEDDED_WITHOUT_KMS_IAM, known, ...options });
  return { settings, result, config };
}
