import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { randomStream } from '../../helpers/data.js';
import { FILE, REQUEST_UPLOAD, type Ticket } from '../../helpers/operations.js';
import { processGraphql as graphql, spawnLfs } from '../../helpers/process.js';
import { uploadWithTicket } from '../../helpers/uploader.js';

const MiB = 1024 * 1024;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('SIGTERM in the middle of a promotion', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step();
    cleanup.length = 0;
  });

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
    await until('the file to be AVAILABLE', async () => (await graphql(second, FILE, { id: ticket.file.id })).data.file.status === 'AVAILABLE');
  });
});
