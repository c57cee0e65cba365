import { createClient } from 'graphql-ws';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/cleanup.js';
import { randomStream } from '../helpers/data.js';
import { FILE, FILE_AVAILABLE, REQUEST_UPLOAD, type Ticket } from '../helpers/operations.js';
import { processGraphql as graphql, spawnLfs } from '../helpers/process.js';
import { WAIT_TIMEOUT_MS } from '../helpers/waits.js';
import { firstEvent, within } from '../helpers/stack.js';
import { uploadWithTicket } from '../helpers/uploader.js';

describe('a crash between upload and promotion', () => {
  const cleanup = { push: cleanupAfterEach() };

  it('still ends with the file AVAILABLE: the event waits in the durable queue', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lfs-restart-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));

    // First life: API only, so the upload completes but nothing promotes it.
    const first = await spawnLfs(dataDir, { LFS_PROMOTION_ENABLED: 'false' });
    cleanup.push(async () => first.child.kill('SIGKILL'));
    const requested = await graphql(first, REQUEST_UPLOAD, { input: { name: 'crash.bin', size: 12 * 1024 * 1024 } });
    expect(requested.errors).toBeUndefined();
    const ticket: Ticket = requested.data.requestUpload;
    await uploadWithTicket(ticket, randomStream(ticket.file.size).stream, { partSize: 6 * 1024 * 1024 });
    first.child.kill('SIGKILL');
    await first.exited;
    const before = await spawnLfs(dataDir, { LFS_PROMOTION_ENABLED: 'false' });
    expect((await graphql(before, FILE, { id: ticket.file.id })).data.file.status).toBe('AWAITING_UPLOAD');
    before.child.kill('SIGKILL');
    await before.exited;

    // Second life: the worker finds the event that was acknowledged before the crash.
    const second = await spawnLfs(dataDir);
    cleanup.push(async () => {
      second.child.kill('SIGTERM');
      await second.exited;
    });
    const client = createClient({
      url: second.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${second.token}` },
      retryAttempts: 0,
    });
    cleanup.push(() => client.dispose() as Promise<void>);
    const available = firstEvent(client, FILE_AVAILABLE, { fileId: ticket.file.id });
    const now = await graphql(second, FILE, { id: ticket.file.id });
    if (now.data.file.status !== 'AVAILABLE') await within(available.promise, WAIT_TIMEOUT_MS, 'fileAvailable after restart');
    available.cancel();
    expect((await graphql(second, FILE, { id: ticket.file.id })).data.file.status).toBe('AVAILABLE');
  });
});
