import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createClient } from 'graphql-ws';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createApp, type App } from '../src/app.js';
import { mintToken } from '../src/auth/index.js';
import { loadConfig } from '../src/config.js';
import { s3ForTicket } from '../test/helpers/uploader.js';
import { FILE_AVAILABLE, REQUEST_UPLOAD, type Ticket } from '../test/helpers/operations.js';
import { diskBaseline } from '../packages/local-aws/bench/baseline.js';
import { GiB, MiB, patternStream, percentile } from '../packages/local-aws/bench/data.js';

async function withApp<T>(env: Record<string, string>, work: (app: App, token: string) => Promise<T>): Promise<T> {
  const dataDir = await mkdtemp(join(tmpdir(), 'lfs-bench-promotion-'));
  const app = createApp(
    loadConfig({
      LFS_DATA_DIR: dataDir,
      LFS_PORT: '0',
      LFS_LOCAL_AWS_PORT: '0',
      LFS_LOG_LEVEL: 'warn',
      LFS_CLEANUP_INTERVAL_SECONDS: '3600',
      // One benchmark user makes hundreds of uploads a minute.
      LFS_RATE_UPLOADS_PER_MINUTE: '1000000',
      LFS_RATE_UPLOADS_BURST: '1000000',
      ...env,
      // Settings given to `npm run bench` win, so configurations can be compared.
      ...Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('LFS_'))),
    }),
  );
  await app.start();
  try {
    const token = await mintToken(app.authSecret, { sub: 'bench', issuer: app.config.auth.issuer, audience: app.config.auth.audience, expiresIn: '1h' });
    return await work(app, token);
  } finally {
    await app.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function requestUpload(app: App, token: string, size: number): Promise<Ticket> {
  const response = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: REQUEST_UPLOAD, variables: { input: { name: 'bench.bin', size } } }),
  });
  const body = (await response.json()) as { data?: { requestUpload: Ticket }; errors?: unknown };
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data.requestUpload;
}

function subscribeAvailable(app: App, token: string) {
  const client = createClient({
    url: `${app.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
  });
  const waiters = new Map<string, (at: number) => void>();
  const arrived = new Map<string, number>();
  const dispose = client.subscribe<{ fileAvailable: { id: string } }>(
    { query: FILE_AVAILABLE, variables: {} },
    {
      next: ({ data }) => {
        const id = data!.fileAvailable.id;
        const at = performance.now();
        const waiter = waiters.get(id);
        if (waiter) waiter(at);
        else arrived.set(id, at);
      },
      error: (error) => console.error(error),
      complete: () => {},
    },
  );
  return {
    when(id: string): Promise<number> {
      const at = arrived.get(id);
      if (at !== undefined) return Promise.resolve(at);
      return new Promise((resolve) => waiters.set(id, resolve));
    },
    async close() {
      dispose();
      await client.dispose();
    },
  };
}

/** Upload complete → fileAvailable received, for `count` files of `size` bytes, one after another. */
export async function promotionLatency(count = 200, size = 1 * MiB, env: Record<string, string> = {}) {
  return withApp(env, async (app, token) => {
    const events = subscribeAvailable(app, token);
    // Let the subscription reach the server before the first file.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const latencies: number[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const ticket = await requestUpload(app, token, size);
        const s3 = s3ForTicket(ticket);
        await s3.send(
          new PutObjectCommand({
            Bucket: ticket.target.bucket,
            Key: ticket.target.key,
            Body: patternStream(size),
            ContentLength: size,
            ServerSideEncryption: 'aws:kms',
            SSEKMSKeyId: ticket.target.kmsKeyId,
          }),
        );
        const uploaded = performance.now();
        latencies.push((await events.when(ticket.file.id)) - uploaded);
        s3.destroy();
      }
    } finally {
      await events.close();
    }
    latencies.sort((a, b) => a - b);
    return { count, sizeMiB: size / MiB, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: latencies.at(-1)! };
  });
}

/** Promotion of one big object (decrypt, re-encrypt with a fresh data key, write) against the disk baseline. */
export async function promotionThroughput(bytes = 2 * GiB) {
  return withApp({}, async (app, token) => {
    const events = subscribeAvailable(app, token);
    await new Promise((resolve) => setTimeout(resolve, 200));
    try {
      const baseline = await diskBaseline(bytes, app.config.dataDir);
      const ticket = await requestUpload(app, token, bytes);
      const s3 = s3ForTicket(ticket);
      await new Upload({
        client: s3,
        partSize: 64 * MiB,
        queueSize: 4,
        params: {
          Bucket: ticket.target.bucket,
          Key: ticket.target.key,
          Body: patternStream(bytes),
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: ticket.target.kmsKeyId,
        },
      }).done();
      const uploaded = performance.now();
      const cpuBefore = process.cpuUsage();
      const available = await events.when(ticket.file.id);
      const cpu = process.cpuUsage(cpuBefore);
      s3.destroy();
      const seconds = (available - uploaded) / 1000;
      const mibPerSecond = bytes / MiB / seconds;
      return {
        bytes,
        baselineMiBps: baseline.mibPerSecond,
        baselineRuns: baseline.runs,
        promotionMiBps: mibPerSecond,
        ratio: mibPerSecond / baseline.mibPerSecond,
        // LFS and the embedded endpoint share this process: CPU per GiB shows whether the copy is CPU- or disk-bound.
        cpuSecondsPerGiB: (cpu.user + cpu.system) / 1e6 / (bytes / GiB),
      };
    } finally {
      await events.close();
    }
  });
}
