import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { subscriptionsOf, type LfsPubSub } from './api/pubsub.js';
import type { GraphqlWs } from './api/websocket.js';
import { createApi } from './api/server.js';
import { authenticatorOptions, createAuthenticator, mintDevelopmentToken } from './auth/index.js';
import { createFileEventsQueue } from './aws/file-events-queue.js';
import { createOutboxRelay, type OutboundEvents, type OutboxRelay } from './aws/outbox-relay.js';
import type { Storage } from './aws/storage.js';
import { createCleanup } from './cleanup/cleanup.js';
import { createReconciler } from './cleanup/reconciler.js';
import { schedule } from './cleanup/schedule.js';
import type { Config } from './config.js';
import { createCredentialIssuer } from './credentials/issuer.js';
import { createRevocations } from './credentials/revocations.js';
import { createWebhooks } from './events/webhooks.js';
import type { Failpoint, StepHook } from './failpoints.js';
import { createFileEvents } from './files/events.js';
import type { Database } from './db/index.js';
import { createStatusChanges, type StatusChanges } from './files/status-changes.js';
import { createFallbackUploadHandler } from './http/fallback-upload.js';
import { createReadinessProbe } from './http/health.js';
import { createRouter } from './http/routes.js';
import { createS3EventIntakeHandler } from './http/s3-event-intake.js';
import type { Logger } from './logger.js';
import { createPromoter } from './promotion/promote.js';
import { createPushIntake, type PushIntake } from './promotion/push-intake.js';
import { createPromotionWorker } from './promotion/worker.js';
import { createFallbackUpload } from './uploads/fallback-upload.js';
import { createUploadService } from './uploads/upload-service.js';
import { createUploadPage } from './web/page.js';

/** What the services are built from: the settings, and what start() opened and connected. */
export interface ServiceInputs {
  config: Config;
  logger: Logger;
  storage: Storage;
  /** The file records and what instances share through the database (leases, locks, rate limits). */
  database: Database;
  /** The HS256 secret; empty with a JWKS URL. */
  authSecret: string;
  pubsub: LfsPubSub;
  failpoint: Failpoint;
  /** Tests only (see `StepHook`). */
  stepHook?: StepHook;
}

export interface Services {
  /** The node:http handler of every route: GraphQL, the fallback upload, health, the upload page. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** graphql-ws on /graphql of `server`. */
  attachWebSocket(server: Server): GraphqlWs;
  /** Shutting down: readiness reports not ready from now on. */
  stopAccepting(): void;
  /** The promotion worker and the housekeeping pass; started only where promotion is enabled. */
  background: { start(): void; stop(): Promise<void>; intake: PushIntake };
}

/**
 * Wires every part of LFS together: construction only (no I/O, nothing
 * listens or runs). It needs what only a start can provide (the resolved
 * endpoint and key ARNs, the open repository), so app.ts calls it then.
 */
