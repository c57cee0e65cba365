import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import Sqlite from 'better-sqlite3';
import { createClient, type Client } from 'graphql-ws';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { percentile } from '../packages/local-aws/bench/data.js';
import { buildSessionPolicy } from '../src/credentials/session-policy.js';
import { FILE, FILE_AVAILABLE, REQUEST_UPLOAD, type Ticket } from '../test/helpers/operations.js';
import { startPostgres, type Postgres } from '../test/helpers/postgres.js';
import { spawnLfs, type LfsProcess } from '../test/helpers/process.js';
import { randomStream } from '../test/helpers/data.js';
import { uploadWithTicket } from '../test/helpers/uploader.js';

const FILES_QUERY = /* GraphQL */ `query Files($after: String, $status: FileStatus) { files(first: 20, after: $after, status: $status) { edges { cursor node { id status size } } pageInfo { hasNextPage endCursor } } }`;

export interface ControlPlaneOptions {
  /** Seconds each rate is measured for. */
  seconds: number;
  /** Rows in `files` for the first-page latency. */
  rows: number;
  /** graphql-ws subscribers notified of one AVAILABLE. */
  subscribers: number;
}

/**
 * The control plane, on SQLite and on PostgreSQL in the same run: requests
 * per second at 1, 16 and 64 concurrent clients, each as a ratio to
 * `{ __typename }` on the same server; the first page of `files` with a
 * million rows; one AVAILABLE fanned out to many graphql-ws subscribers, and
 * the server's memory per idle subscriber. LFS runs in a process of its own
 * (so its memory is its own); the clients share the machine with it.
 */
export async function controlPlane(options: ControlPlaneOptions): Promise<Record<string, unknown>> {
  const postgres = await startPostgres();
  try {
    return {
      sqlite: await onDatabase('sqlite', undefined, options),
      postgres: await onDatabase('postgres', postgres, options),
      goals: { requestUploadRatio: '>= 0.4', fanOutMs: '<= 1000', bytesPerIdleSubscriber: '< 20480' },
    };
  } finally {
    await postgres.destroy();
  }
}

