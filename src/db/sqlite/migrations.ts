import type Database from 'better-sqlite3';

/**
 * Migrations by `PRAGMA user_version`: entry i brings the database from
 * version i to i+1. Append only; never edit a shipped entry.
 *
 * Times are epoch milliseconds (INTEGER) so ordering and comparisons are
 * numeric; sizes are INTEGER (SQLite stores up to 2^63-1, 5 TiB fits).
 */
const migrations: readonly string[] = [
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
   ) STRICT;
   CREATE INDEX files_by_owner ON files (tenant, owner, created_at DESC, id DESC);
   CREATE INDEX files_by_tenant ON files (tenant, created_at DESC, id DESC);
   CREATE INDEX files_awaiting_by_deadline ON files (upload_deadline) WHERE status = 'AWAITING_UPLOAD';`,
  // The outbox: an announcement row is committed with the AVAILABLE/FAILED
  // transition itself, so a crash between commit and send loses nothing.
  `CREATE TABLE announcements (
     id          INTEGER PRIMARY KEY AUTOINCREMENT,
     file_id     TEXT NOT NULL REFERENCES files (id),
     status      TEXT NOT NULL,
     created_at  INTEGER NOT NULL
   ) STRICT;`,
  // Quotas count an owner's open uploads on every requestUpload; a partial
  // index keeps that a short range scan however many files the owner has.
  `CREATE INDEX files_open_by_owner ON files (tenant, owner) WHERE status = 'AWAITING_UPLOAD';`,
  `ALTER TABLE files ADD COLUMN promoted_bytes INTEGER NOT NULL DEFAULT 0;`,
];

export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(`file database is at version ${current}, newer than this build knows (${migrations.length})`);
  }
  db.transaction(() => {
    for (let version = current; version < migrations.length; version++) {
      db.exec(migrations[version]);
      db.pragma(`user_version = ${version + 1}`);
    }
  })();
}