export function createServices(inputs: ServiceInputs): Services {
  const { config, logger, storage, database, pubsub, failpoint } = inputs;
  const { repository } = database;
  const { clients, dock, vault } = storage;
  const authenticator = createAuthenticator(authenticatorOptions(config, inputs.authSecret));

  const relay = createOutboxRelay(repository, fileEventsOut(inputs, () => void relay.flush()), logger.child({ component: 'outbox-relay' }));
  // Subscriptions hear of a change first; the relay then sends what the repository put in the outbox. With
  // PostgreSQL the database tells every instance, this one included (the listener app.ts starts feeds pub/sub).
  const events = createFileEvents(database.dialect === 'postgres' ? [relay.onFileEvent] : [subscriptionsOf(pubsub), relay.onFileEvent]);
  const statusChanges = createStatusChanges({ repository, events, failpoint });

  // AWS grants no session shorter than 900 s; the embedded endpoint can be told otherwise for tests.
  const minTtlSeconds = config.aws.local ? config.aws.localMinSessionSeconds : 900;
  const uploads = createUploadService({
    repository,
    statusChanges,
    issuer: createCredentialIssuer({
      sts: clients.sts,
      roleArn: storage.uploadRoleArn,
      dock,
      ttlSeconds: config.uploads.credentialsTtlSeconds,
      minTtlSeconds,
      kmsStatement: config.events.engine !== 'ceph',
    }),
    revocations: createRevocations({
      s3: clients.s3,
      dock,
      roleArn: storage.uploadRoleArn,
      maxCredentialSeconds: Math.max(config.uploads.credentialsTtlSeconds, minTtlSeconds),
      // Two instances cancelling at once must not overwrite each other's Deny.
      exclusive: (work) => database.locks.withLock('dock bucket policy', work),
      logger: logger.child({ component: 'revocations' }),
    }),
    s3: clients.s3,
    presignS3: storage.presignClients.s3,
    dock,
    vault,
    browserEndpoint: storage.browserEndpoint,
    deadlineSeconds: config.uploads.deadlineSeconds,
    minPartSize: config.uploads.minPartSize,
    fallbackMaxBytes: config.uploads.fallbackMaxBytes,
    quotas: config.api.quotas,
    logger,
  });
  // With SQLite one instance counts alone; with PostgreSQL the buckets are shared.
  const rateBuckets = database.dialect === 'postgres' ? database.rateBuckets : undefined;
  const developmentToken = config.development ? () => mintDevelopmentToken(inputs.authSecret, config.auth) : undefined;
  const api = createApi({ config, uploads, files: repository, pubsub, authenticator, logger, rateBuckets, developmentToken });

  const readiness = createReadinessProbe({ repository, s3: clients.s3, sqs: clients.sqs, dock, queueUrl: storage.resources.dockEventsQueueUrl });
  const background = createBackground(inputs, statusChanges, relay);
  const handle = createRouter({
    graphql: api.yoga,
    readiness,
    fallbackUpload: createFallbackUploadHandler({
      authenticator,
      upload: createFallbackUpload({ uploads, s3: clients.s3, dock, maxBytes: config.uploads.fallbackMaxBytes }),
      logger: logger.child({ component: 'fallback-upload' }),
      origins: config.uploads.origins,
    }),
    uploadPage: createUploadPage(logger),
    s3EventIntake: createS3EventIntakeHandler({
      secret: config.events.intakeSecret,
      intake: config.promotion.enabled ? background.intake : undefined,
      logger: logger.child({ component: 'event-intake' }),
    }),
  });

  return {
    handle,
    attachWebSocket: api.attachWebSocket,
    stopAccepting: () => readiness.stopping(),
    background,
  };
}

/**
 * Where FileAvailable / FileFailed go: the SQS file-events queue where there
 * is SQS (not on Ceph), and signed webhooks when URLs are configured.
 */
