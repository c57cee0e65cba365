import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makePrivateDir, tightenTree } from '@lfs/private-files';
import { openLocalDb, type LocalDb } from './db.js';
import { createDispatcher } from './dispatch.js';
import { createHttpServer } from './http.js';
import { createIam } from './iam/api/index.js';
import { createCredentialStore } from './iam/credentials.js';
import { loadKmsMasterKey } from './iam/key-files.js';
import { createRoleStore, type Role, type RoleDefinition, type RoleStore } from './iam/roles.js';
import { createKms } from './kms/api/index.js';
import { createKeyRing, type KeyRing } from './kms/index.js';
import { createS3, type S3 } from './s3/index.js';
import { SealingPool } from './sealing/pool.js';
import { createSqs, type Sqs } from './sqs/index.js';
import { createUserStore } from './iam/users.js';
import { createSts } from './sts/index.js';
import type { RootCredentials } from './types.js';

export interface LocalAwsLogger {
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  error(o: object, msg?: string): void;
}

export interface LocalAwsOptions {
  /** Everything lives under it: metadata db, object blobs, credentials. */
  dataDir: string;
  /** @default 4566; 0 = a free port */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 'us-east-1' */
  region?: string;
  /** @default '000000000000' */
  accountId?: string;
  /** Else read from, or generated into, the data dir. */
  rootCredentials?: RootCredentials;
  /**
   * More accounts (12-digit ids), each with its own root credentials, read
   * from or generated into `root-credentials-<account>.json` in the data dir
   * (`accountCredentials`). Their principals (root, users, roles made over
   * the IAM API) reach the main account's buckets, queues and keys only
   * where a resource policy lets them in. @default none
   */
  extraAccounts?: string[];
  /**
   * Serve HTTPS with this certificate and key (PEM files, read at start()).
   * Requests then count as TLS for `aws:SecureTransport`. @default HTTP
   */
  tls?: { certFile: string; keyFile: string };
  /** Count connections as TLS (behind a TLS proxy) for aws:SecureTransport. @default false */
  secureTransport?: boolean;
  /** Passed to STS; tests use 1. @default 900 */
  minSessionDurationSeconds?: number;
  /** Length of a lifecycle-rule "day" in seconds; tests shorten it. @default 86400 */
  lifecycleDaySeconds?: number;
  /**
   * Open multipart uploads one key may have; the next CreateMultipartUpload is
   * refused with `InvalidRequest` (400) until one completes or is aborted.
   * A safeguard of this endpoint (AWS has no such limit): one set of
   * credentials for one key cannot stage 10,000 parts in unlimited uploads.
   * @default 10
   */
  maxUploadsPerKey?: number;
  /** @default no logging */
  logger?: LocalAwsLogger;
}

export interface LocalAws {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** `http://host:port` (`https://` with `tls`), valid after start(). */
  readonly url: string;
  readonly region: string;
  readonly accountId: string;
  /** The main account's, valid after start(). */
  readonly rootCredentials: RootCredentials;
  /** Every account's root credentials, the main account first (after start()). */
  readonly accountCredentials: ReadonlyMap<string, RootCredentials>;
  /** Creates an IAM role in the main account, or replaces its policies (and trust policy, when given) (after start()). */
  putRole(definition: RoleDefinition): Role;
  /** The KMS key for `alias/<x>` (or a key id/ARN), created on first use (after start()). */
  ensureKey(aliasOrId: string): { keyId: string; arn: string };
  /** Applies the buckets' lifecycle rules now (the endpoint also does it on a timer, every 1/24 day). */
  sweepLifecycle(): Promise<{ objects: number; uploads: number }>;
}

interface Running {
  db: LocalDb;
  accounts: ReadonlyMap<string, RootCredentials>;
  server: Server;
  sqs: Sqs;
  roles: RoleStore;
  kms: KeyRing;
  root: RootCredentials;
  url: string;
  s3: S3;
  pool: SealingPool;
  timer: NodeJS.Timeout;
}

const silent: LocalAwsLogger = { info() {}, warn() {}, error() {} };

/**
 * The embedded AWS-compatible endpoint (S3, STS, SQS, IAM, KMS) on
 * local disk. Building it touches nothing; start() opens the database and
 * the port, stop() closes both.
 */
