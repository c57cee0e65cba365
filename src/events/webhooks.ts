import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import { fileEventMessage } from '../aws/file-events-queue.js';
import type { OutboundEvents } from '../aws/outbox-relay.js';

export interface WebhookOptions {
  /** Where each FileAvailable / FileFailed is POSTed. */
  urls: readonly string[];
  /** The HMAC-SHA256 key of the `X-LFS-Signature` header. */
  secret: string;
  vaultBucket: string;
  logger: Logger;
  /** Called when a URL that failed may be tried again: the relay flushes the outbox then. */
  onRetryDue: () => void;
  /** A delivery that takes longer counts as failed. @default 10 s */
  timeoutMs?: number;
  /** First delay after a failure, doubled per failure in a row (with jitter), up to `maxDelayMs`. @default 1 s / 5 min */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** The signature header's value: `sha256=<hex HMAC-SHA256 of the raw body>`, as receivers recompute it. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

class BackingOff extends Error {
  constructor(url: string, retryAt: number) {
    super(`webhook ${url} failed recently; next attempt at ${new Date(retryAt).toISOString()}`);
  }
}

/**
 * File events out where there is no SQS: one signed POST per event and URL.
 * The outbox relay calls `announce` until it resolves, so delivery is at
 * least once; each URL that answered 2xx is not sent the same event again
 * by this process, and receivers dedupe on `X-LFS-Event-Id` (one id per
 * file and final status). A failing URL is left alone for a growing delay
 * (the announcement stays in the outbox meanwhile), then tried again.
 */
export function createWebhooks(options: WebhookOptions): OutboundEvents {
  const { logger } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const baseDelayMs = options.baseDelayMs ?? 1_000;
  const maxDelayMs = options.maxDelayMs ?? 300_000;
  const backoff = new Map<string, { failures: number; retryAt: number; timer?: NodeJS.Timeout }>();
  // Events each URL already took, so a retry for another URL does not repeat them (bounded).
  const delivered = new Map<string, Set<string>>();

  async function deliver(url: string, eventId: string, type: string, body: string): Promise<void> {
    const state = backoff.get(url);
    if (state && Date.now() < state.retryAt) throw new BackingOff(url, state.retryAt);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'lfs-webhooks',
          'x-lfs-event-id': eventId,
          'x-lfs-event-type': type,
          'x-lfs-signature': webhookSignature(options.secret, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      // The answer's body is not read: drop it so the connection is freed.
      await response.body?.cancel();
      if (response.status < 200 || response.status > 299) throw new Error(`webhook ${url} answered ${response.status}`);
    } catch (error) {
      const failures = (state?.failures ?? 0) + 1;
      const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (failures - 1));
      const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
      clearTimeout(state?.timer);
      const timer = setTimeout(options.onRetryDue, delay);
      timer.unref();
      backoff.set(url, { failures, retryAt: Date.now() + delay, timer });
      logger.warn({ url, eventId, failures, retryInMs: delay, err: error }, 'webhook delivery failed; the event stays in the outbox');
      throw error;
    }
    if (state) clearTimeout(state.timer);
    backoff.delete(url);
  }

  return {
    async announce(file) {
      const message = fileEventMessage(file, options.vaultBucket);
      const eventId = `${file.id}:${file.status}`;
      const body = JSON.stringify(message);
      const done = delivered.get(eventId) ?? new Set<string>();
      const results = await Promise.allSettled(
        options.urls.filter((url) => !done.has(url)).map(async (url) => {
          await deliver(url, eventId, message.type, body);
          done.add(url);
        }),
      );
      const failed = results.find((result) => result.status === 'rejected');
      if (!failed) {
        delivered.delete(eventId);
        return;
      }
      delivered.set(eventId, done);
      if (delivered.size > 10_000) delivered.delete(delivered.keys().next().value!);
      throw failed.reason;
    },
  };
}
