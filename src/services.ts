import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createCleanup } from './cleanup/cleanup.js';
import { createReconciler } from './cleanup/reconciler.js';
import { schedule } from './cleanup/schedule.js';
import type { Config } from './config.js';
import type { Failpoint, StepHook } from './failpoints.js';
import type { Announcer } from './aws/outbox-relay.js';
import type { FileLifecycle } from './files/status-changes.js';
import type { FileRepository } from './files/repository.js';
import type { Logger } from './logger.js';
import { createPromoter } from './promotion/promote.js';
import { createPromotionWorker } from './promotion/worker.js';

export interface WorkerDeps {
  config: Config;
  s3: S3Client;
  sqs: SQSClient;
  dockEventsQueueUrl: string;
  vaultKmsKeyArn: string;
  repository: FileRepository;
  lifecycle: FileLifecycle;
  announcer: Announcer;
  failpoint: Failpoint;
  /** Tests only (see `StepHook`). */
  stepHook?: StepHook;
  logger: Logger;
}

/**
 * The background side of LFS: the promotion worker on the dock-events queue,
 * and the housekeeping pass (outbox relay, cleanup job, reconciler) at start
 * and every interval.
 */
export function createWorkers(deps: WorkerDeps) {
  const { config, s3, repository, lifecycle, logger } = deps;
  const { storage, promotion, cleanup: cleanupConfig } = config;
  const promoter = createPromoter({
    s3,
    repository,
    lifecycle,
    dockBucket: storage.dockBucket,
    vaultBucket: storage.vaultBucket,
    vaultKmsKeyId: deps.vaultKmsKeyArn,
    copy: { singleCopyLimit: promotion.singleCopyLimit, partSize: promotion.copyPartSize, concurrency: promotion.copyConcurrency },
    logger: logger.child({ component: 'promotion' }),
    failpoint: deps.failpoint,
    stepHook: deps.stepHook,
  });
  const worker = createPromotionWorker({
    sqs: deps.sqs,
    queueUrl: deps.dockEventsQueueUrl,
    promoter,
    logger: logger.child({ component: 'promotion' }),
    concurrency: promotion.concurrency,
    visibilitySeconds: promotion.visibilitySeconds,
    maxReceives: promotion.maxReceives,
    retryBaseSeconds: promotion.retryBaseSeconds,
    shutdownGraceSeconds: config.shutdownGraceSeconds,
  });
  const cleanup = createCleanup({
    s3,
    repository,
    lifecycle,
    dockBucket: storage.dockBucket,
    vaultBucket: storage.vaultBucket,
    staleUploadSeconds: cleanupConfig.staleUploadSeconds,
    maxUploadsPerFile: cleanupConfig.maxUploadsPerFile,
    logger: logger.child({ component: 'cleanup' }),
  });
  const reconciler = createReconciler({
    s3,
    repository,
    promoter,
    dockBucket: storage.dockBucket,
    graceSeconds: cleanupConfig.reconcileGraceSeconds,
    logger: logger.child({ component: 'reconciler' }),
  });
  const housekeeping = schedule(
    'housekeeping',
    cleanupConfig.intervalSeconds,
    async () => {
      await deps.announcer.flush();
      return { cleanup: await cleanup.run(), reconcile: await reconciler.run() };
    },
    logger.child({ component: 'housekeeping' }),
  );
  return {
    start() {
      worker.start();
      housekeeping.start();
    },
    async stop() {
      await Promise.all([worker.stop(), housekeeping.stop()]);
    },
  };
}
