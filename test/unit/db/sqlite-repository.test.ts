import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSqliteFileRepository } from '../../../src/db/sqlite/repository.js';
import { tempDirs } from '../../helpers/temp-dirs.js';
import { describeFileRepositoryContract, newFile } from '../files/repository-contract.js';

describeFileRepositoryContract('SQLite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lfs-repo-'));
  const repository = createSqliteFileRepository({ path: join(dir, 'files.sqlite') });
  return {
    repository,
    async dispose() {
      await repository.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('SQLite file repository', () => {
  const tempDir = tempDirs('lfs-repo-');

  it('keeps records across reopen, creating the folder and using WAL', async () => {
    const dir = await tempDir();
    const path = join(dir, 'nested', 'files.sqlite');
    const first = createSqliteFileRepository({ path });
    const created = await first.create(newFile());
    await first.close();
    const second = createSqliteFileRepository({ path });
    try {
      expect(await second.get(created.id)).toEqual(created);
      await expect(stat(`${path}-wal`)).resolves.toBeDefined();
    } finally {
      await second.close();
    }
  });
});
