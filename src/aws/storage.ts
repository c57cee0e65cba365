import type { LocalAws } from '@lfs/local-aws';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { buildUploadRolePolicy } from '../credentials/session-policy.js';
import type { Logger } from '../logger.js';
import { bootstrapResources, type BootstrappedResources } from './bootstrap.js';
import { createAwsClients, type AwsClients } from './clients.js';

/** The embedded endpoint's own data folder, inside LFS's. */
export const localAwsDataDir = (dataDir: string): string => join(dataDir, 'aws');

/** Everything LFS reaches in AWS (or the embedded endpoint), resolved and ready. */
export interface Storage {
  /** The embedded endpoint, when it runs in process. */
  localAws: LocalAws | undefined;
  clients: AwsClients;
  /** Clients for the endpoint browsers reach: presigned URLs are signed for that host. */
  presignClients: AwsClients;
  /** The S3 endpoint browsers are told to use; undefined on AWS. */
  publicEndpoint: string | undefined;
  dockKmsKeyArn: string;
  vaultKmsKeyArn: string;
  resources: BootstrappedResources;
  close(): Promise<void>;
}

/**
 * Starts the embedded endpoint when configured (with its keys and the upload
 * role), connects the SDK clients and creates the buckets, queues and
 * notification that are missing.
 */
export async function connectStorage(config: Config, logger: Logger): Promise<Storage> {
  let localAws: LocalAws | undefined;
  let endpoint = config.aws.endpoint;
  let credentials = config.aws.credentials;
  let dockKmsKeyArn = config.storage.dockKmsKeyId;
  let vaultKmsKeyArn = config.storage.vaultKmsKeyId;
  if (config.aws.local) {
    // Loaded only here: LFS on AWS never loads the endpoint, its worker threads or their bundle.
    const { createLocalAws } = await import('@lfs/local-aws');
    localAws = createLocalAws({
      dataDir: localAwsDataDir(config.dataDir),
      port: config.aws.localPort,
      host: config.host,
      region: config.aws.region,
      accountId: config.aws.accountId,
      rootCredentials: config.aws.credentials,
      minSessionDurationSeconds: config.aws.localMinSessionSeconds,
      secureTransport: config.aws.localSecureTransport,
      maxUploadsPerKey: config.aws.localMaxUploadsPerKey,
      logger: logger.child({ component: 'local-aws' }),
    });
    await localAws.start();
    endpoint = localAws.url;
    credentials = localAws.rootCredentials;
    dockKmsKeyArn = localAws.ensureKey(config.storage.dockKmsKeyId).arn;
    vaultKmsKeyArn = localAws.ensureKey(config.storage.vaultKmsKeyId).arn;
    localAws.putRole({
      name: config.storage.uploadRoleArn.split('/').pop()!,
      policies: [buildUploadRolePolicy(config.storage.dockBucket, dockKmsKeyArn)],
      maxSessionDurationSeconds: 43_200,
    });
  }
  const clients = createAwsClients({ endpoint, region: config.aws.region, credentials });
  const publicEndpoint = config.aws.publicEndpoint ?? endpoint;
  const presignClients =
    publicEndpoint && publicEndpoint !== endpoint ? createAwsClients({ endpoint: publicEndpoint, region: config.aws.region, credentials }) : clients;
  const resources = await bootstrapResources({
    s3: clients.s3,
    sqs: clients.sqs,
    region: config.aws.region,
    dockBucket: config.storage.dockBucket,
    vaultBucket: config.storage.vaultBucket,
    dockKmsKeyArn,
    vaultKmsKeyArn,
    dockEventsQueue: config.storage.dockEventsQueue,
    fileEventsQueue: config.storage.fileEventsQueue,
    visibilitySeconds: config.promotion.visibilitySeconds,
    maxReceives: config.promotion.maxReceives,
    dockLifecycleDays: config.cleanup.dockLifecycleDays,
    uploadOrigins: config.uploads.origins,
  });
  return {
    localAws,
    clients,
    presignClients,
    publicEndpoint,
    dockKmsKeyArn,
    vaultKmsKeyArn,
    resources,
    async close() {
      if (presignClients !== clients) presignClients.destroy();
      clients.destroy();
      await localAws?.stop();
    },
  };
}