export function createLocalAws(options: LocalAwsOptions): LocalAws {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const logger = options.logger ?? silent;
  for (const account of options.extraAccounts ?? []) {
    if (!/^\d{12}$/.test(account) || account === accountId) throw new RangeError(`extraAccounts must be 12-digit ids other than the main account, got ${account}`);
  }
  if (options.maxUploadsPerKey !== undefined && !(Number.isInteger(options.maxUploadsPerKey) && options.maxUploadsPerKey >= 1)) {
    throw new RangeError(`maxUploadsPerKey must be a positive integer, got ${options.maxUploadsPerKey}`);
  }
  let running: Running | undefined;

  const require = (): Running => {
    if (!running) throw new Error('LocalAws is not started');
    return running;
  };

  return {
    get url() {
      return require().url;
    },
    region,
    accountId,
    get rootCredentials() {
      return require().root;
    },
    get accountCredentials() {
      return require().accounts;
    },

    async start() {
      if (running) return;
      makePrivateDir(options.dataDir);
      await tightenTree(options.dataDir, {
        warn: (path, mode, error) => logger.warn({ path, mode: mode.toString(8), err: error }, 'left open to other users: cannot tighten'),
      });
      const db = openLocalDb(options.dataDir);
      const pool = new SealingPool();
      try {
        pool.start();
        const roles = createRoleStore({ db, accountId });
        const users = createUserStore(db);
        const credentials = createCredentialStore({ db, dataDir: options.dataDir, accountId, root: options.rootCredentials, extraAccounts: options.extraAccounts, roles, users });
        const iam = createIam({ roles, users });
        const sts = createSts({ credentials, roles, accountId, minSessionDurationSeconds: options.minSessionDurationSeconds });
        let url = '';
        const sqs = createSqs({ db, region, accountId, baseUrl: () => url });
        const kms = createKeyRing({
          db,
          region,
          accountId,
          masterKey: loadKmsMasterKey(options.dataDir),
          onWrapped: (count) => logger.warn({ count }, 'KMS keys of an older version now wrapped by kms-master.key: back it up with the database'),
        });
        const dayMs = (options.lifecycleDaySeconds ?? 86_400) * 1000;
        const s3 = createS3({ db, dataDir: options.dataDir, region, accountId, kms, sqs, pool, logger, lifecycleDayMs: dayMs, maxUploadsPerKey: options.maxUploadsPerKey });
        await s3.init();
        const kmsApi = createKms({ ring: kms, accountId, region });
        const tls = options.tls && { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) };
        const server = createHttpServer(createDispatcher({ credentials, s3, sts, sqs, iam, kms: kmsApi, logger }), options.secureTransport ?? false, tls);
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(options.port ?? 4566, options.host ?? '127.0.0.1', () => {
            server.off('error', reject);
            resolve();
          });
        });
        const address = server.address() as AddressInfo;
        const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        url = `${tls ? 'https' : 'http'}://${host}:${address.port}`;
        let sweeping = false;
        const timer = setInterval(() => {
          if (sweeping) return;
          sweeping = true;
          s3.sweepLifecycle()
            .catch((error: unknown) => logger.error({ err: error }, 'lifecycle sweep failed'))
            .finally(() => (sweeping = false));
        }, Math.min(3_600_000, Math.max(50, dayMs / 24)));
        timer.unref();
        running = { db, accounts: credentials.accounts, server, sqs, roles, kms, root: credentials.root, url, s3, pool, timer };
        logger.info({ url, dataDir: options.dataDir }, 'local AWS endpoint listening');
      } catch (error) {
        await pool.close();
        db.close();
        throw error;
      }
    },

    async stop() {
      if (!running) return;
      const { server, sqs, db, pool, timer } = running;
      running = undefined;
      clearInterval(timer);
      sqs.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.close();
      db.close();
    },

    putRole(definition) {
      return require().roles.put(definition);
    },

    sweepLifecycle() {
      return require().s3.sweepLifecycle();
    },

    ensureKey(aliasOrId) {
      const { keyId, arn } = require().kms.ensure(aliasOrId);
      return { keyId, arn };
    },
  };
}
