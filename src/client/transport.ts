import { createClient, type Client } from 'graphql-ws';
import { LfsError, type LfsErrorCode } from './errors.js';
import type { TypedDocumentString } from './gql/graphql.js';

/** A bearer token, or a function giving one (called for every request and connection, so it may renew it). */
export type TokenSource = string | (() => string | Promise<string>);

export interface TransportOptions {
  /** The GraphQL endpoint; graphql-ws is served on the same path. */
  url: string;
  token: TokenSource;
  fetch: typeof fetch;
  /** A WebSocket constructor where there is no global one (Node 20: the `ws` package). */
  webSocketImpl?: unknown;
}

interface GraphQLResponse<Result> {
  data?: Result | null;
  errors?: ReadonlyArray<{ message: string; extensions?: { code?: string } }>;
}

export interface Transport {
  /** A query or mutation over HTTP; GraphQL errors become LfsErrors with their code. */
  execute<Result, Variables>(document: TypedDocumentString<Result, Variables>, variables: Variables, signal?: AbortSignal): Promise<Result>;
  /** A subscription over graphql-ws, until it completes or the consumer stops. */
  subscribe<Result, Variables>(document: TypedDocumentString<Result, Variables>, variables: Variables): AsyncIterableIterator<Result>;
  token(): Promise<string>;
  close(): Promise<void>;
}

const apiCodes = new Set<string>([
  'UNAUTHENTICATED',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'RATE_LIMITED',
  'QUOTA_EXCEEDED',
  'PAYLOAD_TOO_LARGE',
  'LENGTH_REQUIRED',
  'INTERNAL',
]);

/** The LfsError of a GraphQL error list (the first error's code names it). */
export function errorOf(errors: ReadonlyArray<{ message: string; extensions?: { code?: string } }>): LfsError {
  const code = errors[0]?.extensions?.code;
  return new LfsError(code && apiCodes.has(code) ? (code as LfsErrorCode) : 'INTERNAL', errors.map((error) => error.message).join('; '));
}

/** fetch for queries and mutations, graphql-ws for subscriptions: no GraphQL client framework. */
export function createTransport(options: TransportOptions): Transport {
  const token = async () => (typeof options.token === 'string' ? options.token : options.token());
  let socket: Client | undefined;

  function ws(): Client {
    socket ??= createClient({
      url: options.url.replace(/^http/, 'ws'),
      connectionParams: async () => ({ authorization: `Bearer ${await token()}` }),
      webSocketImpl: options.webSocketImpl,
      lazy: true,
      // Reconnects re-subscribe; the subscriptions replay a final state, so nothing is missed meanwhile.
      retryAttempts: 3,
    });
    return socket;
  }

  return {
    token,

    async execute(document, variables, signal) {
      let response: Response;
      try {
        response = await options.fetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${await token()}` },
          body: JSON.stringify({ query: document.toString(), variables }),
          signal,
        });
      } catch (error) {
        if (signal?.aborted) throw new LfsError('ABORTED', 'aborted', { cause: error });
        throw new LfsError('NETWORK', `LFS could not be reached at ${options.url}: ${(error as Error).message}`, { cause: error });
      }
      let body: GraphQLResponse<never>;
      try {
        body = (await response.json()) as GraphQLResponse<never>;
      } catch (error) {
        throw new LfsError('NETWORK', `LFS answered ${response.status} without GraphQL`, { cause: error });
      }
      if (body.errors?.length) throw errorOf(body.errors);
      if (!body.data) throw new LfsError('INTERNAL', `LFS answered ${response.status} without data`);
      return body.data;
    },

    subscribe(document, variables) {
      const results = ws().iterate<never, never>({ query: document.toString(), variables: variables as Record<string, unknown> });
      return {
        async next() {
          let result: IteratorResult<GraphQLResponse<never>>;
          try {
            result = (await results.next()) as IteratorResult<GraphQLResponse<never>>;
          } catch (error) {
            throw socketError(error);
          }
          if (result.done) return { done: true, value: undefined };
          if (result.value.errors?.length) throw errorOf(result.value.errors);
          return { done: false, value: result.value.data! };
        },
        async return() {
          await results.return?.();
          return { done: true, value: undefined };
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
    },

    async close() {
      await socket?.dispose();
      socket = undefined;
    },
  };
}

/** graphql-ws fails with a close event, a GraphQL error list, or an Error. */
function socketError(error: unknown): LfsError {
  if (Array.isArray(error)) return errorOf(error);
  const event = error as { code?: number; reason?: string; message?: string };
  if (event.code === 4403 || event.code === 4401) return new LfsError('UNAUTHENTICATED', `LFS closed the subscription: ${event.reason || event.code}`);
  return new LfsError('NETWORK', `subscription failed: ${event.reason || event.message || event.code || String(error)}`, { cause: error });
}
