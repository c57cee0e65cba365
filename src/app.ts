import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLfsPubSub } from './api/pubsub.js';
import type { GraphqlWs } from './api/websocket.js';
import { loadOrCreateSecret } from './auth/index.js';
import { connectStorage, type Connection, type QueueUrls, type Storage } from './aws/storage.js';
import type { Config } from './config.js';
import { connectDatabase } from './db/index.js';
import { createDisposalStack } from './disposal.js';
import { createFailpoint, type StepHook } from './failpoints.js';
import { urlHost } from './http/routes.js';
import { createNotReadyHandler } from './http/not-ready.js';
import { httpServerOptions } from './http/server-options.js';
import type { LocalAws } from '@lfs/local-aws';
import { createLogger, type Logger } from './logger.js';
import { makePrivateDir, tightenTree } from '@lfs/private-files';
import { resolveStorage } from './provision/start.js';
import { createServices, type Services } from './services.js';

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
  /**
   * What keeps LFS from being ready: each missing or drifted resource with
   * its fix. Empty once ready; LFS checks again every
   * LFS_RESOURCE_RECHECK_SECONDS until it is.
   */
  readonly problems: readonly string[];
  /** The queues' URLs (dock events, its dead letters, file events), once ready. */
  readonly queues: QueueUrls | undefined;
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
  let queues: QueueUrls | undefined;

  let problems: string[] = [];

  async function start(): Promise<void> {
    try {
      await secureDataDir(config, logger);
      const database = await connectDatabase(config.database, logger.child({ component: 'database' }));
      opened.defer(() => database.repository.close());
      const connection = await connectStorage(config, logger, opened);
      localAws = connection.localAws;
      // With a JWKS URL the identity provider signs tokens; no secret exists.
      if (!config.auth.jwksUrl) authSecret = config.auth.secret ?? (await loadOrCreateSecret(config.dataDir));
      // With PostgreSQL, subscriptions hear of every instance's changes through the database.
      const listener = database.listen((event) => pubsub.publish('fileEvents', event));
      if (listener) {
        await listener.start();
        opened.defer(() => listener.stop());
      }

      let handle: Services['handle'] = createNotReadyHandler(() => problems);
      const server = createServer(httpServerOptions(config), (req, res) => handle(req, res));
      const closers: Array<() => Promise<void>> = [];
      opened.defer(async () => {
        for (const close of closers.reverse()) await close();
        await closeServer(server);
      });
      let served: { services: Services; ws: GraphqlWs } | undefined;
      const serve = (storage: Storage) => {
        const services = createServices({ config, logger, storage, database, authSecret, pubsub, failpoint, stepHook: options.stepHook });
        handle = services.handle;
        queues = storage.resources;
        const ws = services.attachWebSocket(server);
        served = { services, ws };
        closers.push(() => ws.close());
        if (config.promotion.enabled) {
          services.background.start();
          closers.push(() => services.background.stop());
        }
      };
      const resolution = await resolveStorage(config, connection, logger);
      for (const warning of resolution.warnings) logger.warn(warning);
      if (resolution.ready) serve(resolution.storage);
      else waitForResources(connection, resolution.problems, serve);
      await listen(server, config.port, config.host);
      draining = async () => {
        // New connections are refused; subscribers are told to reconnect (to another instance behind the balancer).
        served?.services.stopAccepting();
        server.close();
        await served?.ws.restart();
      };
      url = `http://${urlHost(config.host)}:${(server.address() as AddressInfo).port}`;
    } catch (error) {
      await opened.dispose().catch((failure: unknown) => logger.error({ err: failure }, 'could not close what a failed start opened'));
      throw error;
    }
  }

  /**
   * Serves "not ready" (each problem with its fix) and checks again every
   * interval: once an operator has run `lfs provision`, LFS becomes ready
   * by itself. A problem is logged when it appears, not at every check.
   */
  function waitForResources(connection: Connection, found: string[], serve: (storage: Storage) => void): void {
    const report = (next: string[]) => {
      for (const problem of next) if (!problems.includes(problem)) logger.error(problem);
      problems = next;
    };
    report(found);
    let checking = false;
    let stopped = false;
    const timer = setInterval(() => {
      if (checking) return;
      checking = true;
      resolveStorage(config, connection, logger)
        .then((resolution) => {
          if (stopped) return;
          if (!resolution.ready) return report(resolution.problems);
          clearInterval(timer);
          problems = [];
          serve(resolution.storage);
          logger.info('the resources LFS needs are in place: ready');
        })
        .catch((error: unknown) => logger.error({ err: error }, 'could not check the resources LFS needs'))
        .finally(() => (checking = false));
    }, config.aws.resourceRecheckSeconds * 1000);
    opened.defer(async () => {
      stopped = true;
      clearInterval(timer);
    });
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
    get problems() {
      return problems;
    },
    get queues() {
      return queues;
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
