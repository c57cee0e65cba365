import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Authenticator, Identity } from '../auth/index.js';
import type { ErrorCode } from '../errors.js';

export const GRAPHQL_PATH = '/graphql';

/**
 * Sent to every graphql-ws client when this instance restarts: 1012
 * "Service Restart" is one of the codes the graphql-ws client reconnects on
 * (with its retry back-off), so behind a load balancer subscribers resume on
 * another instance by themselves.
 */
export const SERVICE_RESTART = 1012;

export interface GraphqlWs {
  /** Refuses new sockets and closes the open ones with 1012, for clients to reconnect elsewhere. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

interface Enveloped {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

export interface WebSocketOptions {
  /** A socket that sends no connection_init within this is closed with 4408. @default 3000 */
  connectionInitWaitTimeoutMs?: number;
  /** Largest message accepted; bigger ones close the socket (1009). @default 256 KiB */
  maxPayloadBytes?: number;
  /** Operations (subscriptions, running queries and mutations) one connection may run at once. @default 100 */
  maxOperations?: number;
}

/** setTimeout's longest delay; later expiries re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Closes `socket` with 4401 when its token expires: a subscription must not
 * outlive the credential that opened it.
 */
function closeAtExpiry(socket: WebSocket, expiresAt: Date): void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const remaining = expiresAt.getTime() - Date.now();
    timer = remaining > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(() => socket.close(CloseCode.Unauthorized, 'Token expired'), Math.max(0, remaining));
  };
  arm();
  socket.once('close', () => clearTimeout(timer));
}

/**
 * graphql-ws on the same path as HTTP GraphQL. The token comes once, in
 * `connectionParams.authorization`; a connection without a valid one is
 * closed with 4403 before any operation runs, and an authenticated one with
 * 4401 when its token expires. At most `maxOperations` run at once per
 * connection; one more gets a RATE_LIMITED error and the connection stays
 * open. Operations go through yoga's envelop (getEnveloped), so the schema,
 * context, masking, limits and plugins are the same as over HTTP.
 */
export function attachGraphqlWs(
  server: Server,
   
  yoga: YogaServerInstance<any, any>,
  authenticator: Authenticator,
  options: WebSocketOptions = {},
): GraphqlWs {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes ?? 256 * 1024 });
  const identities = new WeakMap<object, Identity>();
  const maxOperations = options.maxOperations ?? 100;

  const disposable = useServer<Record<string, unknown> | undefined, { socket: WebSocket; request: IncomingMessage }>(
    {
      connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs ?? 3_000,
      onConnect: async ({ connectionParams, extra }) => {
        const authorization = connectionParams?.authorization ?? connectionParams?.Authorization;
        try {
          const identity = await authenticator.verify(typeof authorization === 'string' ? authorization : undefined);
          identities.set(extra.socket, identity);
          closeAtExpiry(extra.socket, identity.expiresAt);
          return true;
        } catch {
          return false; // graphql-ws closes with 4403 Forbidden
        }
      },
      execute: (args) => (args.rootValue as Enveloped).execute(args) as never,
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args) as never,
      onSubscribe: async (ctx, _id, params) => {
        // graphql-ws lists every running operation of the connection, this one included, and drops each as it completes.
        if (Object.keys(ctx.subscriptions).length > maxOperations) {
          return [
            new GraphQLError(`A connection may run at most ${maxOperations} subscriptions and operations at once; complete one first`, {
              extensions: { code: 'RATE_LIMITED' satisfies ErrorCode },
            }),
          ];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
          // Read by the context factory instead of an Authorization header.
          caller: identities.get(ctx.extra.socket)?.caller,
          tokenExpiresAt: identities.get(ctx.extra.socket)?.expiresAt,
          requestId: randomUUID(),
        });
        let document;
        try {
          document = parse(params.query);
          // Limit plugins (graphql-armor) throw from validation rather than return; both are the client's error.
          const errors = validate(schema, document);
          if (errors.length > 0) return errors;
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const args: ExecutionArgs = {
          schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies Enveloped,
        };
        return args;
      },
    },
    wss,
  );

  let restarting = false;
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === GRAPHQL_PATH && restarting) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n');
    } else if (path === GRAPHQL_PATH) {
      wss.handleUpgrade(request, socket, head, (client) => wss.emit('connection', client, request));
    } else if (server.listenerCount('upgrade') === 1) {
      // Nobody else serves WebSockets on this server: refuse instead of leaving the socket hanging.
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
  };
  server.on('upgrade', onUpgrade);

  return {
    async restart() {
      restarting = true;
      const closed = [...wss.clients].map((client) => new Promise<void>((resolve) => {
        if (client.readyState === client.CLOSED) return resolve();
        client.once('close', () => resolve());
        client.close(SERVICE_RESTART, 'Service Restart');
      }));
      // A client that never answers the close handshake is cut off at close().
      await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    },
    async close() {
      server.off('upgrade', onUpgrade);
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
