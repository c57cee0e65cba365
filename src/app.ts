import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { httpServerOptions } from './api/http-options.js';
import { createApi } from './api/server.js';
import { createLfsPubSub } from './api/pubsub.js';
import { authenticatorOptions, createAuthenticator, loadOrCreateSecret } from './auth/index.js';
import { createFileEventsQueue } from './aws/file-events-queue.js';
import { connectStorage, localAwsDataDir, type Storage } from './aws/storage.js';
import type { Config } from './config.js';
import { createCredentialIssuer } from './credentials/issuer.js';
import { createRevocations } from './credentials/revocations.js';
import { createFailpoint, type StepHook } from './failpoints.js';
import { createAnnouncer } from './files/announcer.js';
import { createFallbackUpload } from './files/fallback-upload.js';
import { createFileLifecycle } from './files/lifecycle.js';
import { createQuotaGuard } from './files/quotas.js';
import type { FileRepository } from './files/repository.js';
import { createSqliteFileRepository } from './files/sqlite-repository.js';
import { createUploadService } from './files/upload-service.js';
import { createReadinessProbe } from './health.js';
import type { LocalAws } from '@lfs/local-aws';
import { createLogger, type Logger } from './logger.js';
import { makePrivateDir, tightenTree } from '@lfs/private-files';
import { createRouter, urlHost } from './routes.js';
import { createUploadPage } from './web/page.js';
import { createWorkers } from './workers.js';

export interface App {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Base URL of the GraphQL server, valid after start(). */
  readonly url: string;
  /** The embedded endpoint, when it runs in process. */
  readonly localAws: LocalAws | undefined;
  /** The HS256 secret tokens are checked against, valid after start(); empty with a JWKS URL. */
  readonly authSecret: string;
  readonly config: Config;
  readonly logger: Logger;
}

export interface AppOptions {
  logger?: Logger;
  /** Tests only: awaited at each named step of a promotion, to act there (see `StepHook`). */
  stepHook?: StepHook;
}

/** Builds the service; nothing listens until start(). */
export function createApp(config: Config, options: AppOptions = {}): App {
  const logger = options.logger ?? createLogger(config.logLevel);
  let storage: Storage | undefined;
  let repository: FileRepository | undefined;
  let server: Server | undefined;
  let workers: ReturnType<typeof createWorkers> | undefined;
  let closeWebSocket: (() => Promise<void>) | undefined;
  let url = '';
  let authSecret = '';

  async function start(): Promise<void> {
    makePrivateDir(config.dataDir);
    await tightenTree(config.dataDir, {
      warn: (path, mode, error) => logger.warn({ path, mode: mode.toString(8), err: error }, 'left open to other users: cannot tighten'),
      // The embedded endpoint tightens its own folder when it starts.
      skip: config.aws.local ? localAwsDataDir(config.dataDir) : undefined,
    });
    storage = await connectStorage(config, logger);
    const { clients, dockKmsKeyArn } = storage;
    repository = createSqliteFileRepository({ path: join(config.dataDir, 'lfs.sqlite') });
    // With a JWKS URL the identity provider signs tokens; no secret exists.
    if (!config.auth.jwksUrl) authSecret = config.auth.secret ?? (await loadOrCreateSecret(config.dataDir));
    const authenticator = createAuthenticator(authenticatorOptions(config, authSecret));

    const pubsub = createLfsPubSub();
    const announcer = createAnnouncer(
      repository,
      createFileEventsQueue(clients.sqs, config.storage.fileEventsQueue, config.storage.vaultBucket),
      logger.child({ component: 'announcer' }),
    );
    const failpoint = createFailpoint(config.failpoint);
    const lifecycle = createFileLifecycle({ repository, pubsub, announcer, failpoint });
    // AWS grants no session shorter than 900 s; the embedded endpoint can be told otherwise for tests.
    const minTtlSeconds = config.aws.local ? config.aws.localMinSessionSeconds : 900;
    const uploads = createUploadService({
      repository,
      lifecycle,
      issuer: createCredentialIssuer({
        sts: clients.sts,
        roleArn: config.storage.uploadRoleArn,
        dockBucket: config.storage.dockBucket,
        dockKmsKeyArn,
        ttlSeconds: config.uploads.credentialsTtlSeconds,
        minTtlSeconds,
      }),
      s3: clients.s3,
      presignS3: storage.presignClients.s3,
      vaultBucket: config.storage.vaultBucket,
      logger,
      revocations: createRevocations({
        s3: clients.s3,
        dockBucket: config.storage.dockBucket,
        roleArn: config.storage.uploadRoleArn,
        maxCredentialSeconds: Math.max(config.uploads.credentialsTtlSeconds, minTtlSeconds),
        logger: logger.child({ component: 'revocations' }),
      }),
      deadlineSeconds: config.uploads.deadlineSeconds,
      minPartSize: config.uploads.minPartSize,
      target: {
        endpoint: storage.publicEndpoint ?? null,
        region: config.aws.region,
        bucket: config.storage.dockBucket,
        forcePathStyle: Boolean(storage.publicEndpoint),
        kmsKeyId: dockKmsKeyArn,
      },
    });
    const quotas = createQuotaGuard({ repository, limits: config.api.quotas });
    const api = createApi({ config, uploads, files: repository, pubsub, authenticator, logger, quotas });
    const readiness = createReadinessProbe({
      repository,
      s3: clients.s3,
      sqs: clients.sqs,
      bucket: config.storage.dockBucket,
      queueUrl: storage.resources.dockEventsQueueUrl,
    });

    const fallbackUpload = createFallbackUpload({
      authenticator,
      uploads,
      s3: clients.s3,
      dockBucket: config.storage.dockBucket,
      dockKmsKeyArn,
      maxBytes: config.uploads.fallbackMaxBytes,
      logger: logger.child({ component: 'fallback-upload' }),
    });
    server = createServer(httpServerOptions(config), createRouter(api.yoga, readiness, fallbackUpload, createUploadPage(logger)));
    const ws = api.attachWebSocket(server);
    closeWebSocket = () => ws.close();
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(config.port, config.host, () => resolve());
    });
    url = `http://${urlHost(config.host)}:${(server.address() as AddressInfo).port}`;

    workers = createWorkers({
      config,
      s3: clients.s3,
      sqs: clients.sqs,
      dockEventsQueueUrl: storage.resources.dockEventsQueueUrl,
      vaultKmsKeyArn: storage.vaultKmsKeyArn,
      repository,
      lifecycle,
      announcer,
      failpoint,
      stepHook: options.stepHook,
      logger,
    });
    if (config.promotion.enabled) workers.start();
  }

  async function stop(): Promise<void> {
    await workers?.stop();
    await closeWebSocket?.();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    await repository?.close();
    await storage?.close();
  }

  return {
    start,
    stop,
    get url() {
      return url;
    },
    get localAws() {
      return storage?.localAws;
    },
    get authSecret() {
      return authSecret;
    },
    config,
    logger,
  };
}
