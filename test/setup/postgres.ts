import type { TestProject } from 'vitest/node';
import { freePort, startPostgres, type Postgres } from '../helpers/postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Port of the PostgreSQL the run shares (see test/helpers/databases.ts). */
    postgresPort: number;
  }
}

/**
 * Vitest global setup: one PostgreSQL for the whole run, shared by every
 * test that needs one, each in a database of its own. It starts in the
 * background: tests that never ask for it do not wait for it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const port = await freePort();
  const started: Promise<Postgres | undefined> = startPostgres({ port }).catch((error: unknown) => {
    process.stderr.write(`the shared PostgreSQL did not start: ${String(error)}\n`);
    return undefined;
  });
  project.provide('postgresPort', port);
  return async () => {
    await (await started)?.destroy();
  };
}
