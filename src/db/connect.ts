import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { dirname } from 'node:path';
import pg from 'pg';
import { makePrivateDir, makePrivateFile } from '@lfs/private-files';
import type { Logger } from '../logger.js';
import type { Db, Tables } from './schema.js';
import { reusingStatements } from './sqlite-statements.js';

export interface DatabaseOptions {
  /** `postgres://…` (TLS through `sslmode`, `sslrootcert`… in the URL); undefined means SQLite at `sqlitePath`. */
  url?: string;
  /** SQLite file; `:memory:` for a throwaway database. Its folder is created when missing. */
  sqlitePath: string;
  /** PostgreSQL connections per instance. @default 10 */
  poolSize?: number;
  /** PostgreSQL cancels a statement running longer than this; 0 for none. @default 10000 */
  statementTimeoutMs?: number;
  /** A connection attempt that takes longer fails (the database counts as unavailable). @default 5000 */
  connectTimeoutMs?: number;
}

/** An open database and how to close it; `pgConfig` lets a listener open its own connection. */
export interface OpenDb extends Db {
  pgConfig?: pg.ClientConfig;
  close(): Promise<void>;
}

/** BIGINT columns (times in ms, sizes) come back as numbers: every value LFS keeps is below 2^53. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//.test(url);
}

/** The PostgreSQL connection settings every connection of LFS uses (the pool's and the listener's). */
export function postgresConfig(options: DatabaseOptions): pg.ClientConfig {
  return {
    connectionString: options.url,
    application_name: 'lfs',
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    keepAlive: true,
    types,
  };
}

/** Opens (without migrating) the database the options name. */
export function openDatabase(options: DatabaseOptions, logger: Logger): OpenDb {
  if (isPostgresUrl(options.url)) {
    const pgConfig = postgresConfig(options);
    const pool = new pg.Pool({ ...pgConfig, max: options.poolSize ?? 10 });
    // A connection the server drops (a restart, a failover) must not crash the process: an 'error' event nobody hears
    // is an uncaught exception. The pool hears its idle ones only; one checked out (a transaction holding a lock
    // around an S3 call) needs a listener of its own. Its statement fails, and the pool replaces it.
    pool.on('connect', (client) => client.on('error', (error) => logger.warn({ err: error }, 'a database connection failed')));
    pool.on('error', () => undefined); // logged by the connection's own listener
    const kysely = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
    return { kysely, dialect: 'postgres', pgConfig, close: () => kysely.destroy() };
  }
  if (options.sqlitePath !== ':memory:') {
    makePrivateDir(dirname(options.sqlitePath));
    makePrivateFile(options.sqlitePath);
  }
  const sqlite = new Database(options.sqlitePath);
  // WAL lets readers run while the promotion worker writes, and survives kill -9.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  const kysely = new Kysely<Tables>({ dialect: new SqliteDialect({ database: reusingStatements(sqlite) }) });
  return { kysely, dialect: 'sqlite', close: () => kysely.destroy() };
}
