import Database from 'better-sqlite3';
import { join } from 'node:path';
import { makePrivateDir, makePrivateFile } from '@lfs/private-files';

export type LocalDb = Database.Database;

/**
 * The endpoint's one metadata database (objects, uploads, bucket settings,
 * queues, messages, roles). Object bodies live in files beside it; a row is
 * committed only after its file is fsynced and renamed into place, and an S3
 * notification is enqueued in the same transaction as the object row, so an
 * acknowledged write never loses its event.
 *
 * WAL with synchronous=NORMAL survives a killed process (the WAL is in the
 * OS page cache); only a power cut could drop the last commits.
 */
export function openLocalDb(dataDir: string): LocalDb {
  makePrivateDir(dataDir);
  const path = join(dataDir, 'metadata.sqlite');
  makePrivateFile(path);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}
