import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppendFile } from '../../../src/sealing/direct-io.js';

// The data folder's file system (O_DIRECT where it allows it), and tmpfs, which refuses O_DIRECT.
const roots = [tmpdir(), ...(existsSync('/dev/shm') ? ['/dev/shm'] : [])];

describe.each(roots)('direct I/O files under %s', (root) => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(root, 'lfs-direct-io-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([0, 1, 4095, 4096, 4097, 1024 * 1024, 3 * 1024 * 1024 + 123])('appends %i bytes in odd pieces, around the cache and through it', async (size) => {
    const body = randomBytes(size);
    const cuts = [0, 7, 5000, 70_000, 1_100_000, size].filter((cut) => cut <= size).sort((a, b) => a - b);
    for (const direct of [true, false]) {
      const path = join(dir, `f${size}-${direct}`);
      const file = await AppendFile.create(path, direct);
      for (let i = 1; i < cuts.length; i++) await file.append([body.subarray(cuts[i - 1], cuts[i]), Buffer.alloc(0)]);
      await file.finish();
      expect((await stat(path)).size).toBe(size);
      expect((await readFile(path)).equals(body)).toBe(true);
    }
  });

  it('refuses to create a file that exists', async () => {
    const path = join(dir, 'exists');
    await (await AppendFile.create(path)).finish();
    await expect(AppendFile.create(path)).rejects.toMatchObject({ code: 'EEXIST' });
  });
});
