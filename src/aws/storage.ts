import type { LocalAws } from '@lfs/local-aws';
import type { Config } from '../config.js';
import type { DisposalStack } from '../disposal.js';
import type { EncryptedBucket } from '../files/model.js';
import type { Logger } from '../logger.js';
import { createAwsClients, type AwsClients } from './clients.js';

/** The endpoint LFS talks to, connected: nothing is known yet about what is in the account. */
export interface Connection {
  /** The embedded endpoint, when it runs in process. */
  localAws: LocalAws | undefined;
  clients: AwsClients;
  /** Clients for the endpoint browsers reach: presigned URLs are signed for that host. */
  presignClients: AwsClients;
  /** What browsers are told to use: the S3 endpoint (null on AWS) and the region. */
  browserEndpoint: { endpoint: string | null; region: string };
}

/** The queues LFS works with, by URL. */
export interface QueueUrls {
  dockEventsQueueUrl: string;
  deadLetterQueueUrl: string;
  fileEventsQueueUrl: string;
}

/** Everything LFS reaches in AWS (or the embedded endpoint), checked and ready. */
export interface Storage extends Connection {
  accountId: string;
  /** The write-only role upload sessions are cut from. */
  uploadRoleArn: string;
  /** The loading dock and the vault, with their keys resolved to ARNs. */
  dock: EncryptedBucket;
  vault: EncryptedBucket;
  resources: QueueUrls;
}

/**
 * Starts the embedded endpoint when configured and connects the SDK
 * clients. Whatever it opens is deferred on `opened` as it goes, so a
 * failure half-way leaves nothing running.
 */
export async function connectStorage(config: Config, logger: Logger, opened: DisposalStack): Promise<Connection> {
  const { aws } = config;
  let localAws: LocalAws | undefined;
  let endpoint = aws.endpoint;
  let credentials = aws.credentials;
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
      rootCredentials: aws.credentials && { accessKeyId: aws.credentials.accessKeyId, secretAccessKey: aws.credentials.secretAccessKey },
      minSessionDurationSeconds: aws.localMinSessionSeconds,
      secureTransport: aws.localSecureTransport,
      maxUploadsPerKey: aws.localMaxUploadsPerKey,
      logger: logger.child({ component: 'local-aws' }),
    });
    await localAws.start();
    opened.defer(() => localAws!.stop());
    endpoint = localAws.url;
    credentials = localAws.rootCredentials;
  }
  const clients = createAwsClients({ endpoint, region: aws.region, credentials });
  opened.defer(() => clients.destroy());
  const publicEndpoint = aws.publicEndpoint ?? endpoint;
  let presignClients = clients;
  if (publicEndpoint && publicEndpoint !== endpoint) {
    presignClients = createAwsClients({ endpoint: publicEndpoint, region: aws.region, credentials });
    opened.defer(() => presignClients.destroy());
  }
  return { localAws, clients, presignClients, browserEndpoint: { endpoint: publicEndpoint ?? null, region: aws.region } };
}
