import { S3Client } from '@aws-sdk/client-s3';
import { createParser } from 'eventsource-parser';
import { createClient, type Client } from 'graphql-ws';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createApp, type App, type AppOptions } from '../../src/app.js';
import { mintToken } from '../../src/auth/index.js';
import { loadConfig } from '../../src/config.js';

export interface Stack {
  app: App;
  dataDir: string;
  /** A signed bearer token for `sub`. */
  token(sub: string, options?: { tenant?: string; admin?: boolean; expiresIn?: number | string }): Promise<string>;
  /** POST a GraphQL operation; returns the parsed JSON response. */
  graphql<T = any>(token: string | undefined, query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: any[] }>;
  /** A graphql-ws client authenticated with `token` (closed by stop()). */
  ws(token: string | undefined): Client;
  /** S3 client with the endpoint's root credentials. */
  rootS3(): S3Client;
  stop(): Promise<void>;
}

/** The settings every test stack runs with: free ports, a temp data folder, short STS sessions allowed. */
export function testEnv(dataDir: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    LFS_DATA_DIR: dataDir,
    LFS_PORT: '0',
    LFS_LOCAL_AWS_PORT: '0',
    LFS_LOG_LEVEL: process.env.LFS_TEST_LOG_LEVEL ?? 'silent',
    LFS_LOCAL_AWS_MIN_SESSION_SECONDS: '1',
    ...env,
  };
}

export async function startStack(env: Record<string, string> = {}, dataDir?: string, options: AppOptions = {}): Promise<Stack> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'lfs-test-')));
  const app = createApp(loadConfig(testEnv(dir, env)), options);
  await app.start();
  const clients: Client[] = [];
  const s3Clients: S3Client[] = [];
  return {
    app,
    dataDir: dir,
    token: (sub, options = {}) =>
      mintToken(app.authSecret, {
        sub,
        tenant: options.tenant,
        admin: options.admin,
        issuer: app.config.auth.issuer,
        audience: app.config.auth.audience,
        expiresIn: options.expiresIn ?? '1h',
      }),
    async graphql(token, query, variables) {
      const response = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return response.json();
    },
    ws(token) {
      const client = createClient({
        url: `${app.url.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(client);
      return client;
    },
    rootS3() {
      const localAws = app.localAws!;
      const client = new S3Client({
        endpoint: localAws.url,
        region: localAws.region,
        forcePathStyle: true,
        credentials: localAws.rootCredentials,
      });
      s3Clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((client) => client.dispose()));
      for (const client of s3Clients) client.destroy();
      await app.stop();
      if (!dataDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the first `next` payload of a subscription. */
export function firstEvent<T = any>(client: Client, query: string, variables?: Record<string, unknown>): { promise: Promise<T>; cancel: () => void } {
  let cancel = () => {};
  const promise = new Promise<T>((resolve, reject) => {
    cancel = client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) reject(new Error(JSON.stringify(value.errors)));
          else resolve(value.data as T);
          cancel();
        },
        error: reject,
        complete: () => {},
      },
    );
  });
  return { promise, cancel: () => cancel() };
}

/**
 * Subscribes over SSE (yoga's single-connection mode: POST with Accept:
 * text/event-stream) and resolves with the first `next` payload.
 */
export function firstSseEvent<T = any>(url: string, token: string, query: string, variables?: Record<string, unknown>) {
  const abort = new AbortController();
  const ready = deferred<void>();
  const promise = (async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      signal: abort.signal,
    });
    if (!response.ok || !response.body) throw new Error(`SSE subscribe failed with ${response.status}`);
    ready.resolve();
    const result = deferred<T>();
    const parser = createParser({
      onEvent(event) {
        if (event.event === 'next' || event.event === undefined) {
          const payload = JSON.parse(event.data);
          if (payload.errors) result.reject(new Error(JSON.stringify(payload.errors)));
          else result.resolve(payload.data);
        }
      },
    });
    const decoder = new TextDecoder();
    void (async () => {
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
      } catch (error) {
        if (!abort.signal.aborted) result.reject(error);
      }
    })();
    return result.promise;
  })();
  return { promise: promise.finally(() => abort.abort()), ready: ready.promise, cancel: () => abort.abort() };
}

/** Rejects when `promise` has not settled within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}

/** Node 20 has no Promise.withResolvers. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
