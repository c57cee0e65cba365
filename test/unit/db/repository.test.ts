import { copyFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { connectDatabase, NewerSchemaError } from '../../../src/db/index.js';
import { latestVersion } from '../../../src/db/migrations.js';
import { openTestDatabase, postgresDatabase, silentLogger } from '../../helpers/databases.js';
import { tempDirs } from '../../helpers/temp-dirs.js';
import { describeFileRepositoryContract, newFile } from '../files/repository-contract.js';

const tempDir = tempDirs('lfs-repo-');

describeFileRepositoryContract('SQLite', async () => {
  const database = await openTestDatabase('sqlite', join(await tempDir(), 'files.sqlite'));
  return { repository: database.repository, dispose: () => database.repository.close() };
});

describeFileRepositoryContract('PostgreSQL', async () => {
  const database = await openTestDatabase('postgres');
  return { repository: database.repository, dispose: () => database.repository.close() };
});

const fixture = new URL('../../fixtures/lfs-schema-4.sqlite', import.meta.url);

describe('SQLite file database', () => {
  it('keeps records across reopen, creating the folder and using WAL', async () => {
    const path = join(await tempDir(), 'nested', 'files.sqlite');
    const first = await connectDatabase({ sqlitePath: path }, silentLogger);
    const created = await first.repository.create(newFile());
    await first.repository.close();
    const second = await connectDatabase({ sqlitePath: path }, silentLogger);
    try {
      expect(second.migration).toEqual({ from: latestVersion, to: latestVersion });
      expect(await second.repository.get(created.id)).toEqual(created);
      await expect(stat(`${path}-wal`)).resolves.toBeDefined();
    } finally {
      await second.repository.close();
    }
  });

  it('migrates in place a database the previous build made (schema 4), keeping every record and announcement', async () => {
    const path = join(await tempDir(), 'lfs.sqlite');
    await copyFile(fixture, path);
    const database = await connectDatabase({ sqlitePath: path }, silentLogger);
    try {
      expect(database.migration).toEqual({ from: 4, to: latestVersion });
      const repo = database.repository;
      expect(await repo.get('available')).toMatchObject({ status: 'AVAILABLE', promotedBytes: 1002, availableAt: new Date('2026-06-01T00:00:06.000Z') });
      expect(await repo.get('failed')).toMatchObject({ status: 'FAILED', failureReason: 'size mismatch' });
      expect(await repo.get('waiting')).toMatchObject({ status: 'AWAITING_UPLOAD', checksum: { algorithm: 'SHA256' }, metadata: { i: 1 } });
      const page = await repo.list({ tenant: 'acme', owner: 'alice', first: 10 });
      expect(page.items.map((item) => item.file.id)).toEqual(['failed', 'available', 'waiting']);
      expect((await repo.claimAnnouncements(10, 1000)).map((a) => [a.fileId, a.status])).toEqual([
        ['available', 'AVAILABLE'],
        ['failed', 'FAILED'],
      ]);
      // And it goes on working: new records, transitions, the new tables.
      const created = await repo.create(newFile({ tenant: 'acme' }), { openUploads: 10, bytesInFlight: 1e9 });
      expect(await repo.transition(created.id, 'AWAITING_UPLOAD', 'CANCELLED')).toMatchObject({ status: 'CANCELLED' });
      expect(await database.leases.acquire('housekeeping', 'me', 1000)).toBe(true);
    } finally {
      await database.repository.close();
    }
  });

  it('refuses, with one clear line and nothing changed, a database a newer LFS migrated', async () => {
    const path = join(await tempDir(), 'lfs.sqlite');
    await copyFile(fixture, path);
    const raw = new Sqlite(path);
    raw.pragma(`user_version = ${latestVersion + 1}`);
    raw.close();
    const refused = await connectDatabase({ sqlitePath: path }, silentLogger).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(NewerSchemaError);
    expect((refused as Error).message).toMatch(new RegExp(`schema version ${latestVersion + 1}, newer than this build of LFS knows \\(${latestVersion}\\)`));
    expect((refused as Error).message).not.toContain('\n');
    const after = new Sqlite(path, { readonly: true });
    expect(after.prepare("SELECT name FROM sqlite_master WHERE name = 'leases'").get()).toBeUndefined();
    after.close();
  });
});

describe('PostgreSQL file database', () => {
  it('migrates once when three instances start together', async () => {
    const url = await postgresDatabase();
    const opened = await Promise.all([1, 2, 3].map(() => connectDatabase({ url, sqlitePath: ':memory:', poolSize: 2 }, silentLogger)));
    try {
      expect(opened.map((database) => database.migration.from).sort()).toEqual([0, latestVersion, latestVersion]);
    } finally {
      await Promise.all(opened.map((database) => database.repository.close()));
    }
  });

  it('refuses a database a newer LFS migrated', async () => {
    const url = await postgresDatabase();
    const first = await connectDatabase({ url, sqlitePath: ':memory:' }, silentLogger);
    await first.repository.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('UPDATE lfs_schema_version SET version = $1', [latestVersion + 1]);
    await client.end();
    await expect(connectDatabase({ url, sqlitePath: ':memory:' }, silentLogger)).rejects.toBeInstanceOf(NewerSchemaError);
  });
});
