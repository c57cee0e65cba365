import { pino } from 'pino';
import pg from 'pg';
import { inject } from 'vitest';
import { connectDatabase, type Database } from '../../src/db/index.js';

export const silentLogger = pino({ level: 'silent' });

/**
 * A new, empty database on the run's shared PostgreSQL (test/setup/postgres.ts),
 * waiting for the server if it is still starting; returns its URL.
 */
export async function postgresDatabase(timeoutMs = 60_000): Promise<string> {
  const port = inject('postgresPort');
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const name = `lfs_${crypto.randomUUID().replaceAll('-', '')}`;
      await client.query(`CREATE DATABASE ${name}`);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the shared PostgreSQL did not answer on port ${port}: ${String(error)}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** A migrated database of either dialect: SQLite at `sqlitePath`, or a fresh PostgreSQL database. */
export async function openTestDatabase(dialect: 'sqlite' | 'postgres', sqlitePath = ':memory:'): Promise<Database> {
  const url = dialect === 'postgres' ? await postgresDatabase() : undefined;
  return connectDatabase({ url, sqlitePath, poolSize: 5 }, silentLogger);
}
