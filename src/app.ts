import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { httpServerOptions } from './api/http-options.js';
import { createApi } from './api/server.js';
import { createLfsPubSub } from './api/pubsub.js';
import { authenticatorOptions, createAuthenticator, loadOrCreateSecret } from './auth/index.js';
import { createCleanup } from './cleanup/cleanup.js';
import { createReconciler } from './cleanup/reconciler.js';
import { schedule, type Schedule } from './cleanup/schedule.js';
import { bootstrapResources } from './aws/bootstrap.js';
import { createAwsClients, type AwsClients } from './aws/clients.js';
import { createFileEventsQueue } from './aws/file-events-queue.js';
import type { Config } from './config.js';
import { createCredentialIssuer } from './credentials/issuer.js';
import { createRevocations } from './credentials/revocations.js';
import { buildUploadRolePolicy } from './credentials/session-policy.js';
import { createAnnouncer } from './files/announcer.js';
import { createFailpoint } from './failpoints.js';
import { createFileLifecycle } from './files/lifecycle.js';
import { createQuotaGuard } from './files/quotas.js';
import type { FileRepository } from './files/repository.js';
import { createSqliteFileRepository } from './files/sqlite-repository.js';
import { createUploadService } from './files/upload-service.js';
import { createReadinessProbe, type ReadinessProbe } from './health.js';
import { createLocalAws, type LocalAws } from './local-aws/server.js';
import { createLogger, type Logger } from './logger.js';
import { createPromoter } from './promotion/promote.js';
import { createPromotionWorker, type PromotionWorker } from './promotion/worker.js';

export interface App {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Base URL of the GraphQL server, valid after start(). */
  readonly url: string;
  /** The embedded endpoint, when it runs in process. */
  readonly localAws: LocalAws | undefined;
  /** The HS256 secret tokens are checked against, valid after start(). */
  readonly authSecret: string;
  readonly config: Config;
  readonly logger: Logger;
}

export interface AppOptions {
  logger?: Logger;
}

