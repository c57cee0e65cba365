import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createClient, type Client } from 'graphql-ws';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { mintToken } from '../../../src/auth/index.js';
import { cleanupAfterEach } from '../../helpers/cleanup.js';
import { randomStream, sha256Of } from '../../helpers/data.js';
import { postgresDatabase } from '../../helpers/databases.js';
import { spawnEndpoint } from '../../helpers/endpoint-process.js';
import { FILE, FILE_AVAILABLE, REFRESH_CREDENTIALS, REQUEST_UPLOAD, type Ticket } from '../../helpers/operations.js';
import { spawnLfs, until, type LfsProcess } from '../../helpers/process.js';
import { drain, queueUrl } from '../../helpers/queues.js';
import { uploadWithTicket } from '../../helpers/uploader.js';

const KiB = 1024;
const FILES = 300;
const CONCURRENCY = 12;
const secret = 'multi-instance-test-secret-0123456789abcdef';

/** One LFS instance: its process now, and graphql-ws subscriptions held on it. */
interface Instance {
  name: string;
  dataDir: string;
  lfs: LfsProcess;
  ws: Client;
  /** False for the instance killed mid-way (its subscribers are not counted). */
  survives: boolean;
}

async function post(instance: Instance, token: string, query: string, variables: Record<string, unknown>): Promise<any> {
  const response = await fetch(instance.lfs.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(`${instance.name}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

function wsClient(lfs: LfsProcess, token: string): Promise<Client> {
  const client = createClient({
    url: lfs.graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
  });
  return new Promise((resolve, reject) => {
    const off = client.on('connected', () => {
      off();
      resolve(client);
    });
    client.on('error', reject);
  });
}

/**
 * Three LFS processes share one PostgreSQL and one AWS-compatible endpoint
 * (a process of its own). Each upload asks one instance for its ticket,
 * refreshes its credentials on the next and subscribes on the third; one
 * instance is killed -9 half-way and started again.
 */
describe('three instances, one database, one endpoint', () => {
  const cleanup = { push: cleanupAfterEach() };

  it(`${FILES} uploads spread over the instances, one killed -9 mid-way: every file AVAILABLE and intact, announced, each surviving subscriber told once`, async () => {
    const started = Date.now();
    const root = await mkdtemp(join(tmpdir(), 'lfs-instances-'));
    cleanup.push(() => rm(root, { recursive: true, force: true }));
    const endpoint = await spawnEndpoint(join(root, 'aws'));
    cleanup.push(() => endpoint.stop());
    const env = {
      ...endpoint.lfsEnv,
      LFS_DATABASE_URL: await postgresDatabase(),
      LFS_AUTH_SECRET: secret,
      LFS_PROMOTION_VISIBILITY_SECONDS: '10',
      LFS_CLEANUP_INTERVAL_SECONDS: '2',
      LFS_RATE_UPLOADS_PER_MINUTE: '100000',
      LFS_RATE_UPLOADS_BURST: '100000',
      LFS_RATE_REFRESH_PER_MINUTE: '100000',
      LFS_RATE_REFRESH_BURST: '100000',
      LFS_QUOTA_OPEN_UPLOADS: '1000',
      LFS_WS_MAX_SUBSCRIPTIONS: '1000',
      // What an instance says about its start ends up in the error when it does not start.
      LFS_LOG_LEVEL: 'info',
    };
    const token = await mintToken(secret, { sub: 'alice', issuer: 'lfs', audience: 'lfs', expiresIn: '1h' });
    const instances: Instance[] = [];
    for (const name of ['a', 'b', 'c']) {
      const dataDir = join(root, name);
      const lfs = await spawnLfs(dataDir, env);
      cleanup.push(async () => {
        instances.find((instance) => instance.name === name)?.lfs.child.kill('SIGKILL');
      });
      instances.push({ name, dataDir, lfs, ws: await wsClient(lfs, token), survives: name !== 'b' });
    }
    cleanup.push(() => Promise.all(instances.map((instance) => instance.ws.dispose())));
    const doomed = instances[1];

    // While b is down, what would go to it goes to the next instance, as a load balancer would send it.
    let restarting: Promise<void> | undefined;
    const live = (index: number) => (restarting && instances[index % 3] === doomed ? instances[(index + 1) % 3] : instances[index % 3]);
    /** A request caught by the kill (connection refused or reset) is sent to the next instance. */
    const send = async (index: number, query: string, variables: Record<string, unknown>) => {
      try {
        return await post(live(index), token, query, variables);
      } catch (error) {
        if (!(error instanceof TypeError)) throw error;
        return post(instances[(index + 1) % 3] === doomed ? instances[(index + 2) % 3] : instances[(index + 1) % 3], token, query, variables);
      }
    };
    const heard = new Map<string, Map<string, number>>();
    const expected = new Map<string, { sha256: string; subscriber: Instance }>();
    let done = 0;

    async function uploadOne(i: number): Promise<void> {
      const size = 64 * KiB + Math.floor(Math.random() * 448 * KiB);
      const ticket: Ticket = (await send(i, REQUEST_UPLOAD, { input: { name: `f${i}.bin`, size } })).requestUpload;
      const subscriber = live(i + 2);
      const counts = new Map<string, number>();
      heard.set(ticket.file.id, counts);
      const heardIt = new Promise<void>((resolve) => {
        subscriber.ws.subscribe(
          { query: FILE_AVAILABLE, variables: { fileId: ticket.file.id } },
          {
            next: (value) => {
              counts.set(subscriber.name, (counts.get(subscriber.name) ?? 0) + 1);
              if ((value.data as any)?.fileAvailable?.status === 'AVAILABLE') resolve();
            },
            error: () => resolve(),
            complete: () => resolve(),
          },
        );
      });
      const refreshed = (await send(i + 1, REFRESH_CREDENTIALS, { fileId: ticket.file.id })).refreshUploadCredentials;
      const data = randomStream(size);
      await uploadWithTicket({ ...ticket, credentials: refreshed }, data.stream);
      expected.set(ticket.file.id, { sha256: data.sha256(), subscriber });
      done++;
      if (subscriber.survives) await heardIt;
    }

    const progress = setInterval(() => process.stdout.write(`multi-instance: ${done}/${FILES} uploaded after ${((Date.now() - started) / 1000).toFixed(0)} s\n`), 15_000);
    cleanup.push(async () => clearInterval(progress));
    let next = 0;
    const workers = Array.from({ length: CONCURRENCY }, async () => {
      while (next < FILES) {
        const i = next++;
        // Half-way, instance b dies with whatever it had in flight, and comes back.
        if (i === FILES / 2) {
          restarting = (async () => {
            doomed.lfs.child.kill('SIGKILL');
            await doomed.lfs.exited;
            await doomed.ws.dispose();
            doomed.lfs = await spawnLfs(doomed.dataDir, env);
            doomed.ws = await wsClient(doomed.lfs, token);
          })();
          await restarting;
          restarting = undefined;
        }
        await uploadOne(i);
      }
    });
    await Promise.all(workers);
    const uploadedAt = Date.now();

    // Every file AVAILABLE, asked of any instance, with the bytes that were uploaded.
    const s3 = new S3Client({ endpoint: endpoint.url, region: 'us-east-1', forcePathStyle: true, credentials: endpoint.credentials });
    const sqs = new SQSClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: endpoint.credentials });
    cleanup.push(async () => {
      s3.destroy();
      sqs.destroy();
    });
    const ids = [...expected.keys()];
    const pending = new Set(ids);
    await until(
      'every file to be AVAILABLE',
      async () => {
        // A few at a time, round the instances; one that is busy (UNAVAILABLE) is asked again at the next round.
        const batch = [...pending].slice(0, 30);
        await Promise.all(
          batch.map(async (id, i) => {
            const status = await post(instances[i % 3], token, FILE, { id }).then((data) => data.file.status, () => undefined);
            if (status === 'AVAILABLE') pending.delete(id);
          }),
        );
        return pending.size === 0;
      },
      180_000,
      100,
    );
    const availableAt = Date.now();
    for (const [id, { sha256 }] of expected) {
      const vault = await s3.send(new GetObjectCommand({ Bucket: 'lfs-vault', Key: `files/${id}` }));
      expect(await sha256Of(vault.Body as AsyncIterable<Uint8Array>), id).toBe(sha256);
    }

    // Exactly one FileAvailable per file on the file-events queue: duplicates are counted (at-least-once), loss fails.
    const announced = new Map<string, number>();
    const eventsQueue = await queueUrl(sqs, 'lfs-file-events');
    await until('every file to be announced', async () => {
      for (const message of await drain(sqs, eventsQueue)) {
        const body = JSON.parse(message.Body!);
        if (body.type === 'FileAvailable') announced.set(body.fileId, (announced.get(body.fileId) ?? 0) + 1);
      }
      return ids.every((id) => announced.has(id));
    }, 90_000, 200);
    // What b's relay had claimed when it died is sent by another once the claim runs out (30 s): hence the wait above.
    // Give late duplicates a moment to show.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const message of await drain(sqs, eventsQueue)) {
      const body = JSON.parse(message.Body!);
      if (body.type === 'FileAvailable') announced.set(body.fileId, (announced.get(body.fileId) ?? 0) + 1);
    }
    const duplicates = [...announced.values()].reduce((sum, count) => sum + count - 1, 0);

    // Each subscriber on an instance never killed heard its file's AVAILABLE exactly once.
    const surviving = [...expected].filter(([, { subscriber }]) => subscriber.survives);
    const wrong = surviving.filter(([id, { subscriber }]) => heard.get(id)?.get(subscriber.name) !== 1);
    process.stdout.write(
      `multi-instance: ${FILES} files in ${((availableAt - started) / 1000).toFixed(1)} s ` +
        `(uploads done after ${((uploadedAt - started) / 1000).toFixed(1)} s); ` +
        `FileAvailable duplicates on the queue: ${duplicates}; subscribers checked: ${surviving.length}\n`,
    );
    expect(wrong.map(([id]) => [id, Object.fromEntries(heard.get(id) ?? [])])).toEqual([]);
    expect(ids.filter((id) => !announced.has(id))).toEqual([]);
    expect(done).toBe(FILES);
  }, 600_000);
});