async function onDatabase(name: string, postgres: Postgres | undefined, options: ControlPlaneOptions) {
  const dataDir = await mkdtemp(join(tmpdir(), `lfs-bench-${name}-`));
  const url = postgres ? await postgres.createDatabase() : undefined;
  const lfs = await spawnLfs(dataDir, {
    ...(url ? { LFS_DATABASE_URL: url, LFS_DATABASE_POOL_SIZE: '20' } : {}),
    LFS_LOG_LEVEL: 'warn',
    LFS_RATE_UPLOADS_PER_MINUTE: '1000000',
    LFS_RATE_UPLOADS_BURST: '1000000',
    LFS_QUOTA_OPEN_UPLOADS: '1000000',
    LFS_QUOTA_BYTES_IN_FLIGHT: String(2 ** 52),
    LFS_CLEANUP_INTERVAL_SECONDS: '86400',
    LFS_GRAPHQL_MAX_COST: '100000',
    LFS_HOST: '127.0.0.1',
  });
  try {
    const token = lfs.token;
    // A keep-alive socket the server closed while the benchmark was busy elsewhere (seeding) fails one request: send it again.
    const post = (query: string, variables: Record<string, unknown> = {}) =>
      send(query, variables).catch((error: unknown) => {
        if (error instanceof TypeError) return send(query, variables);
        throw error;
      });
    const send = (query: string, variables: Record<string, unknown>) =>
      fetch(lfs.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      }).then(async (response) => {
        const body = (await response.json()) as { data?: any; errors?: unknown };
        if (body.errors) throw new Error(JSON.stringify(body.errors));
        return body.data;
      });
    const seeded: Ticket = (await post(REQUEST_UPLOAD, { input: { name: 'seed.bin', size: 1024 } })).requestUpload;
    const operations: Record<string, () => Promise<unknown>> = {
      trivial: () => post('{ __typename }'),
      requestUpload: () => post(REQUEST_UPLOAD, { input: { name: 'bench.bin', size: 1024 * 1024 } }),
      file: () => post(FILE, { id: seeded.file.id }),
      files: () => post(FILES_QUERY),
    };
    // A cold server (JIT, pools, prepared statements) runs at a fraction of its speed: warm every operation up first.
    for (const run of Object.values(operations)) await rate(run, 16, options.seconds);
    const rates: Record<string, Record<string, number>> = {};
    for (const concurrency of [1, 16, 64]) {
      const perSecond: Record<string, number> = {};
      for (const [operation, run] of Object.entries(operations)) perSecond[operation] = await rate(run, concurrency, options.seconds);
      // The baseline again after the others, averaged: a machine whose load drifts during the round skews no ratio.
      perSecond.trivial = (perSecond.trivial + (await rate(operations.trivial, concurrency, options.seconds))) / 2;
      rates[`c${concurrency}`] = {
        trivialPerSecond: perSecond.trivial,
        requestUploadPerSecond: perSecond.requestUpload,
        requestUploadRatio: perSecond.requestUpload / perSecond.trivial,
        filePerSecond: perSecond.file,
        fileRatio: perSecond.file / perSecond.trivial,
        filesPerSecond: perSecond.files,
        filesRatio: perSecond.files / perSecond.trivial,
      };
    }

    const cpu = await cpuSplit(lfs, operations, seeded, options.seconds);

    await seed(name === 'sqlite' ? join(dataDir, 'lfs.sqlite') : url!, options.rows);
    const firstPage = await latencies(() => post(FILES_QUERY), 200);
    const byStatus = await latencies(() => post(FILES_QUERY, { status: 'AVAILABLE' }), 200);
    // A page half-way down the million: keyset cursors make it cost what the first does.
    const middle = Buffer.from(JSON.stringify([Date.parse('2026-01-01T00:00:00Z') + (options.rows / 2) * 1000, 'z'])).toString('base64url');
    const deepPage = await latencies(() => post(FILES_QUERY, { after: middle }), 100);

    const fanOut = await subscribersFanOut(lfs, post, options.subscribers);
    return {
      rates,
      cpu,
      filesFirstPage: { rows: options.rows, p50Ms: firstPage.p50, p99Ms: firstPage.p99, statusFilterP99Ms: byStatus.p99, deepPageP99Ms: deepPage.p99 },
      fanOut,
    };
  } finally {
    lfs.child.kill('SIGTERM');
    await lfs.exited;
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Completed operations per second with `concurrency` clients looping for `seconds`. */
async function rate(run: () => Promise<unknown>, concurrency: number, seconds: number): Promise<number> {
  for (let i = 0; i < Math.min(concurrency, 8); i++) await run(); // warm-up
  const end = Date.now() + seconds * 1000;
  let done = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await run();
        done++;
      }
    }),
  );
  return done / ((Date.now() - started) / 1000);
}

/** CPU seconds (user + system, every thread) a process has used so far. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // After the command's closing parenthesis, utime and stime are the 12th and 13th fields, in clock ticks (100 a second).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * LFS's CPU per operation (16 clients), which a shared machine's load
 * disturbs less than rates do, and the part of a requestUpload that is the
 * embedded endpoint's AssumeRole: the same call sent straight to the
 * endpoint, as LFS sends it, so the CPU the LFS process spends is the work
 * STS does on AWS's side (a request signature checked, the trust policy
 * evaluated, the session policy parsed, a session token sealed). The ratio
 * without it is requestUpload's cost on LFS's own work, the goal's measure
 * when the endpoint is not embedded. PostgreSQL's own CPU is not LFS's and
 * is not counted.
 */
