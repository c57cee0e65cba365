import { sql, type Kysely, type Transaction } from 'kysely';
import type { Db, Dialect, Tables } from './schema.js';

/**
 * Versioned migrations: entry i brings a database from version i to i+1, in
 * both dialects. Append only; never edit a shipped entry. SQLite keeps its
 * version in `PRAGMA user_version` (as every earlier build did, so an older
 * build refuses a newer file too); PostgreSQL in the one-row table
 * `lfs_schema_version`.
 */
interface Migration {
  name: string;
  sqlite: string[];
  postgres: string[];
}

const migrations: readonly Migration[] = [
  {
    name: 'files',
    sqlite: [
      `CREATE TABLE files (
         id               TEXT PRIMARY KEY,
         owner            TEXT NOT NULL,
         tenant           TEXT NOT NULL,
         name             TEXT NOT NULL,
         size             INTEGER NOT NULL CHECK (size > 0),
         content_type     TEXT NOT NULL,
         metadata         TEXT NOT NULL,
         status           TEXT NOT NULL,
         checksum_algorithm TEXT,
         checksum_value   TEXT,
         failure_reason   TEXT,
         created_at       INTEGER NOT NULL,
         uploaded_at      INTEGER,
         available_at     INTEGER,
         upload_deadline  INTEGER NOT NULL,
         updated_at       INTEGER NOT NULL
       ) STRICT`,
      'CREATE INDEX files_by_owner ON files (tenant, owner, created_at DESC, id DESC)',
      'CREATE INDEX files_by_tenant ON files (tenant, created_at DESC, id DESC)',
      `CREATE INDEX files_awaiting_by_deadline ON files (upload_deadline) WHERE status = 'AWAITING_UPLOAD'`,
    ],
    postgres: [
      `CREATE TABLE files (
         id               TEXT PRIMARY KEY,
         owner            TEXT NOT NULL,
         tenant           TEXT NOT NULL,
         name             TEXT NOT NULL,
         size             BIGINT NOT NULL CHECK (size > 0),
         content_type     TEXT NOT NULL,
         metadata         TEXT NOT NULL,
         status           TEXT NOT NULL,
         checksum_algorithm TEXT,
         checksum_value   TEXT,
         failure_reason   TEXT,
         created_at       BIGINT NOT NULL,
         uploaded_at      BIGINT,
         available_at     BIGINT,
         upload_deadline  BIGINT NOT NULL,
         updated_at       BIGINT NOT NULL
       )`,
      'CREATE INDEX files_by_owner ON files (tenant, owner, created_at DESC, id DESC)',
      'CREATE INDEX files_by_tenant ON files (tenant, created_at DESC, id DESC)',
      `CREATE INDEX files_awaiting_by_deadline ON files (upload_deadline) WHERE status = 'AWAITING_UPLOAD'`,
    ],
  },
  {
    // The outbox: an announcement row is committed with the AVAILABLE/FAILED
    // transition itself, so a crash between commit and send loses nothing.
    name: 'announcements',
    sqlite: [
      `CREATE TABLE announcements (
         id          INTEGER PRIMARY KEY AUTOINCREMENT,
         file_id     TEXT NOT NULL REFERENCES files (id),
         status      TEXT NOT NULL,
         created_at  INTEGER NOT NULL
       ) STRICT`,
    ],
    postgres: [
      `CREATE TABLE announcements (
         id          BIGSERIAL PRIMARY KEY,
         file_id     TEXT NOT NULL REFERENCES files (id),
         status      TEXT NOT NULL,
         created_at  BIGINT NOT NULL
       )`,
    ],
  },
  {
    // Quotas count an owner's open uploads on every requestUpload; a partial
    // index keeps that a short range scan however many files the owner has.
    name: 'open uploads by owner',
    sqlite: [`CREATE INDEX files_open_by_owner ON files (tenant, owner) WHERE status = 'AWAITING_UPLOAD'`],
    postgres: [`CREATE INDEX files_open_by_owner ON files (tenant, owner) WHERE status = 'AWAITING_UPLOAD'`],
  },
  {
    name: 'promotion progress',
    sqlite: ['ALTER TABLE files ADD COLUMN promoted_bytes INTEGER NOT NULL DEFAULT 0'],
    postgres: ['ALTER TABLE files ADD COLUMN promoted_bytes BIGINT NOT NULL DEFAULT 0'],
  },
  {
    // `files(status: …)` pages by status as fast as without; the cleanup job
    // finds recently FAILED files and the reconciler long-PROMOTING ones by
    // (status, updated_at); a PostgreSQL listener back from an outage finds
    // the files changed meanwhile by updated_at.
    name: 'status pages and recent changes',
    sqlite: [
      'CREATE INDEX files_by_owner_status ON files (tenant, owner, status, created_at DESC, id DESC)',
      'CREATE INDEX files_by_tenant_status ON files (tenant, status, created_at DESC, id DESC)',
      'CREATE INDEX files_by_updated_at ON files (updated_at)',
      'CREATE INDEX files_by_status_updated_at ON files (status, updated_at)',
    ],
    postgres: [
      'CREATE INDEX files_by_owner_status ON files (tenant, owner, status, created_at DESC, id DESC)',
      'CREATE INDEX files_by_tenant_status ON files (tenant, status, created_at DESC, id DESC)',
      'CREATE INDEX files_by_updated_at ON files (updated_at)',
      'CREATE INDEX files_by_status_updated_at ON files (status, updated_at)',
    ],
  },
  {
    // Several instances: relays claim announcements, rate limits are shared
    // buckets, and one instance at a time holds the housekeeping lease.
    name: 'instances share limits and jobs',
    sqlite: [
      'ALTER TABLE announcements ADD COLUMN claimed_until INTEGER',
      'CREATE TABLE rate_buckets (key TEXT PRIMARY KEY, tokens REAL NOT NULL, at INTEGER NOT NULL) STRICT',
      'CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL) STRICT',
    ],
    postgres: [
      'ALTER TABLE announcements ADD COLUMN claimed_until BIGINT',
      'CREATE TABLE rate_buckets (key TEXT PRIMARY KEY, tokens DOUBLE PRECISION NOT NULL, at BIGINT NOT NULL)',
      'CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at BIGINT NOT NULL)',
    ],
  },
  {
    // The quota check (count and bytes of an owner's open uploads) reads only
    // this index: without size in it, every open upload cost a row lookup, so
    // each requestUpload got slower with the owner's open uploads. Status is
    // a column too so the planner prefers it to files_by_owner_status.
    name: 'open uploads and their bytes by owner',
    sqlite: [
      `CREATE INDEX files_open_bytes_by_owner ON files (tenant, owner, status, size) WHERE status = 'AWAITING_UPLOAD'`,
      'DROP INDEX files_open_by_owner',
    ],
    postgres: [
      `CREATE INDEX files_open_bytes_by_owner ON files (tenant, owner, status, size) WHERE status = 'AWAITING_UPLOAD'`,
      'DROP INDEX files_open_by_owner',
    ],
  },
];

