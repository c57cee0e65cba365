import type { Command } from 'commander';
import { settings } from './runtime.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .summary("bring the file database's schema up to date and print its version")
    .description(
      "Migrates the file database (LFS_DATABASE_URL, else SQLite in LFS_DATA_DIR) to this build's schema and prints its version; `lfs serve` does the same at start. Refuses, in one line and changing nothing, a database a newer LFS migrated.",
    )
    .action(async () => {
      const config = await settings();
      const [{ migrateDatabase }, { createLogger }] = await Promise.all([import('../db/index.js'), import('../logger.js')]);
      const { from, to } = await migrateDatabase(config.database, createLogger(config.logLevel));
      const where = config.database.url ? 'PostgreSQL' : config.database.sqlitePath;
      process.stdout.write(
        from === to ? `The file database (${where}) is at schema version ${to}; nothing to do.\n` : `Migrated the file database (${where}) from schema version ${from} to ${to}.\n`,
      );
    });
}
