import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../../helpers/cleanup.js';
import { randomStream } from '../../helpers/data.js';
import { FILE, REQUEST_UPLOAD, type Ticket } from '../../helpers/operations.js';
import { processGraphql as graphql, spawnLfs, statusBecomes, until } from '../../helpers/process.js';
import { uploadWithTicket } from '../../helpers/uploader.js';

const MiB = 1024 * 1024;

describe('SIGTERM in the middle of a promotion', () => {
  const cleanup = { push: cleanupAfterEach() };

  it('hands the message back after the grace period, and the next start finishes the file', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lfs-shutdown-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    // Many small copy parts, one at a time, and no grace: the stop lands mid-copy.
    const env = {
      LFS_SINGLE_COPY_LIMIT: String(5 * MiB),
      LFS_COPY_PART_SIZE: String(5 * MiB),
      LFS_COPY_CONCURRENCY: '1',
      LFS_SHUTDOWN_GRACE_SECONDS: '0',
    };
    const first = await spawnLfs(dataDir, env);
    cleanup.push(async () => first.child.kill('SIGKILL'));
    const ticket: Ticket = (await graphql(first, REQUEST_UPLOAD, { input: { name: 'big.bin', size: 200 * MiB } })).data.requestUpload;
    await uploadWithTicket(ticket, randomStream(200 * MiB).stream, { partSize: 16 * MiB });
    await until('the vault copy to start', async () => {
      const file = (await graphql(first, FILE.replace('status owner', 'status promotionProgress owner'), { id: ticket.file.id })).data.file;
      return file.status === 'AVAILABLE' || file.promotionProgress > 0;
    });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await spawnLfs(dataDir, env);
    cleanup.push(async () => {
      second.child.kill('SIGTERM');
      await second.exited;
    });
    await statusBecomes(second, ticket.file.id, 'AVAILABLE');
  });
});
