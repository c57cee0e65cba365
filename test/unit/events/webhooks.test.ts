import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createOutboxRelay } from '../../../src/aws/outbox-relay.js';
import { createWebhooks, webhookSignature } from '../../../src/events/webhooks.js';
import type { FileRecord } from '../../../src/files/model.js';
import type { FileRepository } from '../../../src/files/repository.js';
import { until } from '../../helpers/process.js';

const logger = pino({ level: 'silent' });
const SECRET = 'w'.repeat(40);

const file = (id: string, status: 'AVAILABLE' | 'FAILED' = 'AVAILABLE'): FileRecord => ({
  id,
  owner: 'alice',
  tenant: '',
  name: `${id}.bin`,
  size: 3,
  contentType: 'application/octet-stream',
  metadata: {},
  status,
  checksum: null,
  failureReason: status === 'FAILED' ? 'size mismatch' : null,
  createdAt: new Date(0),
  uploadedAt: new Date(0),
  availableAt: status === 'AVAILABLE' ? new Date(0) : null,
  uploadDeadline: new Date(0),
  updatedAt: new Date(0),
  promotedBytes: 0,
});

/** The outbox part of a repository, in memory: what the relay reads and marks. */
function outbox(files: FileRecord[]) {
  const pending = files.map((f, index) => ({ id: index + 1, fileId: f.id, status: f.status, createdAt: new Date(0) }));
  const repository = {
    claimAnnouncements: async (limit: number) => pending.slice(0, limit),
    markAnnounced: async (id: number) => void pending.splice(pending.findIndex((a) => a.id === id), 1),
    get: async (id: string) => files.find((f) => f.id === id),
  } as unknown as FileRepository;
  return { repository, pending };
}

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A receiver on port 0 answering each POST with the next status of `statuses` (then 204). */
async function receiver(statuses: number[] = []) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(statuses.shift() ?? 204).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

describe('webhooks, sent from the outbox', () => {
  it('POSTs each event signed with HMAC-SHA256 over the body, with its id and type, to every URL', async () => {
    const [a, b] = [await receiver(), await receiver()];
    const { repository, pending } = outbox([file('f1'), file('f2', 'FAILED')]);
    const relay = createOutboxRelay(repository, createWebhooks({ urls: [a.url, b.url], secret: SECRET, vaultBucket: 'vault', logger, onRetryDue: () => {} }), logger);
    await relay.flush();
    expect(pending).toEqual([]);
    for (const { received } of [a, b]) {
      expect(received.map((r) => [r.headers['x-lfs-event-id'], r.headers['x-lfs-event-type']])).toEqual([
        ['f1:AVAILABLE', 'FileAvailable'],
        ['f2:FAILED', 'FileFailed'],
      ]);
      for (const { headers, body } of received) {
        // What a receiver does: recompute the HMAC over the raw body with the shared secret.
        expect(headers['x-lfs-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
        expect(headers['content-type']).toBe('application/json');
      }
      expect(JSON.parse(received[0].body)).toMatchObject({ type: 'FileAvailable', fileId: 'f1', bucket: 'vault', key: 'files/f1' });
    }
    expect(webhookSignature(SECRET, 'x')).not.toBe(webhookSignature('v'.repeat(40), 'x'));
  });

  it('keeps an event in the outbox while a URL fails, retries it after a backoff, and does not resend it to a URL that took it', async () => {
    const healthy = await receiver();
    const flaky = await receiver([500, 503]);
    const { repository, pending } = outbox([file('f1')]);
    const flushes: Array<() => void> = [];
    const webhooks = createWebhooks({
      urls: [healthy.url, flaky.url],
      secret: SECRET,
      vaultBucket: 'vault',
      logger,
      baseDelayMs: 20,
      onRetryDue: () => flushes.forEach((flush) => flush()),
    });
    const relay = createOutboxRelay(repository, webhooks, logger);
    flushes.push(() => void relay.flush());
    await relay.flush();
    expect(pending).toHaveLength(1);
    // The backoff's timer flushes again by itself, until the flaky receiver answers 2xx (its third try).
    await until('the outbox to empty', async () => pending.length === 0);
    expect(flaky.received.map((r) => r.headers['x-lfs-event-id'])).toEqual(['f1:AVAILABLE', 'f1:AVAILABLE', 'f1:AVAILABLE']);
    expect(healthy.received).toHaveLength(1);
  });

  it('counts a URL that does not answer in time, or redirects, as failed', async () => {
    const redirect = await receiver([302]);
    const { repository, pending } = outbox([file('f1')]);
    const relay = createOutboxRelay(repository, createWebhooks({ urls: [redirect.url], secret: SECRET, vaultBucket: 'vault', logger, onRetryDue: () => {} }), logger);
    await relay.flush();
    expect(pending).toHaveLength(1);
    // Backing off: a flush right away does not call the URL again.
    await relay.flush();
    expect(redirect.received).toHaveLength(1);
  });
});
