import type { LocalAws } from '@lfs/local-aws';
import { createAwsClients, endpointCas } from '../../src/aws/clients.js';
import type { Config } from '../../src/config.js';
import { provision, type ProvisionOptions, type ProvisionResult } from '../../src/provision/provision.js';

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
  const clients = createAwsClients({ endpoint: config.aws.endpoint, region: config.aws.region, credentials: config.aws.credentials, ca: endpointCas(config.aws), maxAttempts: 1 });
  try {
    return await provision({ clients, config, caller: 'provision', mode: 'apply', ...options });
  } finally {
    clients.destroy();
  }
}