async function cpuSplit(lfs: LfsProcess, operations: Record<string, () => Promise<unknown>>, ticket: Ticket, seconds: number) {
  const sts = new STSClient({ endpoint: lfs.awsUrl, region: ticket.target.region, credentials: lfs.rootCredentials });
  const { Account } = await sts.send(new GetCallerIdentityCommand({}));
  let n = 0;
  const assumeRole = () =>
    sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${Account}:role/lfs-upload`,
        RoleSessionName: `lfs-bench-${n++}`,
        DurationSeconds: 900,
        Policy: JSON.stringify(buildSessionPolicy({ dockBucket: ticket.target.bucket, key: ticket.target.key, dockKmsKeyArn: ticket.target.kmsKeyId })),
      }),
    );
  const msPerOperation = async (run: () => Promise<unknown>) => {
    for (let i = 0; i < 8; i++) await run();
    const before = await cpuSeconds(lfs.child.pid!);
    let done = 0;
    const counted = () => run().then(() => done++);
    await rate(counted, 16, seconds);
    return ((await cpuSeconds(lfs.child.pid!)) - before) * 1000 / done;
  };
  const trivialMs = await msPerOperation(operations.trivial);
  const requestUploadMs = await msPerOperation(operations.requestUpload);
  const stsAssumeRoleMs = await msPerOperation(assumeRole);
  sts.destroy();
  return {
    trivialMs,
    requestUploadMs,
    stsAssumeRoleMs,
    requestUploadCpuRatio: trivialMs / requestUploadMs,
    requestUploadCpuRatioWithoutSts: trivialMs / (requestUploadMs - stsAssumeRoleMs),
  };
}

async function latencies(run: () => Promise<unknown>, count: number) {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

/**
 * `rows` files straight into the database: half the benchmark owner's
 * (`dev`, the printed token's subject), spread over statuses, the rest of a
 * thousand other owners.
 */
async function seed(target: string, rows: number): Promise<void> {
  const base = Date.parse('2026-01-01T00:00:00Z');
  const select = `
    SELECT 'seed-' || n, CASE WHEN n % 2 = 0 THEN 'dev' ELSE 'owner-' || (n % 1000) END, 'default', 'f.bin', 1000,
      'application/octet-stream', '{}',
      CASE n % 4 WHEN 0 THEN 'AVAILABLE' WHEN 1 THEN 'AVAILABLE' WHEN 2 THEN 'FAILED' ELSE 'EXPIRED' END,
      ${base} + n * 1000, ${base} + n * 1000 + 86400000, ${base} + n * 1000`;
  const insert = `INSERT INTO files (id, owner, tenant, name, size, content_type, metadata, status, created_at, upload_deadline, updated_at)`;
  if (target.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    await client.query(`${insert} ${select} FROM generate_series(1, ${rows}) AS n`);
    await client.query('ANALYZE files');
    await client.end();
  } else {
    const db = new Sqlite(target);
    db.exec(`${insert} WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${rows}) ${select} FROM seq`);
    db.exec('ANALYZE');
    db.close();
  }
}

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/**
 * `count` graphql-ws connections, each subscribed to one file's
 * `fileAvailable`; then the file is uploaded and promoted, and the time from
 * its availableAt to the last subscriber's receipt is measured.
 */
async function subscribersFanOut(lfs: LfsProcess, post: (query: string, variables?: Record<string, unknown>) => Promise<any>, count: number) {
  const ticket: Ticket = (await post(REQUEST_UPLOAD, { input: { name: 'fan-out.bin', size: 64 * 1024 } })).requestUpload;
  const before = await rssBytes(lfs.child.pid!);
  const clients: Client[] = [];
  const received: number[] = [];
  let resolveAll!: () => void;
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  let availableAt = 0;
  for (let i = 0; i < count; i += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, count - i) }, () => {
        const client = createClient({
          url: lfs.graphqlUrl.replace(/^http/, 'ws'),
          webSocketImpl: WebSocket,
          connectionParams: { authorization: `Bearer ${lfs.token}` },
          retryAttempts: 0,
          lazy: true,
        });
        clients.push(client);
        const connected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
        client.subscribe(
          { query: FILE_AVAILABLE, variables: { fileId: ticket.file.id } },
          {
            next: (value) => {
              received.push(Date.now());
              availableAt = Date.parse((value.data as any).fileAvailable.availableAt);
              if (received.length === count) resolveAll();
            },
            error: () => {},
            complete: () => {},
          },
        );
        return connected;
      }),
    );
  }
  // Idle a moment so the server's allocations settle before its memory is read.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const idle = await rssBytes(lfs.child.pid!);
  await uploadWithTicket(ticket, randomStream(64 * 1024).stream);
  await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 60_000))]);
  const last = Math.max(...received);
  await Promise.all(clients.map((client) => client.dispose()));
  return {
    subscribers: count,
    received: received.length,
    availableToLastMs: last - availableAt,
    availableToFirstMs: Math.min(...received) - availableAt,
    serverRssBeforeMiB: before / 2 ** 20,
    serverRssIdleMiB: idle / 2 ** 20,
    bytesPerIdleSubscriber: Math.round((idle - before) / count),
  };
}