/** Builds the service; nothing listens until start(). */
export function createApp(config: Config, options: AppOptions = {}): App {
  const logger = options.logger ?? createLogger(config.logLevel);
  let localAws: LocalAws | undefined;
  let clients: AwsClients | undefined;
  let presignClients: AwsClients | undefined;
  let repository: FileRepository | undefined;
  let server: Server | undefined;
  let worker: PromotionWorker | undefined;
  let housekeeping: Schedule | undefined;
  let closeWebSocket: (() => Promise<void>) | undefined;
  let url = '';
  let authSecret = '';

  async function start(): Promise<void> {
    await mkdir(config.dataDir, { recursive: true });
    let endpoint = config.aws.endpoint;
    let credentials = config.aws.credentials;
    let dockKmsKeyArn = config.storage.dockKmsKeyId;
    let vaultKmsKeyArn = config.storage.vaultKmsKeyId;
    if (config.aws.local) {
      localAws = createLocalAws({
        dataDir: join(config.dataDir, 'aws'),
        port: config.aws.localPort,
        host: config.host,
        region: config.aws.region,
        accountId: config.aws.accountId,
        rootCredentials: config.aws.credentials,
        minSessionDurationSeconds: config.aws.localMinSessionSeconds,
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
    clients = createAwsClients({ endpoint, region: config.aws.region, credentials });
    const resources = await bootstrapResources({
      s3: clients.s3,
      sqs: clients.sqs,
      dockBucket: config.storage.dockBucket,
      vaultBucket: config.storage.vaultBucket,
      dockKmsKeyArn,
      vaultKmsKeyArn,
      dockEventsQueue: config.storage.dockEventsQueue,
      fileEventsQueue: config.storage.fileEventsQueue,
      visibilitySeconds: config.promotion.visibilitySeconds,
      maxReceives: config.promotion.maxReceives,
      dockLifecycleDays: config.cleanup.dockLifecycleDays,
    });

    repository = createSqliteFileRepository({ path: join(config.dataDir, 'lfs.sqlite') });
    // With a JWKS URL the identity provider signs tokens; no secret exists (authSecret stays empty).
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
    const issuer = createCredentialIssuer({
      sts: clients.sts,
      roleArn: config.storage.uploadRoleArn,
      dockBucket: config.storage.dockBucket,
      dockKmsKeyArn,
      ttlSeconds: config.uploads.credentialsTtlSeconds,
      minTtlSeconds: config.aws.local ? config.aws.localMinSessionSeconds : 900,
    });
    const publicEndpoint = config.aws.publicEndpoint ?? endpoint;
    // Presigned URLs are signed for the host the browser will call.
    presignClients =
      publicEndpoint && publicEndpoint !== endpoint ? createAwsClients({ endpoint: publicEndpoint, region: config.aws.region, credentials }) : clients;
    const uploads = createUploadService({
      repository,
      issuer,
      lifecycle,
      s3: clients.s3,
      presignS3: presignClients.s3,
      vaultBucket: config.storage.vaultBucket,
      logger,
      revocations: createRevocations({
        s3: clients.s3,
        dockBucket: config.storage.dockBucket,
        roleArn: config.storage.uploadRoleArn,
        maxCredentialSeconds: Math.max(config.uploads.credentialsTtlSeconds, config.aws.local ? config.aws.localMinSessionSeconds : 900),
        logger: logger.child({ component: 'revocations' }),
      }),
      deadlineSeconds: config.uploads.deadlineSeconds,
      minPartSize: config.uploads.minPartSize,
      target: {
        endpoint: publicEndpoint ?? null,
        region: config.aws.region,
        bucket: config.storage.dockBucket,
        forcePathStyle: Boolean(publicEndpoint),
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
      queueUrl: resources.dockEventsQueueUrl,
    });
    server = createServer(httpServerOptions(config), (req, res) => route(req, res, api.yoga, readiness));
    const ws = api.attachWebSocket(server);
    closeWebSocket = () => ws.close();
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(config.port, config.host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    url = `http://${formatHost(config.host)}:${address.port}`;

    const promoter = createPromoter({
      s3: clients.s3,
      repository,
      lifecycle,
      dockBucket: config.storage.dockBucket,
      vaultBucket: config.storage.vaultBucket,
      vaultKmsKeyId: vaultKmsKeyArn,
      copy: {
        singleCopyLimit: config.promotion.singleCopyLimit,
        partSize: config.promotion.copyPartSize,
        concurrency: config.promotion.copyConcurrency,
      },
      logger: logger.child({ component: 'promotion' }),
      failpoint,
    });
    worker = createPromotionWorker({
      sqs: clients.sqs,
      queueUrl: resources.dockEventsQueueUrl,
      promoter,
      logger: logger.child({ component: 'promotion' }),
      concurrency: config.promotion.concurrency,
      visibilitySeconds: config.promotion.visibilitySeconds,
      maxReceives: config.promotion.maxReceives,
      retryBaseSeconds: config.promotion.retryBaseSeconds,
      shutdownGraceSeconds: config.shutdownGraceSeconds,
    });
    const cleanup = createCleanup({
      s3: clients.s3,
      repository,
      lifecycle,
      dockBucket: config.storage.dockBucket,
      vaultBucket: config.storage.vaultBucket,
      staleUploadSeconds: config.cleanup.staleUploadSeconds,
      logger: logger.child({ component: 'cleanup' }),
    });
    const reconciler = createReconciler({
      s3: clients.s3,
      repository,
      promoter,
      dockBucket: config.storage.dockBucket,
      graceSeconds: config.cleanup.reconcileGraceSeconds,
      logger: logger.child({ component: 'reconciler' }),
    });
    housekeeping = schedule(
      'housekeeping',
      config.cleanup.intervalSeconds,
      async () => {
        await announcer.flush();
        return { cleanup: await cleanup.run(), reconcile: await reconciler.run() };
      },
      logger.child({ component: 'housekeeping' }),
    );
    if (config.promotion.enabled) {
      worker.start();
      housekeeping.start();
    }
  }

  async function stop(): Promise<void> {
    await Promise.all([worker?.stop(), housekeeping?.stop()]);
    await closeWebSocket?.();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    if (presignClients !== clients) presignClients?.destroy();
    clients?.destroy();
    await repository?.close();
    await localAws?.stop();
  }

  return {
    start,
    stop,
    get url() {
      return url;
    },
    get localAws() {
      return localAws;
    },
    get authSecret() {
      return authSecret;
    },
    config,
    logger,
  };
}

function route(
  req: IncomingMessage,
  res: ServerResponse,
  yoga: (req: IncomingMessage, res: ServerResponse) => unknown,
  readiness: ReadinessProbe,
): void {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  if (path === '/readyz') {
    void readiness.check().then(({ ready, checks }) => {
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ready ? 'ready' : 'not ready', checks }));
    });
    return;
  }
  if (path === '/graphql') {
    void yoga(req, res);
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
}

function formatHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
