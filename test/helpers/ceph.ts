import { spawn, spawnSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, request } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import type { OutsideTool } from '../../packages/local-aws/test/helpers/outside-tools.js';
import { lfsFromSource } from './process.js';
import { CEPH_BINARIES, CEPH_DEBIAN_PACKAGES, startCephCluster, stopCephCluster, type CephCluster } from '../../scripts/ceph-cluster.mjs';

/**
 * Ceph's daemons and tools as one outside tool: present when every binary
 * scripts/ceph-cluster.mjs runs is on the PATH (Debian's packages, which
 * .ci/run installs).
 */
export function cephTool(): OutsideTool {
  const missing = CEPH_BINARIES.filter((binary) => spawnSync('sh', ['-c', `command -v ${binary}`]).status !== 0);
  return {
    name: `Ceph (${CEPH_BINARIES.join(', ')})`,
    path: missing.length === 0 ? spawnSync('sh', ['-c', 'command -v radosgw'], { encoding: 'utf8' }).stdout.trim() : undefined,
    debianPackage: CEPH_DEBIAN_PACKAGES,
  };
}

/**
 * A throw-away cluster for the suite: started before its tests, stopped (its
 * daemons by PID, its folder removed) after them. Read `current()` inside a
 * test or a hook.
 */
export function cephClusterForSuite(): { current(): CephCluster } {
  let cluster: CephCluster | undefined;
  beforeAll(async () => {
    cluster = await startCephCluster();
    console.info(`Ceph cluster started in ${cluster.startMs} ms at ${cluster.endpoint}`);
  });
  afterAll(async () => {
    if (cluster && process.env.LFS_CEPH_KEEP) console.info(`kept the Ceph cluster: node scripts/ceph-cluster.mjs stop ${cluster.dir}`);
    else if (cluster) await stopCephCluster(cluster);
  });
  return {
    current() {
      if (!cluster) throw new Error('the Ceph cluster is not running');
      return cluster;
    },
  };
}

/** The LFS settings that point it at the cluster, as `lfs provision --target ceph` prints them. */
export function cephEnv(cluster: CephCluster, lfs: { port: number; publicUrl: string; intakeSecret: string }): Record<string, string> {
  return {
    LFS_S3_ENGINE: 'ceph',
    LFS_AWS_ENDPOINT: cluster.endpoint,
    LFS_AWS_REGION: cluster.region,
    LFS_AWS_ACCESS_KEY_ID: cluster.accessKeyId,
    LFS_AWS_SECRET_ACCESS_KEY: cluster.secretAccessKey,
    LFS_DOCK_KMS_KEY_ID: 'lfs-dock',
    LFS_VAULT_KMS_KEY_ID: 'lfs-vault',
    LFS_EVENT_INTAKE_SECRET: lfs.intakeSecret,
    LFS_PORT: String(lfs.port),
    LFS_PUBLIC_URL: lfs.publicUrl,
  };
}

/** `lfs provision <args>` from source with exactly these LFS_* settings. */
export function provisionFromSource(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('LFS_')));
  const child = spawn(process.execPath, [...lfsFromSource, 'provision', ...args], { env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** An S3 event record as radosgw 16.2 pushes it (eventVersion 2.2, ceph:s3, empty region, ETag without quotes). */
export function cephRecord(bucket: string, key: string, size: number, eTag: string): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.2',
        eventSource: 'ceph:s3',
        awsRegion: '',
        eventTime: new Date().toISOString().replace('Z', '123Z'),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'lfs' },
        s3: { s3SchemaVersion: '1.0', configurationId: 'lfs-dock-object-created', bucket: { name: bucket }, object: { key, size, eTag: eTag.replace(/"/g, ''), versionId: '', sequencer: Date.now().toString(16), metadata: [], tags: [] } },
        eventId: `${Date.now()}.0.${eTag}`,
        opaqueData: '',
      },
    ],
  });
}

export interface WebhookReceiver {
  url: string;
  /** Every delivery whose signature checked out, in order. */
  events: Array<{ id: string; type: string; fileId: string }>;
  /** Deliveries with a bad signature (none expected). */
  forged: number;
  close(): Promise<void>;
}

/** A back end receiving LFS's webhooks on port 0, checking each signature as a real one would. */
export async function webhookReceiver(secret: string): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = { url: '', events: [], forged: 0, close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const expected = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      const given = String(req.headers['x-lfs-signature'] ?? '');
      if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
        receiver.forged++;
        res.writeHead(401).end();
        return;
      }
      const message = JSON.parse(body.toString('utf8'));
      receiver.events.push({ id: String(req.headers['x-lfs-event-id']), type: message.type, fileId: message.fileId });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/lfs-events`;
  receiver.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return receiver;
}

/** A port free now, for an LFS whose URL must be known before it starts (the topic's push-endpoint). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The load balancer in front of LFS, as a deployment has one: forwards each
 * request to LFS's port and answers 503 while LFS does not listen. The
 * gateway then sees a failed push, which a persistent topic retries; a
 * refused connection instead stalls pacific's queue (see README "Running on
 * Ceph"). Counts the pushes it could not forward.
 */
export async function frontProxy(lfsPort: number): Promise<{ url: string; unavailable: () => number; close(): Promise<void> }> {
  let unavailable = 0;
  const server = createServer((req, res) => {
    const forward = request({ host: '127.0.0.1', port: lfsPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => {
      unavailable++;
      req.resume();
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain' }).end('LFS is not there');
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    unavailable: () => unavailable,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
