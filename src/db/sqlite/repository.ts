import Database from 'better-sqlite3';
import { dirname } from 'node:path';
import { makePrivateDir, makePrivateFile } from '@lfs/private-files';
import type { Checksum, FileRecord, FileStatus, NewFile, TransitionPatch } from '../../files/model.js';
import type { Announcement, FilePage, FileRepository, ListFilesQuery, OpenUploads } from '../../files/repository.js';
import { announces, canTransition } from '../../files/states.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { toRecord, toRow, type FileRow } from './rows.js';
import { migrate } from './migrations.js';

export interface SqliteFileRepositoryOptions {
  /** Database file; `:memory:` for a throwaway database. Its folder is created when missing. */
  path: string;
}

/** Patch fields and their columns; the only column names ever put into SQL text. */
const patchColumns = {
  failureReason: 'failure_reason',
  uploadedAt: 'uploaded_at',
  availableAt: 'available_at',
} as const satisfies Record<keyof TransitionPatch, string>;

/**
 * File records in one SQLite file (embedded mode). better-sqlite3 is
 * synchronous; the async port lets PostgreSQL share the same callers and the
 * same contract suite. WAL lets readers run while the promotion worker writes.
 */
export function createSqliteFileRepository(options: SqliteFileRepositoryOptions): FileRepository {
  if (options.path !== ':memory:') {
    makePrivateDir(dirname(options.path));
    makePrivateFile(options.path);
  }
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const insert = db.prepare<[FileRow], FileRow>(
    `INSERT INTO files (id, owner, tenant, name, size, content_type, metadata, status, checksum_algorithm,
       checksum_value, failure_reason, created_at, uploaded_at, available_at, upload_deadline, updated_at)
     VALUES (@id, @owner, @tenant, @name, @size, @content_type, @metadata, @status, @checksum_algorithm,
       @checksum_value, @failure_reason, @created_at, @uploaded_at, @available_at, @upload_deadline, @updated_at)
     RETURNING *`,
  );
  const byId = db.prepare<[string], FileRow>('SELECT * FROM files WHERE id = ?');
  const expired = db.prepare<[number, number], FileRow>(
    `SELECT * FROM files WHERE status = 'AWAITING_UPLOAD' AND upload_deadline <= ? ORDER BY upload_deadline LIMIT ?`,
  );
  const open = db.prepare<[string, string], { count: number; bytes: number }>(
    `SELECT COUNT(*) AS count, COALESCE(SUM(size), 0) AS bytes FROM files WHERE tenant = ? AND owner = ? AND status = 'AWAITING_UPLOAD'`,
  );
  const announce = db.prepare<[string, string, number]>('INSERT INTO announcements (file_id, status, created_at) VALUES (?, ?, ?)');
  const pending = db.prepare<[number], { id: number; file_id: string; status: string; created_at: number }>(
    'SELECT * FROM announcements ORDER BY id LIMIT ?',
  );
  const announced = db.prepare<[number]>('DELETE FROM announcements WHERE id = ?');
  const progress = db.prepare<[number, number, string], FileRow>(
    `UPDATE files SET promoted_bytes = ?, updated_at = ? WHERE id = ? AND status = 'PROMOTING' RETURNING *`,
  );
  const declare = db.prepare<[string, string, number, string], FileRow>(
    `UPDATE files SET checksum_algorithm = ?, checksum_value = ?, updated_at = ?
     WHERE id = ? AND status = 'AWAITING_UPLOAD' AND checksum_algorithm IS NULL RETURNING *`,
  );
  // Transition and list statements differ only in their shape; prepare each shape once.
  const statements = new Map<string, Database.Statement<unknown[], FileRow>>();
  const prepared = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare<unknown[], FileRow>(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  let closed = false;

  return {
    async create(file: NewFile): Promise<FileRecord> {
      return toRecord(insert.get(toRow(file, 'AWAITING_UPLOAD'))!);
    },

    async get(id: string): Promise<FileRecord | undefined> {
      const row = byId.get(id);
      return row && toRecord(row);
    },

    async list(query: ListFilesQuery): Promise<FilePage> {
      const where = ['tenant = ?'];
      const params: unknown[] = [query.tenant];
      if (query.owner !== undefined) {
        where.push('owner = ?');
        params.push(query.owner);
      }
      if (query.status !== undefined) {
        where.push('status = ?');
        params.push(query.status);
      }
      if (query.after !== undefined) {
        const after = decodeCursor(query.after);
        where.push('(created_at < ? OR (created_at = ? AND id < ?))');
        params.push(after.createdAtMs, after.createdAtMs, after.id);
      }
      // One extra row tells whether another page exists without a COUNT.
      const rows = prepared(
        `SELECT * FROM files WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ?`,
      ).all(...params, query.first + 1);
      const page = rows.slice(0, query.first);
      return {
        items: page.map((row) => ({ cursor: encodeCursor({ createdAtMs: row.created_at, id: row.id }), file: toRecord(row) })),
        hasNextPage: rows.length > query.first,
      };
    },

    async transition(
      id: string,
      from: FileStatus | readonly FileStatus[],
      to: FileStatus,
      patch: TransitionPatch = {},
      now: Date = new Date(),
    ): Promise<FileRecord | undefined> {
      const expected: readonly FileStatus[] = typeof from === 'string' ? [from] : from;
      if (expected.length === 0) throw new Error('transition needs at least one expected status');
      const forbidden = expected.filter((status) => !canTransition(status, to));
      if (forbidden.length > 0) throw new Error(`transition ${forbidden.join('|')} -> ${to} is not allowed`);

      const sets = ['status = ?', 'updated_at = ?'];
      const params: unknown[] = [to, now.getTime()];
      for (const [field, column] of Object.entries(patchColumns) as Array<[keyof TransitionPatch, string]>) {
        if (!(field in patch) || patch[field] === undefined) continue;
        const value = patch[field];
        sets.push(`${column} = ?`);
        params.push(value instanceof Date ? value.getTime() : value);
      }
      // The status guard in the WHERE clause makes the update a compare-and-set:
      // a duplicate or late event finds the row moved on and changes nothing.
      const update = prepared(
        `UPDATE files SET ${sets.join(', ')} WHERE id = ? AND status IN (${expected.map(() => '?').join(', ')}) RETURNING *`,
      );
      const row = db.transaction(() => {
        const updated = update.get(...params, id, ...expected);
        if (updated && announces(to)) announce.run(id, to, now.getTime());
        return updated;
      })();
      return row && toRecord(row);
    },

    async pendingAnnouncements(limit: number): Promise<Announcement[]> {
      return pending.all(limit).map((row) => ({
        id: row.id,
        fileId: row.file_id,
        status: row.status as FileStatus,
        createdAt: new Date(row.created_at),
      }));
    },

    async markAnnounced(id: number): Promise<void> {
      announced.run(id);
    },

    async declareChecksum(id: string, checksum: Checksum, now: Date = new Date()): Promise<FileRecord | undefined> {
      const row = declare.get(checksum.algorithm, checksum.value, now.getTime(), id);
      return row && toRecord(row);
    },

    async recordProgress(id: string, promotedBytes: number, now: Date = new Date()): Promise<FileRecord | undefined> {
      const row = progress.get(promotedBytes, now.getTime(), id);
      return row && toRecord(row);
    },

    async listExpired(now: Date, limit: number): Promise<FileRecord[]> {
      return expired.all(now.getTime(), limit).map(toRecord);
    },

    async openUploads(tenant: string, owner: string): Promise<OpenUploads> {
      const { count, bytes } = open.get(tenant, owner)!;
      return { count, bytes };
    },

    async ping(): Promise<boolean> {
      if (closed) return false;
      try {
        return db.prepare('SELECT 1 AS ok').get() !== undefined;
      } catch {
        return false;
      }
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      statements.clear();
      db.close();
    },
  };
}
