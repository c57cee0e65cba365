import type { LocalAws } from '@lfs/local-aws';
import type { Config } from '../config.js';
import { buildUploadRolePolicy } from '../credentials/session-policy.js';
import type { DisposalStack } from '../disposal.js';
import type { EncryptedBucket } from '../files/model.js';
import type { Logger } from '../logger.js';
import { bootstrapResources, type BootstrappedResources } from './bootstrap.js';
import { createAwsClients, type AwsClients } from './clients.js';

/** Everything LFS reaches in AWS (or the embedded endpoint), resolved and ready. */
export interface Storage {
  /** The embedded endpoint, when it runs in process. */
  localAws: LocalAws | undefined;
  clients: AwsClients;
  /** Clients for the endpoint browsers reach: presigned URLs are signed for that host. */
  presignClients: AwsClients;
  /** What browsers are told to use: the S3 endpoint (null on AWS) and the region. */
  browserEndpoint: { endpoint: string | null; region: string };
  /** The loading dock and the vault, with their keys resolved to ARNs. */
  dock: EncryptedBucket;
  vault: EncryptedBucket;
  resources: BootstrappedResources;
}

/**
 * Starts the embedded endpoint when configured (with its keys and the upload
 * role), connects the SDK clients and creates the buckets, queues and
 * notification that are missing. Whatever it opens is deferred on `opened`
 * as it goes, so a failure half-way leaves nothing running.
 */
export async function connectStorage(config: Config, logger: Logger, opened: DisposalStack): Promise<Storage> {
  const { aws, storage } = config;
  let localAws: LocalAws | undefined;
  let endpoint = aws.endpoint;
  let credentials = aws.credentials;
  let dockKmsKeyArn = storage.dockKmsKeyId;
  let vaultKmsKeyArn = storage.vaultKmsKeyId;
  if (aws.local) {
    // Loaded only here: LFS on AWS never loads the endpoint, its worker threads or their bundle.
    const { createLocalAws } = await import('@lfs/local-aws');
    localAws = createLocalAws({
      dataDir: aws.localDataDir,
      port: aws.localPort,
      host: config.host,
      region: aws.region,
      accountId: aws.accountId,
      // A copy: the settings are frozen, and whoever gets the endpoint's credentials may hand them to the SDK, which writes on them.
      rootCredentials: aws.credentials && { ...aws.credentials },
      minSessionDurationSeconds: aws.localMinSessionSeconds,
      secureTransport: aws.localSecureTransport,
      maxUploadsPerKey: aws.localMaxUploadsPerKey,
      logger: logger.child({ component: 'local-aws' }),
    });
    await localAws.start();
    opened.defer(() => localAws!.stop());
    endpoint = localAws.url;
    credentials = localAws.rootCredentials;
    dockKmsKeyArn = localAws.ensureKey(storage.dockKmsKeyId).arn;
    vaultKmsKeyArn = localAws.ensureKey(storage.vaultKmsKeyId).arn;
    localAws.putRole({
      name: storage.uploadRoleArn.split('/').pop()!,
      policies: [buildUploadRolePolicy(storage.dockBucket, dockKmsKeyArn)],
      maxSessionDurationSeconds: 43_200,
    });
  }
  const clients = createAwsClients({ endpoint, region: aws.region, credentials });
  opened.defer(() => clients.destroy());
  const publicEndpoint = aws.publicEndpoint ?? endpoint;
  let presignClients = clients;
  if (publicEndpoint && publicEndpoint !== endpoint) {
    presignClients = createAwsClients({ endpoint: publicEndpoint, region: aws.region, credentials });
    opened.defer(() => presignClients.destroy());
  }
  const dock = { name: storage.dockBucket, kmsKeyArn: dockKmsKeyArn };
  const vault = { name: storage.vaultBucket, kmsKeyArn: vaultKmsKeyArn };
  const resources = await bootstrapResources({
    s3: clients.s3,
    sqs: clients.sqs,
    region: aws.region,
    dock,
    vault,
    dockEventsQueue: storage.dockEventsQueue,
    fileEventsQueue: storage.fileEventsQueue,
    visibilitySeconds: config.promotion.visibilitySeconds,
    maxReceives: config.promotion.maxReceives,
    dockLifecycleDays: config.cleanup.dockLifecycleDays,
    uploadOrigins: config.uploads.origins,
  });
  return {
    localAws,
    clients,
    presignClients,
    browserEndpoint: { endpoint: publicEndpoint ?? null, region: aws.region },
    dock,
    vault,
    resources,
  };
}
