import type Database from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** Statements kept: LFS sends a few dozen distinct SQL texts; the bound only guards against an unforeseen variety. */
const KEPT_STATEMENTS = 500;

/**
 * better-sqlite3 for Kysely's SqliteDialect, each SQL text prepared once:
 * Kysely's driver prepares every query anew (BEGIN and COMMIT included), and
 * parsing and planning cost about as much as running the short statements
 * LFS sends. Reuse is safe: the driver runs one statement at a time on the
 * one connection through all() or run(), which finish before they return;
 * a statement still iterating (`busy`, a streamed query) is not handed out
 * again, a fresh one is. SQLite re-prepares a statement by itself when the
 * schema changed under it (a migration).
 */
export function reusingStatements(sqlite: Database.Database): SqliteDatabase {
  const statements = new Map<string, Database.Statement>();
  return {
    prepare(sql) {
      const kept = statements.get(sql);
      if (kept && !kept.busy) return kept;
      const statement = sqlite.prepare(sql);
      if (kept) return statement;
      if (statements.size >= KEPT_STATEMENTS) statements.delete(statements.keys().next().value!);
      statements.set(sql, statement);
      return statement;
    },
    close() {
      statements.clear();
      sqlite.close();
    },
  };
}
