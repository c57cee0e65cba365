import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach } from 'vitest';
import WebSocket from 'ws';
import { createLfsPubSub, type LfsEvents, type LfsPubSub } from '../../../src/api/pubsub.js';
import { createApi, type Api } from '../../../src/api/server.js';
import { createAuthenticator, mintToken } from '../../../src/auth/index.js';
import { loadConfig, type Config } from '../../../src/config.js';
import { conflict, notFound } from '../../../src/errors.js';
import { canSee, dockKeyOf, type Caller, type FileEvent, type FileRecord, type FileStatus, type NewFile } from '../../../src/files/model.js';
import { createWithinQuota, type QuotaLimits } from '../../../src/uploads/quotas.js';
import type { FileRepository } from '../../../src/files/repository.js';
import { openTestDatabase } from '../../helpers/databases.js';
import { eventTypeFor } from '../../../src/files/states.js';
import type { UploadService } from '../../../src/uploads/upload-service.js';

export const secret = 'api-test-secret-0123456789-abcdefghijklmnop';

/**
 * An EventTarget that announces each new listener, so a test can publish
 * exactly when a subscription is live instead of sleeping.
 */
export class ObservedEventTarget extends EventTarget {
  private waiters: Array<{ count: number; resolve(): void }> = [];
  listeners = 0;

  override addEventListener(...args: Parameters<EventTarget['addEventListener']>): void {
    super.addEventListener(...args);
    this.listeners++;
    this.waiters = this.waiters.filter((waiter) => (this.listeners >= waiter.count ? (waiter.resolve(), false) : true));
  }

  override removeEventListener(...args: Parameters<EventTarget['removeEventListener']>): void {
    super.removeEventListener(...args);
    this.listeners--;
  }

