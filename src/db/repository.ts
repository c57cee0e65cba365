import { sql, type Transaction } from 'kysely';
import type { Checksum, FileRecord, FileStatus, NewFile, TransitionPatch } from '../files/model.js';
import {
  QuotaExceededError,
  type Announcement,
  type FilePage,
  type FileRepository,
  type ListFilesQuery,
  type OpenUploads,
  type UploadQuota,
} from '../files/repository.js';
import { announces, canTransition, eventTypeFor } from '../files/states.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { guardAvailability } from './errors.js';
import { toRecord, toRow } from './rows.js';
import type { Db, Tables } from './schema.js';

/** The PostgreSQL channel every status change and progress record is announced on (see listener.ts). */
export const FILE_EVENTS_CHANNEL = 'lfs_file_events';

/** What a notification carries: enough to find the row, which the listener reads. */
export interface FileNotice {
  id: string;
  type: ReturnType<typeof eventTypeFor> | 'PROGRESS';
  /** When the change was committed, epoch ms. */
  at: number;
}

/** Patch fields and their columns. */
const patchColumns = {
  failureReason: 'failure_reason',
  uploadedAt: 'uploaded_at',
  availableAt: 'available_at',
} as const satisfies Record<keyof TransitionPatch, string>;

export interface FileRepositoryOptions {
  /** Closes the database; the repository owns it. */
  close(): Promise<void>;
}

/**
 * File records through Kysely, on SQLite or PostgreSQL. The queries are the
 * same; PostgreSQL adds what several instances need: a per-owner advisory
 * lock around the quota check, SKIP LOCKED when relays claim announcements,
 * and a NOTIFY in the transaction of every change (delivered at commit, so
 * a crash right after the commit still tells every instance).
 */