/** The schema version this build migrates to. */
export const latestVersion = migrations.length;

export class NewerSchemaError extends Error {
  constructor(readonly version: number) {
    super(`the file database is at schema version ${version}, newer than this build of LFS knows (${latestVersion}): run a newer LFS, or restore a backup made for this one`);
    this.name = 'NewerSchemaError';
  }
}

export interface MigrationReport {
  from: number;
  to: number;
}

/**
 * Brings the database to `latestVersion`, all steps in one transaction;
 * refuses (NewerSchemaError, nothing changed) one a newer build migrated.
 * On PostgreSQL an advisory lock makes instances starting together migrate
 * once: the others wait, then find nothing to do.
 */
export async function migrate({ kysely, dialect }: Db): Promise<MigrationReport> {
  return kysely.transaction().execute(async (trx) => {
    if (dialect === 'postgres') {
      await sql`SELECT pg_advisory_xact_lock(hashtextextended('lfs schema migration', 0))`.execute(trx);
      await sql`CREATE TABLE IF NOT EXISTS lfs_schema_version (version INTEGER NOT NULL)`.execute(trx);
    }
    const from = await versionOf(trx, dialect);
    if (from > latestVersion) throw new NewerSchemaError(from);
    for (let version = from; version < latestVersion; version++) {
      for (const statement of migrations[version][dialect]) await sql.raw(statement).execute(trx);
    }
    if (from < latestVersion) await setVersion(trx, dialect, latestVersion);
    return { from, to: latestVersion };
  });
}

/** The version the database is at, without changing it (0 for an empty one). */
export async function schemaVersion({ kysely, dialect }: Db): Promise<number> {
  if (dialect === 'postgres') {
    const exists = await sql<{ present: string | null }>`SELECT to_regclass('lfs_schema_version') AS present`.execute(kysely);
    if (!exists.rows[0]?.present) return 0;
  }
  return versionOf(kysely, dialect);
}

async function versionOf(db: Kysely<Tables> | Transaction<Tables>, dialect: Dialect): Promise<number> {
  if (dialect === 'sqlite') {
    const { rows } = await sql<{ user_version: number }>`PRAGMA user_version`.execute(db);
    return rows[0].user_version;
  }
  const { rows } = await sql<{ version: number }>`SELECT version FROM lfs_schema_version`.execute(db);
  return rows[0]?.version ?? 0;
}

async function setVersion(trx: Transaction<Tables>, dialect: Dialect, version: number): Promise<void> {
  if (dialect === 'sqlite') {
    // PRAGMA takes no parameters; the version is our own integer.
    await sql.raw(`PRAGMA user_version = ${Math.trunc(version)}`).execute(trx);
    return;
  }
  await sql`DELETE FROM lfs_schema_version`.execute(trx);
  await sql`INSERT INTO lfs_schema_version (version) VALUES (${version})`.execute(trx);
}
