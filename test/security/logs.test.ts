import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mintToken } from '../../src/auth/index.js';
import { spawnLfs, type LfsProcess } from '../helpers/process.js';
import { WAIT_TIMEOUT_MS } from '../helpers/waits.js';
import type { Ticket } from '../helpers/operations.js';
import { FILE, REQUEST_UPLOAD } from '../helpers/operations.js';
import { s3ForTicket } from '../helpers/uploader.js';

/**
 * The real process with its real logger at debug level, driven through
 * uploads, a cancel, forged tokens and failed S3 calls: what it writes to
 * stdout is structured JSON and never contains a secret or a token.
 */
describe('logs', () => {
  let dir: string;
  let lfs: LfsProcess;
  const secrets: Record<string, string> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lfs-logs-'));
    lfs = await spawnLfs(dir, { LFS_LOG_LEVEL: 'trace' });
  });
  afterAll(async () => {
    if (lfs && lfs.child.exitCode === null) {
      lfs.child.kill('SIGKILL');
      await lfs.exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  const graphql = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(lfs.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: any; errors?: any[] };
  };

  it('writes JSON lines without secrets or tokens through a whole session', async () => {
    const authSecret = (await readFile(join(dir, 'auth-secret'), 'utf8')).trim();
    const alice = await mintToken(authSecret, { sub: 'alice', issuer: 'lfs', audience: 'lfs', expiresIn: 600 });
    const forged = await mintToken('a-guessed-secret-of-sufficient-length-0123', { sub: 'mallory', issuer: 'lfs', audience: 'lfs', expiresIn: 600 });
    Object.assign(secrets, { authSecret, alice, forged, devToken: lfs.token, rootSecret: lfs.rootCredentials.secretAccessKey });

    const tickets: Ticket[] = [];
    for (const size of [1000, 10]) {
      const { data } = await graphql(alice, REQUEST_UPLOAD, { input: { name: 'x.bin', size, metadata: { password: 'not-logged-either' } } });
      tickets.push(data.requestUpload);
      secrets[`secretAccessKey${size}`] = data.requestUpload.credentials.secretAccessKey;
      secrets[`sessionToken${size}`] = data.requestUpload.credentials.sessionToken;
    }
    const [kept, cancelled] = tickets;
    const s3 = s3ForTicket(kept);
    try {
      await s3.send(new PutObjectCommand({ Bucket: kept.target.bucket, Key: kept.target.key, Body: Buffer.alloc(1000, 7), ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kept.target.kmsKeyId }));
      // A refused S3 call: its signature and token must not be logged either.
      await s3.send(new PutObjectCommand({ Bucket: kept.target.bucket, Key: 'uploads/elsewhere', Body: 'x' })).catch(() => undefined);
    } finally {
      s3.destroy();
    }
    await graphql(alice, 'mutation ($id: ID!) { cancelUpload(fileId: $id) { id } }', { id: cancelled.file.id });
    await graphql(forged, REQUEST_UPLOAD, { input: { name: 'x', size: 1 } });
    await fetch(lfs.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${forged}x` }, body: '{"query":"{ __typename }"}' });
    await vi.waitFor(async () => expect((await graphql(alice, FILE, { id: kept.file.id })).data.file.status).toBe('AVAILABLE'), { timeout: WAIT_TIMEOUT_MS, interval: 100 });

    lfs.child.kill('SIGTERM');
    await lfs.exited;

    // The banner that `npm start` prints for a developer (with the development token) is not a log line.
    const lines = lfs.output().split('\n').filter((line) => line.startsWith('{'));
    // Startup, one line per operation, the promotion and the stop.
    expect(lines.filter((line) => line.includes("graphql operation")).length).toBeGreaterThanOrEqual(4);
    for (const line of lines) {
      const entry = JSON.parse(line);
      expect(entry).toMatchObject({ level: expect.any(Number), time: expect.any(Number), service: 'lfs' });
      for (const [name, value] of Object.entries(secrets)) {
        expect(line.includes(value), `the log line leaks ${name}: ${line.slice(0, 300)}`).toBe(false);
      }
      expect(line).not.toMatch(/Bearer\s+ey/);
      expect(line).not.toMatch(/X-Amz-Signature=|Signature=[0-9a-f]{64}/);
    }
  });
});
