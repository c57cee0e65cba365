import { z } from 'zod';
import { failpointNames } from '../failpoints.js';
import { bool, int } from './fields.js';

/** Where LFS listens and keeps its data, how it logs, and how it stops. */
export const serverSettings = {
  /** HTTP port of the GraphQL server. @default 4000 */
  LFS_PORT: int(0, 65535).default(4000),
  /** @default 127.0.0.1 */
  LFS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Where SQLite, the secret and the embedded endpoint's data live. @default ./.lfs */
  LFS_DATA_DIR: z.string().min(1).default('./.lfs'),
  /** debug | info | warn | error | silent. @default info */
  LFS_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /**
   * Serve GraphiQL and introspection. On by default only in development (the
   * embedded endpoint with the secret LFS generated), off otherwise.
   * @default true in development, false otherwise
   */
  LFS_GRAPHIQL: bool.optional(),
  /** Seconds a worker waits for in-flight promotions at shutdown before handing their messages back. @default 20 */
  LFS_SHUTDOWN_GRACE_SECONDS: int(0, 3600).default(20),
  /** Test only: die with SIGKILL at this point of the promotion (see src/failpoints.ts). */
  LFS_FAILPOINT: z.enum(failpointNames).optional(),
};