function fileEventsOut(inputs: ServiceInputs, flush: () => void): OutboundEvents {
  const { config, storage, logger } = inputs;
  const transports: OutboundEvents[] = [];
  if (config.events.engine !== 'ceph') transports.push(createFileEventsQueue(storage.clients.sqs, config.storage.fileEventsQueue, storage.vault.name));
  if (config.events.webhooks) {
    const { urls, secret } = config.events.webhooks;
    transports.push(createWebhooks({ urls, secret, vaultBucket: storage.vault.name, logger: logger.child({ component: 'webhooks' }), onRetryDue: flush }));
  }
  if (transports.length === 0) logger.warn('no SQS and no LFS_WEBHOOK_URLS: file events reach GraphQL subscribers only');
  return {
    // Every transport, or the announcement stays in the outbox and is sent again (at least once).
    async announce(file) {
      const results = await Promise.allSettled(transports.map((transport) => transport.announce(file)));
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}

/**
 * The background side of LFS: the promotion worker on the dock-events queue,
 * and the housekeeping pass (outbox relay, cleanup job, reconciler) at start
 * and every interval.
 */
function createBackground(inputs: ServiceInputs, statusChanges: StatusChanges, relay: OutboxRelay): Services['background'] {
  const { config, logger, storage, database } = inputs;
  const { repository, leases } = database;
  const { promotion, cleanup: cleanupConfig } = config;
  const { clients, dock, vault } = storage;
  const promoter = createPromoter({
    s3: clients.s3,
    repository,
    statusChanges,
    dock,
    vault,
    copy: {
      singleCopyLimit: promotion.singleCopyLimit,
      partSize: promotion.copyPartSize,
      concurrency: promotion.copyConcurrency,
      method: promotion.vaultCopy,
    },
    logger: logger.child({ component: 'promotion' }),
    failpoint: inputs.failpoint,
    stepHook: inputs.stepHook,
  });
  // Where dock events are pushed (Ceph), there is no dock-events queue to poll.
  const polls = storage.resources.dockEventsQueueUrl !== '';
  const worker = createPromotionWorker({
    sqs: clients.sqs,
    queueUrl: storage.resources.dockEventsQueueUrl,
    promoter,
    logger: logger.child({ component: 'promotion' }),
    concurrency: promotion.concurrency,
    visibilitySeconds: promotion.visibilitySeconds,
    maxReceives: promotion.maxReceives,
    retryBaseSeconds: promotion.retryBaseSeconds,
    shutdownGraceSeconds: config.shutdownGraceSeconds,
    databaseAnswers: () => repository.ping(),
  });
  const cleanup = createCleanup({
    s3: clients.s3,
    repository,
    statusChanges,
    dock,
    vault,
    staleUploadSeconds: cleanupConfig.staleUploadSeconds,
    maxUploadsPerFile: cleanupConfig.maxUploadsPerFile,
    logger: logger.child({ component: 'cleanup' }),
  });
  const reconciler = createReconciler({
    s3: clients.s3,
    repository,
    promoter,
    dock,
    graceSeconds: cleanupConfig.reconcileGraceSeconds,
    logger: logger.child({ component: 'reconciler' }),
  });
  // With PostgreSQL the cleanup job and the reconciler run on one instance at a time: the holder of this lease, which
  // renews it at every pass. When the holder dies, the lease runs out (two intervals) and the next instance to try
  // takes over. SQLite serves one instance, which needs no lease (nor to wait for a crashed self's to run out).
  const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = Math.max(2 * cleanupConfig.intervalSeconds * 1000, 2000);
  const shared = database.dialect === 'postgres';
  const takeLease = async () => !shared || (await leases.acquire('housekeeping', holder, leaseMs));
  const housekeeping = schedule(
    'housekeeping',
    cleanupConfig.intervalSeconds,
    async () => {
      // Every instance relays what its own crashes may have left in the outbox; claims keep the relays apart.
      await relay.flush();
      if (!(await takeLease())) return { skipped: 'another instance holds the housekeeping lease' };
      const renew = setInterval(() => void takeLease().catch((error) => logger.warn({ err: error }, 'could not renew the housekeeping lease')), leaseMs / 3);
      try {
        return { cleanup: await cleanup.run(), reconcile: await reconciler.run() };
      } finally {
        clearInterval(renew);
      }
    },
    logger.child({ component: 'housekeeping' }),
  );
  return {
    intake: createPushIntake({ promoter, logger: logger.child({ component: 'promotion' }), maxAttempts: promotion.maxReceives }),
    start() {
      if (polls) worker.start();
      housekeeping.start();
    },
    async stop() {
      await Promise.all([worker.stop(), housekeeping.stop()]);
      // Handed over at once rather than when it runs out.
      if (shared) await leases.release('housekeeping', holder).catch((error) => logger.warn({ err: error }, 'could not release the housekeeping lease'));
    },
  };
}
