import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import { createYoga, type Plugin, type YogaInitialContext, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Authenticator } from '../auth/index.js';
import type { Config } from '../config.js';
import type { Caller } from '../files/model.js';
import type { FileRepository } from '../files/repository.js';
import type { UploadService } from '../uploads/upload-service.js';
import type { ApiServices, Context } from './context.js';
import { useBodyLimit } from './body-limit.js';
import { isPublicError, maskInternalError, useOperationErrorMasking } from './errors.js';
import { createGraphiQLPage } from './graphiql.js';
import { useIntrospectionLimit } from './introspection-limit.js';
import { armorPlugins } from './limits.js';
import { useOperationLog } from './operation-log.js';
import { useTokenExpiry } from './token-expiry.js';
import type { LfsPubSub } from './pubsub.js';
import { createProcessRateBuckets, createRateLimiter, type RateBuckets } from './rate-limit.js';
import { createRequestIds } from './request-id.js';
import { schema } from './schema/index.js';
import { attachGraphqlWs, GRAPHQL_PATH, type GraphqlWs } from './websocket.js';

export interface ApiOptions {
  config: Config;
  uploads: UploadService;
  pubsub: LfsPubSub;
  authenticator: Authenticator;
  logger: Logger;
  /** Read side of `Query.files`. */
  files: Pick<FileRepository, 'list'>;
  /** Where rate-limit buckets live: this process by default, the database when instances share limits. */
  rateBuckets?: RateBuckets;
  /** Mints the token GraphiQL opens with; only in development (see `GraphiQLPageOptions`). */
  developmentToken?: () => Promise<string>;
}

/** What the node:http adapter hands yoga alongside each request. */
export interface NodeServerContext {
  req: IncomingMessage;
  res: ServerResponse;
}

/** Set by the graphql-ws binding, which authenticates once per connection. */
interface SocketInitialContext {
  caller?: Caller;
  tokenExpiresAt?: Date;
  requestId?: string;
}

export interface Api {
  /**
   * node:http request handler (also `yoga.fetch` for tests) serving /graphql:
   * POST/GET, SSE subscriptions (`Accept: text/event-stream`) and GraphiQL.
   * Other paths are the caller's job: mount it only for /graphql.
   */
  yoga: YogaServerInstance<NodeServerContext, Context>;
  /** Attaches graphql-ws on path /graphql to an http.Server. */
  attachWebSocket(server: Server): GraphqlWs;
}

/** With GraphiQL off (production), the schema is not advertised either; schema.graphql is the published copy. */
const noIntrospection: Plugin = {
  onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule),
};

export function createApi(options: ApiOptions): Api {
  const { config, authenticator } = options;
  const rateBuckets = options.rateBuckets ?? createProcessRateBuckets();
  const logger = options.logger.child({ component: 'api' });
  const services: ApiServices = {
    config,
    uploads: options.uploads,
    files: options.files,
    pubsub: options.pubsub,
    logger,
    rateLimits: {
      requestUpload: createRateLimiter(config.api.rateLimits.requestUpload, rateBuckets, 'requestUpload'),
      refreshUploadCredentials: createRateLimiter(config.api.rateLimits.refreshUploadCredentials, rateBuckets, 'refreshUploadCredentials'),
    },
  };
  const requestIds = createRequestIds();
  const graphiql = createGraphiQLPage({ developmentToken: options.developmentToken, listenHost: config.host });

  const yoga = createYoga<NodeServerContext, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: config.graphiql ? graphiql.options : false,
    // The bundled GraphiQL works offline (yoga's default loads it from a CDN).
    renderGraphiQL: graphiql.render,
    landingPage: false,
    logging: false,
    // Several operations in one POST (a JSON array), each still limited by armor.
    batching: config.api.batchLimit > 0 ? { limit: config.api.batchLimit } : false,
    // No GraphQL file uploads: files go to the dock, never through this server's memory.
    multipart: false,
    context: async (initial: YogaInitialContext & Partial<NodeServerContext> & SocketInitialContext): Promise<Context> => {
      const requestId = initial.requestId ?? requestIds.of(initial.request);
      if ('caller' in initial) return { caller: initial.caller, tokenExpiresAt: initial.tokenExpiresAt, requestId, services };
      // No header: an anonymous context, so each field answers UNAUTHENTICATED
      // itself. A header that does not verify fails the whole request (401).
      const authorization = initial.request.headers.get('authorization') ?? undefined;
      if (authorization === undefined) return { requestId, services };
      const identity = await authenticator.verify(authorization).catch((error: unknown) => {
        logger.info({ requestId }, 'refused a bearer token');
        throw error;
      });
      return { caller: identity.caller, tokenExpiresAt: identity.expiresAt, requestId, services };
    },
    maskedErrors: {
      // Last line of defence for errors outside an operation (context, parsing);
      // operation errors were already masked with their request id.
      maskError: (error) => (isPublicError(error) ? error : maskInternalError(error, logger)),
    },
    plugins: [
      requestIds.plugin,
      useBodyLimit(config.api.maxBodyBytes),
      ...armorPlugins(config),
      useIntrospectionLimit,
      useTokenExpiry(),
      useOperationErrorMasking(logger),
      // After masking, so it records the codes the client saw.
      useOperationLog(logger),
      ...(config.graphiql ? [graphiql.plugin] : [noIntrospection]),
    ],
  });

  return {
    yoga,
    attachWebSocket: (server) =>
      attachGraphqlWs(server, yoga, authenticator, {
        connectionInitWaitTimeoutMs: config.api.wsInitTimeoutSeconds * 1000,
        maxPayloadBytes: config.api.maxBodyBytes,
        maxOperations: config.api.wsMaxSubscriptions,
      }),
  };
}
