import { z } from 'zod';
import { int } from './fields.js';

/** Where file records live: SQLite in the data folder by default, PostgreSQL for several instances. */
export const databaseSettings = {
  /**
   * `postgres://user:password@host:5432/lfs`: file records in PostgreSQL,
   * shared by every instance. TLS is set in the URL (`sslmode=verify-full`,
   * `sslrootcert=/path/ca.pem`, …). Unset: SQLite in LFS_DATA_DIR.
   */
  LFS_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'a PostgreSQL URL such as postgres://user:password@host:5432/lfs')
    .optional(),
  /** PostgreSQL connections per instance. @default 10 */
  LFS_DATABASE_POOL_SIZE: int(1, 1000).default(10),
  /** PostgreSQL cancels a statement running longer than this, ms; 0 for none. @default 10000 */
  LFS_DATABASE_STATEMENT_TIMEOUT_MS: int(0, 3_600_000).default(10_000),
  /** A connection attempt taking longer fails: the database counts as unavailable, ms. @default 5000 */
  LFS_DATABASE_CONNECT_TIMEOUT_MS: int(100, 600_000).default(5_000),
};
