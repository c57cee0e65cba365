import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import { DatabaseUnavailableError } from '../files/repository.js';
import type { Promoter } from './promote.js';
import { RecentSet, retryDelaySeconds } from './retry.js';
import { parseS3Message, type DockObjectEvent } from './s3-event.js';

export interface PromotionWorkerOptions {
  sqs: SQSClient;
  queueUrl: string;
  promoter: Promoter;
  logger: Logger;
  /** Messages handled at once. */
  concurrency: number;
  /** Visibility timeout of received messages; extended while a promotion runs. */
  visibilitySeconds: number;
  /** At this receive a failing promotion gives up: its file is FAILED and SQS moves the message to the dead-letter queue. */
  maxReceives: number;
  /** First retry delay, doubled per receive. */
  retryBaseSeconds: number;
  /** How long stop() waits for in-flight promotions before handing their messages back. @default 20 */
  shutdownGraceSeconds?: number;
  /** Whether the database answers; receiving pauses while it does not. @default always */
  databaseAnswers?: () => Promise<boolean>;
}

export interface PromotionWorker {
  start(): void;
  /**
   * Stops polling and gives in-flight promotions the grace period to finish;
   * messages still in flight then are handed back (visible at once) for
   * another worker, which resumes the idempotent promotion.
   */
  stop(): Promise<void>;
}

/** How long the server gets to see an aborted long poll go before messages are handed back at shutdown. */
const POLL_SETTLE_MS = 200;
/** SQS's longest long poll: fewest empty receives while the queue is idle. */
const LONG_POLL_SECONDS = 20;
/** A message whose promotion met an unreachable database comes back after this long. */
const DATABASE_RETRY_SECONDS = 5;

/**
 * Long-polls the dock-events queue and promotes what it announces. A message
 * is deleted only after every record in it was handled. On error it becomes
 * visible again after a growing delay; at the last allowed receive the file is
 * marked FAILED and the message is left for SQS to move to the dead-letter
 * queue. (Within one attempt the SDK already retries transient AWS errors.)
 */
