import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLfsPubSub } from './api/pubsub.js';
import { loadOrCreateSecret } from './auth/index.js';
import { connectStorage } from './aws/storage.js';
import type { Config } from './config.js';
import { connectDatabase } from './db/index.js';
import { createDisposalStack } from './disposal.js';
import { createFailpoint, type StepHook } from './failpoints.js';
import { urlHost } from './http/routes.js';
import { httpServerOptions } from './http/server-options.js';
import type { LocalAws } from '@lfs/local-aws';
import { createLogger, type Logger } from './logger.js';
import { makePrivateDir, tightenTree } from '@lfs/private-files';
import { createServices } from './services.js';

export interface App {
  /**
   * Opens the repository, connects the storage (starting the embedded
   * endpoint), builds the services, listens and starts the background loops.
   * If a step fails, what the earlier ones opened is closed before it throws.
   */
  start(): Promise<void>;
  /**
   * A rolling restart's stop (SIGTERM): refuses new connections, sends
   * graphql-ws clients away with 1012 (Service Restart, which they retry),
   * gives in-flight promotions the grace period, then closes everything
   * start() opened, newest first.
   */
  stop(): Promise<void>;
  /** Base URL of the GraphQL server, valid after start(). */
  readonly url: string;
  /** The embedded endpoint, when it runs in process. */
  readonly localAws: LocalAws | undefined;
  /** The HS256 secret tokens are checked against, valid after start(); empty with a JWKS URL. */
  readonly authSecret: string;
  readonly config: Config;
  readonly logger: Logger;
}

export interface AppOptions {
  logger?: Logger;
  /** Tests only: awaited at each named step of a promotion, to act there (see `StepHook`). */
  stepHook?: StepHook;
}

/** The composition root: builds LFS from its settings; nothing opens or listens until start(). */
export function createApp(config: Config, options: AppOptions = {}): App {
  const logger = options.logger ?? createLogger(config.logLevel);
  const failpoint = createFailpoint(config.failpoint);
  const pubsub = createLfsPubSub();
  const opened = createDisposalStack();
  let url = '';
  let authSecret = '';
  let localAws: LocalAws | undefined;
  let draining: (() => Promise<void>) | undefined;

  async function start(): Promise<void> {
    try {
      await secureDataDir(config, logger);
      const database = await connectDatabase(config.database, logger.child({ component: 'database' }));
      opened.defer(() => database.repository.close());
      const storage = await connectStorage(config, logger, opened);
      localAws = storage.localAws;
      // With a JWKS URL the identity provider signs tokens; no secret exists.
      if (!config.auth.jwksUrl) authSecret = config.auth.secret ?? (await loadOrCreateSecret(config.dataDir));

      const services = createServices({ config, logger, storage, database, authSecret, pubsub, failpoint, stepHook: options.stepHook });
      // With PostgreSQL, subscriptions hear of every instance's changes through the database.
      const listener = database.listen((event) => pubsub.publish('fileEvents', event));
      if (listener) {
        await listener.start();
        opened.defer(() => listener.stop());
      }
      const server = createServer(httpServerOptions(config), services.handle);
      const ws = services.attachWebSocket(server);
      opened.defer(async () => {
        await ws.close();
        await closeServer(server);
      });
      await listen(server, config.port, config.host);
      draining = async () => {
        // New connections are refused; subscribers are told to reconnect (to another instance behind the balancer).
        services.stopAccepting();
        server.close();
        await ws.restart();
      };
      url = `http://${urlHost(config.host)}:${(server.address() as AddressInfo).port}`;

      if (config.promotion.enabled) {
        services.background.start();
        opened.defer(() => services.background.stop());
      }
    } catch (error) {
      await opened.dispose().catch((failure: unknown) => logger.error({ err: failure }, 'could not close what a failed start opened'));
      throw error;
    }
  }

  return {
    start,
    async stop() {
      // First stop taking work, then let the background finish (in-flight promotions get the grace period), then close.
      await draining?.().catch((error: unknown) => logger.warn({ err: error }, 'could not drain connections'));
      draining = undefined;
      await opened.dispose();
    },
    get url() {
      return url;
    },
    get localAws() {
      return localAws;
    },
    get authSecret() {
      return authSecret;
    },
    config,
    logger,
  };
}

/** The data folder is its owner's alone; one an older version or a person left open is tightened. */
async function secureDataDir(config: Config, logger: Logger): Promise<void> {
  makePrivateDir(config.dataDir);
  await tightenTree(config.dataDir, {
    warn: (path, mode, error) => logger.warn({ path, mode: mode.toString(8), err: error }, 'left open to other users: cannot tighten'),
    // The embedded endpoint tightens its own folder when it starts.
    skip: config.aws.local ? config.aws.localDataDir : undefined,
  });
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => reject(error);
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
}

async function closeServer(server: Server): Promise<void> {
  // Also after a drain, which stopped the listening but left open connections (keep-alive, SSE streams).
  server.closeAllConnections();
  if (!server.listening) return;
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
