import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanup.js';
import { randomStream } from '../../helpers/data.js';
import { FILE, FILE_EVENTS, REQUEST_UPLOAD, type Ticket } from '../../helpers/operations.js';
import { postgresDatabase } from '../../helpers/databases.js';
import { spawnEndpoint } from '../../helpers/endpoint-process.js';
import { startPostgres } from '../../helpers/postgres.js';
import { processGraphql, spawnLfs, statusBecomes, until } from '../../helpers/process.js';
import { drain, queueUrl, rootSqs } from '../../helpers/queues.js';
import { startStack } from '../../helpers/stack.js';
import { uploadWithTicket } from '../../helpers/uploader.js';

const KiB = 1024;
const MiB = 1024 * KiB;

describe('recovery', () => {
  const cleanup = cleanupAfterEach();

  it('a promotion killed mid-copy is finished by another instance within 60 s of the kill (default visibility)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lfs-recovery-'));
    cleanup(() => rm(root, { recursive: true, force: true }));
    const endpoint = await spawnEndpoint(join(root, 'aws'));
    cleanup(() => endpoint.stop());
    // Small copy parts, one at a time: the failpoint kills the process between two parts of the vault copy.
    const env = {
      ...endpoint.lfsEnv,
      LFS_DATABASE_URL: await postgresDatabase(),
      LFS_AUTH_SECRET: 'recovery-test-secret-0123456789abcdefghij',
      LFS_SINGLE_COPY_LIMIT: String(5 * MiB),
      LFS_COPY_PART_SIZE: String(5 * MiB),
      LFS_COPY_CONCURRENCY: '1',
    };
    const doomed = await spawnLfs(join(root, 'doomed'), { ...env, LFS_FAILPOINT: 'promotion.mid-copy' });
    cleanup(async () => doomed.child.kill('SIGKILL'));
    const killed = doomed.exited.then((code) => ({ code, at: Date.now() }));
    // The peer takes no dock events until the doomed instance has one in hand.
    const ticket: Ticket = (await processGraphql(doomed, REQUEST_UPLOAD, { input: { name: 'crash.bin', size: 12 * MiB } })).data.requestUpload;
    await uploadWithTicket(ticket, randomStream(12 * MiB).stream, { partSize: 6 * MiB });
    const peer = await spawnLfs(join(root, 'peer'), env);
    cleanup(async () => {
      peer.child.kill('SIGTERM');
      await peer.exited;
    });
    const { code, at: killedAt } = await killed;
    expect(code).toBeNull();
    await statusBecomes(peer, ticket.file.id, 'AVAILABLE', 90_000);
    const seconds = (Date.now() - killedAt) / 1000;
    process.stdout.write(`recovery: kill -9 mid-copy -> AVAILABLE on another instance after ${seconds.toFixed(1)} s (visibility 30 s, heartbeat every 15 s)\n`);
    expect(seconds).toBeLessThan(60);
  }, 180_000);

  it('PostgreSQL stopped for 10 s during uploads: not ready, UNAVAILABLE (retryable), then every file AVAILABLE and announced by itself', async () => {
    const postgres = await startPostgres();
    cleanup(() => postgres.destroy());
    const stack = await startStack({
      LFS_DATABASE_URL: await postgres.createDatabase(),
      LFS_CLEANUP_INTERVAL_SECONDS: '1',
      LFS_RECONCILE_GRACE_SECONDS: '5',
      LFS_PROMOTION_VISIBILITY_SECONDS: '5',
      LFS_PROMOTION_RETRY_BASE_SECONDS: '1',
    });
    cleanup(() => stack.stop());
    const token = await stack.token('alice');
    const request = async (name: string): Promise<Ticket> => {
      const result = await stack.graphql(token, REQUEST_UPLOAD, { input: { name, size: 256 * KiB } });
      if (!result.data) throw new Error(JSON.stringify(result.errors));
      return result.data.requestUpload;
    };
    const tickets = await Promise.all(Array.from({ length: 12 }, (_, i) => request(`f${i}.bin`)));
    const events: any[] = [];
    stack.ws(token).subscribe({ query: FILE_EVENTS, variables: {} }, { next: (value) => void events.push(value.data), error: () => {}, complete: () => {} });

    // A third uploaded with the database up, a third while it is down, a third just before it comes back.
    await Promise.all(tickets.slice(0, 4).map((ticket) => uploadWithTicket(ticket, randomStream(256 * KiB).stream)));
    await postgres.stop();
    const stoppedAt = Date.now();
    await Promise.all(tickets.slice(4, 8).map((ticket) => uploadWithTicket(ticket, randomStream(256 * KiB).stream)));

    const ready = await fetch(`${stack.app.url}/readyz`);
    expect(ready.status).toBe(503);
    expect((await ready.json()).checks).toMatchObject({ database: false, storage: true, queue: true });
    const query = await stack.graphql(token, FILE, { id: tickets[0].file.id });
    expect(query.errors?.[0]?.extensions).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    const refused = await stack.graphql(token, REQUEST_UPLOAD, { input: { name: 'during.bin', size: 1 } });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'UNAVAILABLE', retryable: true });

    await Promise.all(tickets.slice(8).map((ticket) => uploadWithTicket(ticket, randomStream(256 * KiB).stream)));
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 10_000 - (Date.now() - stoppedAt))));
    await postgres.start();
    const restartedAt = Date.now();

    await until('the database to be ready again', async () => (await fetch(`${stack.app.url}/readyz`)).status === 200, 30_000, 200);
    const ids = tickets.map((ticket) => ticket.file.id);
    await until(
      'every file to be AVAILABLE',
      async () => {
        const statuses = await Promise.all(ids.map(async (id) => (await stack.graphql(token, FILE, { id })).data?.file?.status));
        return statuses.every((status) => status === 'AVAILABLE');
      },
      90_000,
      500,
    );
    process.stdout.write(`recovery: PostgreSQL back -> all ${ids.length} files AVAILABLE after ${((Date.now() - restartedAt) / 1000).toFixed(1)} s\n`);
    const sqs = rootSqs(stack.app);
    cleanup(async () => sqs.destroy());
    const announced = new Set<string>();
    await until('every file to be announced', async () => {
      for (const message of await drain(sqs, await queueUrl(sqs, 'lfs-file-events'))) announced.add(JSON.parse(message.Body!).fileId);
      return ids.every((id) => announced.has(id));
    });
    // Subscribers connected throughout hear every file's AVAILABLE (the listener catches up after reconnecting).
    await until('every AVAILABLE event', async () =>
      ids.every((id) => events.some((event) => event.fileEvents.file.id === id && event.fileEvents.file.status === 'AVAILABLE')),
    );
  }, 180_000);

  it('SIGTERM sends graphql-ws clients away with 1012 (Service Restart), which the graphql-ws client retries', async () => {
    const stack = await startStack({});
    let stopped = false;
    cleanup(async () => {
      if (!stopped) await stack.stop();
    });
    const token = await stack.token('alice');
    const { createClient } = await import('graphql-ws');
    const { default: WebSocket } = await import('ws');
    const closes: number[] = [];
    let connecting = 0;
    const client = createClient({
      url: `${stack.app.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 3,
      retryWait: () => new Promise((resolve) => setTimeout(resolve, 50)),
      on: { closed: (event) => void closes.push((event as { code: number }).code), connecting: () => void connecting++ },
    });
    cleanup(async () => client.dispose());
    const subscribed = new Promise<void>((resolve) => client.on('connected', () => resolve()));
    client.subscribe({ query: FILE_EVENTS, variables: {} }, { next: () => {}, error: () => {}, complete: () => {} });
    await subscribed;
    await stack.stop();
    stopped = true;
    expect(closes[0]).toBe(1012);
    // The client did not give up: it tries to connect again (to a server that is gone here; another instance in production).
    await until('the client to reconnect', async () => connecting >= 2, 10_000);
  }, 120_000);
});