export function createFileRepository(db: Db, options: FileRepositoryOptions): FileRepository {
  const { kysely, dialect } = db;
  const postgres = dialect === 'postgres';
  let closed = false;

  const notify = async (trx: Transaction<Tables>, notice: FileNotice) => {
    if (postgres) await sql`SELECT pg_notify(${FILE_EVENTS_CHANNEL}, ${JSON.stringify(notice)})`.execute(trx);
  };

  const openUploadsOf = async (executor: Transaction<Tables> | typeof kysely, tenant: string, owner: string): Promise<OpenUploads> => {
    const row = await executor
      .selectFrom('files')
      .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.coalesce(eb.fn.sum<number>('size'), eb.lit(0)).as('bytes')])
      .where('tenant', '=', tenant)
      .where('owner', '=', owner)
      .where('status', '=', 'AWAITING_UPLOAD')
      .executeTakeFirstOrThrow();
    // PostgreSQL's COUNT and SUM of BIGINT are BIGINT and NUMERIC; both fit a number.
    return { count: Number(row.count), bytes: Number(row.bytes) };
  };

  const repository: FileRepository = {
    async create(file: NewFile, quota?: UploadQuota): Promise<FileRecord> {
      const row = await kysely.transaction().execute(async (trx) => {
        if (quota) {
          // One owner's requests are admitted one at a time across instances; SQLite has one writer anyway.
          if (postgres) await sql`SELECT pg_advisory_xact_lock(hashtextextended(${JSON.stringify([file.tenant, file.owner])}, 1))`.execute(trx);
          const open = await openUploadsOf(trx, file.tenant, file.owner);
          if (open.count + 1 > quota.openUploads) throw new QuotaExceededError('openUploads', quota.openUploads, open);
          if (open.bytes + file.size > quota.bytesInFlight) throw new QuotaExceededError('bytesInFlight', quota.bytesInFlight, open);
        }
        return trx.insertInto('files').values(toRow(file, 'AWAITING_UPLOAD')).returningAll().executeTakeFirstOrThrow();
      });
      return toRecord(row);
    },

    async get(id: string): Promise<FileRecord | undefined> {
      const row = await kysely.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },

    async list(query: ListFilesQuery): Promise<FilePage> {
      const after = query.after === undefined ? undefined : decodeCursor(query.after);
      let select = kysely.selectFrom('files').selectAll().where('tenant', '=', query.tenant);
      if (query.owner !== undefined) select = select.where('owner', '=', query.owner);
      if (query.status !== undefined) select = select.where('status', '=', query.status);
      // Keyset paging: the next page starts after the cursor's (created_at, id), so a page costs the same however deep.
      if (after) {
        select = select.where((eb) =>
          eb.or([eb('created_at', '<', after.createdAtMs), eb.and([eb('created_at', '=', after.createdAtMs), eb('id', '<', after.id)])]),
        );
      }
      // One extra row tells whether another page exists without a COUNT.
      const rows = await select.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.first + 1).execute();
      const page = rows.slice(0, query.first);
      return {
        items: page.map((row) => ({ cursor: encodeCursor({ createdAtMs: row.created_at, id: row.id }), file: toRecord(row) })),
        hasNextPage: rows.length > query.first,
      };
    },

    async transition(id, from, to, patch: TransitionPatch = {}, now = new Date()) {
      const expected: readonly FileStatus[] = typeof from === 'string' ? [from] : from;
      if (expected.length === 0) throw new Error('transition needs at least one expected status');
      const forbidden = expected.filter((status) => !canTransition(status, to));
      if (forbidden.length > 0) throw new Error(`transition ${forbidden.join('|')} -> ${to} is not allowed`);

      const sets: Record<string, string | number | null> = { status: to, updated_at: now.getTime() };
      for (const [field, column] of Object.entries(patchColumns) as Array<[keyof TransitionPatch, string]>) {
        const value = patch[field];
        if (value === undefined) continue;
        sets[column] = value instanceof Date ? value.getTime() : value;
      }
      const row = await kysely.transaction().execute(async (trx) => {
        // The status guard in the WHERE clause makes the update a compare-and-set:
        // a duplicate or late event finds the row moved on and changes nothing.
        const updated = await trx
          .updateTable('files')
          .set(sets)
          .where('id', '=', id)
          .where('status', 'in', expected)
          .returningAll()
          .executeTakeFirst();
        if (!updated) return undefined;
        if (announces(to)) await trx.insertInto('announcements').values({ file_id: id, status: to, created_at: now.getTime() }).execute();
        await notify(trx, { id, type: eventTypeFor(to), at: now.getTime() });
        return updated;
      });
      return row && toRecord(row);
    },

    async claimAnnouncements(limit: number, claimMs: number, now = new Date()): Promise<Announcement[]> {
      if (limit <= 0) return [];
      const at = now.getTime();
      const rows = await kysely
        .updateTable('announcements')
        .set({ claimed_until: at + claimMs })
        .where('id', 'in', (eb) => {
          const due = eb
            .selectFrom('announcements')
            .select('id')
            .where((w) => w.or([w('claimed_until', 'is', null), w('claimed_until', '<', at)]))
            .orderBy('id')
            .limit(limit);
          // Another instance's relay claiming at the same moment skips these rows instead of waiting for them.
          return postgres ? due.forUpdate().skipLocked() : due;
        })
        .returningAll()
        .execute();
      return rows
        .sort((a, b) => a.id - b.id)
        .map((row) => ({ id: row.id, fileId: row.file_id, status: row.status as FileStatus, createdAt: new Date(row.created_at) }));
    },

    async markAnnounced(id: number): Promise<void> {
      await kysely.deleteFrom('announcements').where('id', '=', id).execute();
    },

    async declareChecksum(id: string, checksum: Checksum, now = new Date()): Promise<FileRecord | undefined> {
      const row = await kysely
        .updateTable('files')
        .set({ checksum_algorithm: checksum.algorithm, checksum_value: checksum.value, updated_at: now.getTime() })
        .where('id', '=', id)
        .where('status', '=', 'AWAITING_UPLOAD')
        .where('checksum_algorithm', 'is', null)
        .returningAll()
        .executeTakeFirst();
      return row && toRecord(row);
    },

    async recordProgress(id: string, promotedBytes: number, now = new Date()): Promise<FileRecord | undefined> {
      const row = await kysely.transaction().execute(async (trx) => {
        const updated = await trx
          .updateTable('files')
          .set({ promoted_bytes: promotedBytes, updated_at: now.getTime() })
          .where('id', '=', id)
          .where('status', '=', 'PROMOTING')
          .returningAll()
          .executeTakeFirst();
        if (updated) await notify(trx, { id, type: 'PROGRESS', at: now.getTime() });
        return updated;
      });
      return row && toRecord(row);
    },

    async listExpired(now: Date, limit: number): Promise<FileRecord[]> {
      const rows = await kysely
        .selectFrom('files')
        .selectAll()
        .where('status', '=', 'AWAITING_UPLOAD')
        .where('upload_deadline', '<=', now.getTime())
        .orderBy('upload_deadline')
        .limit(limit)
        .execute();
      return rows.map(toRecord);
    },

    async listChanged({ since, before, status, limit, after }): Promise<FileRecord[]> {
      let select = kysely.selectFrom('files').selectAll();
      if (status) select = select.where('status', '=', status);
      if (since) select = select.where('updated_at', '>=', since.getTime());
      if (before) select = select.where('updated_at', '<', before.getTime());
      if (after) {
        select = select.where((eb) =>
          eb.or([
            eb('updated_at', '>', after.updatedAt.getTime()),
            eb.and([eb('updated_at', '=', after.updatedAt.getTime()), eb('id', '>', after.id)]),
          ]),
        );
      }
      const rows = await select.orderBy('updated_at').orderBy('id').limit(limit).execute();
      return rows.map(toRecord);
    },

    openUploads: (tenant, owner) => openUploadsOf(kysely, tenant, owner),

    async ping(): Promise<boolean> {
      if (closed) return false;
      try {
        await sql`SELECT 1`.execute(kysely);
        return true;
      } catch {
        return false;
      }
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await options.close();
    },
  };
  return guardAvailability(repository, dialect);
}