export function createPromotionWorker(options: PromotionWorkerOptions): PromotionWorker {
  const { sqs, queueUrl, promoter, logger } = options;
  const inFlight = new Set<Promise<void>>();
  const receipts = new Map<Promise<void>, string>();
  // Messages given back at shutdown: what their interrupted handlers do next must not hide them again.
  const handedBack = new Set<string>();
  // Records already promoted by this process: a redelivered duplicate is acknowledged without work.
  const done = new RecentSet(10_000);
  const recordId = (record: DockObjectEvent) => `${record.bucket}/${record.key}@${record.sequencer ?? record.eTag ?? ''}`;
  let running = false;
  // Set when the database could not be reached: receiving waits until it answers again.
  let databaseDown = false;
  let poll: AbortController | undefined;
  let loop: Promise<void> | undefined;

  async function handle(message: Message): Promise<void> {
    const heartbeat = setInterval(
      () => {
        if (handedBack.has(message.ReceiptHandle!)) return;
        sqs
          .send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: options.visibilitySeconds }))
          .catch((error) => logger.warn({ err: error }, 'could not extend message visibility'));
      },
      Math.max(1000, (options.visibilitySeconds * 1000) / 2),
    );
    heartbeat.unref();
    const parsed = parseS3Message(message.Body ?? '');
    try {
      switch (parsed.kind) {
        case 'test':
          break;
        case 'invalid':
          logger.warn({ messageId: message.MessageId, reason: parsed.reason }, 'dropping unreadable dock event');
          break;
        case 'records':
          for (const record of parsed.records) {
            if (done.has(recordId(record))) continue;
            const outcome = await promoter.promote(record);
            done.add(recordId(record));
            logger.info({ key: record.key, outcome }, 'dock object handled');
          }
          break;
      }
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    } catch (error) {
      // Stopped under it (the endpoint going away fails it): the next start receives it at once, without a retry delay.
      if (handedBack.has(message.ReceiptHandle!)) return;
      if (error instanceof DatabaseUnavailableError) {
        // Not the promotion's fault, and never a reason to give up on the file: it comes back shortly, and no more
        // messages are received (each receive counts towards the dead-letter queue) until the database answers.
        databaseDown = true;
        logger.warn({ err: error, messageId: message.MessageId }, 'the database is unavailable; the promotion will resume when it answers');
        await sqs
          .send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: DATABASE_RETRY_SECONDS }))
          .catch((failure) => logger.warn({ err: failure }, 'could not change message visibility'));
        return;
      }
      const receives = Number(message.Attributes?.ApproximateReceiveCount ?? 1);
      if (receives >= options.maxReceives && parsed.kind === 'records') {
        logger.error({ err: error, messageId: message.MessageId, receives }, 'promotion failed for the last time; giving up');
        const reason = `promotion failed after ${receives} attempts: ${error instanceof Error ? error.message : String(error)}`;
        await Promise.all(parsed.records.map((record) => promoter.giveUp(record, reason))).catch((failure) =>
          logger.error({ err: failure }, 'could not mark the file FAILED; the reconciler will see it'),
        );
        // Visible again at once, so the next receive moves it to the dead-letter queue.
        await sqs
          .send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }))
          .catch((error) => logger.warn({ err: error }, 'could not change message visibility'));
      } else {
        const delay = retryDelaySeconds(receives, options.retryBaseSeconds);
        logger.warn({ err: error, messageId: message.MessageId, receives, retryInSeconds: delay }, 'promotion attempt failed; will retry');
        await sqs
          .send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: delay }))
          .catch((error) => logger.warn({ err: error }, 'could not change message visibility'));
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function waitForDatabase(): Promise<void> {
    while (running && !(await options.databaseAnswers!().catch(() => false))) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    if (running) logger.info('the database answers again; receiving dock events');
    databaseDown = false;
  }

  async function run(): Promise<void> {
    while (running) {
      if (databaseDown && options.databaseAnswers) {
        await waitForDatabase();
        continue;
      }
      if (inFlight.size >= options.concurrency) {
        await Promise.race(inFlight);
        continue;
      }
      poll = new AbortController();
      let messages: Message[];
      try {
        const result = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(10, options.concurrency - inFlight.size),
            WaitTimeSeconds: LONG_POLL_SECONDS,
            VisibilityTimeout: options.visibilitySeconds,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
          { abortSignal: poll.signal },
        );
        messages = result.Messages ?? [];
        logger.debug({ received: messages.length, inFlight: inFlight.size }, 'dock events received');
      } catch (error) {
        if (!running) break;
        logger.error({ err: error }, 'receiving dock events failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      for (const message of messages) {
        const task: Promise<void> = handle(message).finally(() => {
          inFlight.delete(task);
          receipts.delete(task);
        });
        inFlight.add(task);
        receipts.set(task, message.ReceiptHandle!);
      }
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      poll?.abort();
      await loop;
      const graceMs = (options.shutdownGraceSeconds ?? 20) * 1000;
      let timer: NodeJS.Timeout | undefined;
      const finished = Promise.allSettled([...inFlight]).then(() => true);
      const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
      const allDone = await Promise.race([finished, timedOut]);
      clearTimeout(timer);
      if (allDone) return;
      // The aborted long poll may still be open on the server for a moment; a message handed back while it is
      // would be taken by it and hidden for a whole visibility timeout, its response going nowhere. Give the
      // server time to see the hang-up first.
      await new Promise((resolve) => setTimeout(resolve, POLL_SETTLE_MS));
      const handles = [...receipts.values()];
      for (const handle of handles) handedBack.add(handle);
      logger.warn({ count: handles.length }, 'handing in-flight promotions back to the queue at shutdown');
      const results = await Promise.allSettled(
        handles.map((ReceiptHandle) =>
          sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle, VisibilityTimeout: 0 })),
        ),
      );
      for (const result of results) {
        // The message then reappears only after its visibility timeout: late, never lost.
        if (result.status === 'rejected') logger.warn({ err: result.reason }, 'could not hand a message back');
      }
    },
  };
}
