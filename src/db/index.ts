import type { FileEvent } from '../files/model.js';
import type { FileRepository } from '../files/repository.js';
import type { Locks } from '../locks.js';
import type { Logger } from '../logger.js';
import { openDatabase, type DatabaseOptions } from './connect.js';
import { guardAvailability } from './errors.js';
import { createLeases, type Leases } from './leases.js';
import { createFileEventListener, type FileEventListener } from './listener.js';
import { createDatabaseLocks } from './locks.js';
import { migrate, type MigrationReport } from './migrations.js';
import { createDatabaseRateBuckets } from './rate-buckets.js';
import { createFileRepository } from './repository.js';
import type { Dialect } from './schema.js';

export type { DatabaseOptions } from './connect.js';
export { NewerSchemaError } from './migrations.js';

/** Everything LFS keeps in its database, opened and migrated. */
export interface Database {
  dialect: Dialect;
  /** Closes the database too. */
  repository: FileRepository;
  leases: Leases;
  locks: Locks;
  /** Token buckets shared by instances; see api/rate-limit.ts. */
  rateBuckets: ReturnType<typeof createDatabaseRateBuckets>;
  /**
   * PostgreSQL only: the events of every instance (db/listener.ts), to be
   * started once subscriptions can be served. Undefined with SQLite, where
   * events stay in process.
   */
  listen(deliver: (event: FileEvent) => void): FileEventListener | undefined;
  migration: MigrationReport;
}

/**
 * Opens the database the settings name, brings its schema up to date
 * (refusing one a newer LFS migrated), and builds what lives in it. A
 * failure closes what was opened.
 */
export async function connectDatabase(options: DatabaseOptions, logger: Logger): Promise<Database> {
  const db = openDatabase(options, logger);
  try {
    const migration = await guardAvailability({ run: () => migrate(db) }, db.dialect).run();
    if (migration.from !== migration.to) logger.info(migration, 'migrated the file database');
    const repository = createFileRepository(db, { close: () => db.close() });
    return {
      dialect: db.dialect,
      repository,
      leases: guardAvailability(createLeases(db), db.dialect),
      locks: createDatabaseLocks(db),
      rateBuckets: guardAvailability(createDatabaseRateBuckets(db), db.dialect),
      listen: (deliver) =>
        db.pgConfig && createFileEventListener({ pgConfig: db.pgConfig, repository, deliver, logger: logger.child({ component: 'file-events-listener' }) }),
      migration,
    };
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}

/** `lfs migrate`: brings the schema up to date and closes. */
export async function migrateDatabase(options: DatabaseOptions, logger: Logger): Promise<MigrationReport> {
  const db = openDatabase(options, logger);
  try {
    return await migrate(db);
  } finally {
    await db.close();
  }
}
