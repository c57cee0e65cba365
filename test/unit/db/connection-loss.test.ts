import { sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDb } from '../../../src/db/connect.js';
import { postgresDatabase } from '../../helpers/databases.js';
import { until } from '../../helpers/process.js';

/**
 * PostgreSQL going away (a restart, a failover) while LFS holds a
 * connection between two statements of a transaction (a lock held around an
 * S3 call): the transaction fails, and nothing else. A checked-out
 * connection has no listener of the pool's: its 'error' event, unheard,
 * would be an uncaught exception that takes the whole process down.
 */
describe('a PostgreSQL connection lost while checked out', () => {
  let db: OpenDb | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('fails its transaction only: logged, the process lives on, and the pool serves the next statement', async () => {
    const url = await postgresDatabase();
    const logged: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logged.push(line) });
    db = openDatabase({ url, sqlitePath: ':memory:', poolSize: 2 }, logger);
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', record);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const transaction = db.kysely.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
        // The server ends this session while it idles in the transaction, as a restart would.
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
        await until('the connection to hear of it', async () => uncaught.length > 0 || logged.length > 0);
        await sql`SELECT 1`.execute(trx);
      });
      await expect(transaction).rejects.toThrow();
      expect(uncaught).toEqual([]);
      expect(logged.join('')).toContain('a database connection failed');
      const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(db.kysely);
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      process.off('uncaughtException', record);
      await admin.end();
    }
  });
});