  /** Resolves once at least `count` listeners are registered. */
  listening(count: number): Promise<void> {
    if (this.listeners >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

/**
 * The upload use cases without STS: records go through the real repository,
 * credentials are placeholders. Enough to drive the API layer end to end.
 */
/** The fake's extras: a failure for the next requestUpload, and a hook run at the start of every getFile. */
type TestUploadService = UploadService & { failNext?: Error; beforeGet?: (fileId: string) => Promise<void> };

const targetOf = (file: FileRecord) => ({
  endpoint: 'http://127.0.0.1:4566',
  region: 'us-east-1',
  bucket: 'lfs-dock',
  key: dockKeyOf(file.id),
  forcePathStyle: true,
  kmsKeyId: 'alias/lfs-dock',
  partSize: 8 * 1024 * 1024,
  fallbackMaxBytes: 500 * 1024 * 1024,
});

export function createTestUploadService(repository: FileRepository, quotas?: QuotaLimits): TestUploadService {
  const service: TestUploadService = {
    async requestUpload(caller, request) {
      if (service.failNext) {
        const error = service.failNext;
        service.failNext = undefined;
        throw error;
      }
      const now = new Date();
      const file = await createWithinQuota(() =>
        repository.create(
          { id: randomUUID(), owner: caller.subject, tenant: caller.tenant, ...request, createdAt: now, uploadDeadline: new Date(now.getTime() + 3600_000) },
          quotas,
        ),
      );
      return {
        file,
        target: targetOf(file),
        credentials: { accessKeyId: 'ASIATEST', secretAccessKey: 'secret', sessionToken: 'token', expiration: new Date(now.getTime() + 3600_000) },
        uploadId: null,
      };
    },
    async resumeUpload(caller, fileId) {
      const file = await service.getFile(caller, fileId);
      if (!file) throw notFound();
      if (file.status !== 'AWAITING_UPLOAD') throw conflict(`File is ${file.status}`);
      return { file, target: targetOf(file), credentials: await service.refreshUploadCredentials(caller, fileId), uploadId: null };
    },
    async declareChecksum(caller, fileId, checksum) {
      const file = await service.getFile(caller, fileId);
      if (!file) throw notFound();
      const declared = await repository.declareChecksum(fileId, checksum);
      if (!declared) throw conflict(`File is ${file.status}`);
      return declared;
    },
    async refreshUploadCredentials(caller, fileId) {
      const file = await service.getFile(caller, fileId);
      if (!file) throw notFound();
      if (file.status !== 'AWAITING_UPLOAD') throw conflict(`File is ${file.status}`);
      return { accessKeyId: 'ASIATEST2', secretAccessKey: 'secret2', sessionToken: 'token2', expiration: new Date(Date.now() + 3600_000) };
    },
    async getFile(caller, fileId) {
      await service.beforeGet?.(fileId);
      const file = await repository.get(fileId);
      return file && canSee(caller, file) ? file : undefined;
    },
    async cancelUpload(caller, fileId) {
      const file = await service.getFile(caller, fileId);
      if (!file) throw notFound();
      const cancelled = await repository.transition(file.id, 'AWAITING_UPLOAD', 'CANCELLED');
      if (!cancelled) throw conflict(`File is ${file.status}`);
      return cancelled;
    },
    async createDownloadLink(caller, fileId, expiresInSeconds) {
      const file = await service.getFile(caller, fileId);
      if (!file) throw notFound();
      if (file.status !== 'AVAILABLE') throw conflict(`File is ${file.status}`);
      return { url: `http://vault.test/files/${file.id}`, expiresAt: new Date(Date.now() + expiresInSeconds * 1000) };
    },
  };
  return service;
}

export interface TestApi {
  api: Api;
  config: Config;
  repository: FileRepository;
  pubsub: LfsPubSub;
  events: ObservedEventTarget;
  uploads: TestUploadService;
  /** Lines the API logged (pino JSON), to check what masking recorded. */
  logs: Array<Record<string, unknown>>;
  token(sub: string, options?: { tenant?: string; admin?: boolean }): Promise<string>;
  /** POST /graphql through yoga.fetch; no socket needed. */
  graphql(query: string, variables?: Record<string, unknown>, token?: string): Promise<{ status: number; headers: Headers; body: GraphQLBody }>;
  /** Creates a record directly and moves it to `status` (publishing nothing). */
  seed(overrides: Partial<NewFile> & { status?: FileStatus }): Promise<FileRecord>;
  /** Moves a file as the promotion worker would and publishes the event. */
  publishTransition(id: string, from: FileStatus, to: FileStatus): Promise<FileRecord>;
  close(): Promise<void>;
}

export interface GraphQLBody {
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }>;
}

export async function createTestApi(env: Record<string, string> = {}): Promise<TestApi> {
  const dir = await mkdtemp(join(tmpdir(), 'lfs-api-'));
  const config = loadConfig({ LFS_DATA_DIR: dir, LFS_LOG_LEVEL: 'silent', ...env });
  const { repository } = await openTestDatabase('sqlite', join(dir, 'lfs.sqlite'));
  const events = new ObservedEventTarget();
  const pubsub = createLfsPubSub({ eventTarget: events });
  const uploads = createTestUploadService(repository, config.api.quotas);
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const authenticator = createAuthenticator({ secret, issuer: config.auth.issuer, audience: config.auth.audience });
  const api = createApi({ config, uploads, pubsub, authenticator, logger, files: repository });

  return {
    api,
    config,
    repository,
    pubsub,
    events,
    uploads,
    logs,
    token: (sub, options = {}) => mintToken(secret, { sub, ...options, issuer: config.auth.issuer, audience: config.auth.audience, expiresIn: 300 }),
    async graphql(query, variables, token) {
      const response = await api.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLBody };
    },
    async seed({ status = 'AWAITING_UPLOAD', ...overrides }) {
      const created = await repository.create({
        id: randomUUID(),
        owner: 'alice',
        tenant: 'default',
        name: 'seed.bin',
        size: 10,
        contentType: 'application/octet-stream',
        metadata: {},
        checksum: null,
        createdAt: new Date(),
        uploadDeadline: new Date(Date.now() + 3600_000),
        ...overrides,
      });
      if (status === 'AWAITING_UPLOAD') return created;
      if (status === 'AVAILABLE') {
        await repository.transition(created.id, 'AWAITING_UPLOAD', 'PROMOTING');
        return (await repository.transition(created.id, 'PROMOTING', 'AVAILABLE'))!;
      }
      return (await repository.transition(created.id, 'AWAITING_UPLOAD', status))!;
    },
    async publishTransition(id, from, to) {
      const at = new Date();
      const file = await repository.transition(id, from, to, to === 'AVAILABLE' ? { availableAt: at } : {}, at);
      if (!file) throw new Error(`${id} was not ${from}`);
      const event: FileEvent = { type: eventTypeFor(to), file, at };
      pubsub.publish('fileEvents', event);
      return file;
    },
    async close() {
      await repository.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The API mounted on a real http.Server on port 0, with graphql-ws attached. */
export async function listen(api: Api): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer(api.yoga);
  const ws = api.attachWebSocket(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}/graphql`,
    async close() {
      await ws.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * For a describe block: a fresh API served on port 0 before each test, and
 * graphql-ws clients that are disposed with it after. `connect` takes the
 * `authorization` value to send (none: `{}` as connection params).
 */
export function servedApi() {
  const served = {} as { t: TestApi; http: Awaited<ReturnType<typeof listen>> };
  const clients: Client[] = [];
  beforeEach(async () => {
    served.t = await createTestApi();
    served.http = await listen(served.t.api);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
    await served.http.close();
    await served.t.close();
  });
  return {
    get t() {
      return served.t;
    },
    get http() {
      return served.http;
    },
    connect(authorization?: string): Client {
      const client = createClient({
        url: served.http.url.replace('http', 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
        connectionParams: authorization === undefined ? {} : { authorization },
      });
      clients.push(client);
      return client;
    },
  };
}

export type { Caller, LfsEvents };

/** One result of a graphql-ws subscription. */
export type Result = FormattedExecutionResult<Record<string, any>, unknown>;

/** Collects a subscription's results; `next()` resolves with the next one. */
export function collect(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const results: Result[] = [];
  const waiting: Array<(result: Result) => void> = [];
  let failure: unknown;
  let failed: (error: unknown) => void = () => {};
  const errored = new Promise<unknown>((resolve) => (failed = resolve));
  let ended: () => void = () => {};
  const completed = new Promise<void>((resolve) => (ended = resolve));
  const dispose = client.subscribe(
    { query, variables },
    {
      next: (result) => {
        const waiter = waiting.shift();
        if (waiter) waiter(result);
        else results.push(result);
      },
      error: (error) => {
        failure = error;
        failed(error);
      },
      complete: () => ended(),
    },
  );
  return {
    /** Resolves when the server completes the subscription. */
    completed,
    next: () => (results.length > 0 ? Promise.resolve(results.shift()!) : new Promise<Result>((resolve) => waiting.push(resolve))),
    errored,
    get failure() {
      return failure;
    },
    dispose,
  };
}
