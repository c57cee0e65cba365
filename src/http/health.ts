import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { EncryptedBucket } from '../files/model.js';
import type { FileRepository } from '../files/repository.js';

export interface ReadinessProbe {
  /** Each dependency with whether it answered within the timeout; never ready once stopping. */
  check(): Promise<{ ready: boolean; checks: Record<string, boolean> }>;
  /** The instance is shutting down: report not ready, so a load balancer sends nothing new. */
  stopping(): void;
}

export interface ReadinessOptions {
  repository: FileRepository;
  s3: S3Client;
  sqs: SQSClient;
  dock: EncryptedBucket;
  /** The dock-events queue; empty where dock events are pushed (no SQS), and then not probed. */
  queueUrl: string;
}

/** A dependency that takes longer to answer counts as down. */
const TIMEOUT_MS = 2000;

/** `/readyz`: the database, the storage and the queue all answer. */
export function createReadinessProbe(options: ReadinessOptions): ReadinessProbe {
  let stopping = false;
  const probe = async (work: (signal: AbortSignal) => Promise<unknown>): Promise<boolean> => {
    const signal = AbortSignal.timeout(TIMEOUT_MS);
    // A dependency that ignores the signal (a database connection attempt) still counts as down in time.
    const timedOut = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    try {
      await Promise.race([work(signal), timedOut]);
      return true;
    } catch {
      return false;
    }
  };
  return {
    stopping() {
      stopping = true;
    },
    async check() {
      const [database, storage, queue] = await Promise.all([
        probe(async () => {
          if (!(await options.repository.ping())) throw new Error('database did not answer');
        }),
        probe((abortSignal) => options.s3.send(new HeadBucketCommand({ Bucket: options.dock.name }), { abortSignal })),
        options.queueUrl
          ? probe((abortSignal) =>
              options.sqs.send(new GetQueueAttributesCommand({ QueueUrl: options.queueUrl, AttributeNames: ['QueueArn'] }), { abortSignal }),
            )
          : true,
      ]);
      const checks = { database, storage, queue };
      return { ready: !stopping && database && storage && queue, checks: stopping ? { ...checks, stopping } : checks };
    },
  };
}
