import { CreateBucketCommand, DeleteBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { spawnLocalAws, type LocalAwsProcess } from '../../../packages/local-aws/test/helpers/local-aws-process.js';
import { mintToken } from '../../../src/auth/index.js';
import { cleanupAfterEach } from '../../helpers/cleanup.js';
import { randomStream } from '../../helpers/data.js';
import { runLfs } from '../../helpers/cli.js';
import { recordLogs } from '../../helpers/logs.js';
import { FILE, FILE_AVAILABLE, REQUEST_UPLOAD, type Ticket } from '../../helpers/operations.js';
import { lfsFromSource, until } from '../../helpers/process.js';
import { firstEvent, startStack, testEnv } from '../../helpers/stack.js';
import { s3ForTicket, uploadWithTicket } from '../../helpers/uploader.js';
import { START_TIMEOUT_MS, WAIT_TIMEOUT_MS } from '../../helpers/waits.js';

const SECRET = 'aws-mode-end-to-end-secret-of-32-characters';
const OTHER_ACCOUNT = '111111111111';
type Keys = { accessKeyId: string; secretAccessKey: string };

/** `lfs serve` as its own process; resolves once it says it is ready, with its GraphQL URL. */
async function serve(dataDir: string, env: Record<string, string>, cleanup: (step: () => Promise<unknown>) => void): Promise<string> {
  const child = spawn(process.execPath, [...lfsFromSource, 'serve'], { env: { ...process.env, ...testEnv(dataDir, env) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cleanup(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  await until(
    'lfs serve to be ready',
    async () => {
      if (child.exitCode !== null) throw new Error(`lfs serve exited:\n${output}`);
      if (/NOT READY/.test(output)) throw new Error(`lfs serve is not ready:\n${output}`);
      return /LFS is ready[\s\S]*GraphQL:\s+\S+/.test(output);
    },
    START_TIMEOUT_MS,
    100,
  );
  return /GraphQL:\s+(\S+)/.exec(output)![1];
}

const refused = (promise: Promise<unknown>) => expect(promise).rejects.toMatchObject({ name: expect.stringMatching(/^AccessDenied/) });

/**
 * AWS mode as an operator would run it, each part its own process: the
 * endpoint (`lfs-local-aws`, printing its root keys), `lfs provision` with
 * those keys making a non-root user for LFS with only the generated policy,
 * and `lfs serve` signing with that user's keys; then the policies' refusals
 * against the same endpoint.
 */
describe('AWS mode end to end, against the endpoint as its own process', () => {
  const cleanup = cleanupAfterEach();
  let dir: string;
  let endpoint: LocalAwsProcess;
  let lfsKeys: Keys;
  let otherRoot: Keys;
  let ticket: Ticket;
  const asRoot = () => ({
    LFS_LOCAL_AWS: 'false',
    LFS_AWS_ENDPOINT: endpoint.url,
    LFS_AWS_ACCESS_KEY_ID: endpoint.credentials.accessKeyId,
    LFS_AWS_SECRET_ACCESS_KEY: endpoint.credentials.secretAccessKey,
  });
  const asLfs = () => ({ ...asRoot(), LFS_AWS_ACCESS_KEY_ID: lfsKeys.accessKeyId, LFS_AWS_SECRET_ACCESS_KEY: lfsKeys.secretAccessKey, LFS_AUTH_SECRET: SECRET });
  const s3As = (credentials: Keys) => {
    const client = new S3Client({ endpoint: endpoint.url, region: endpoint.region, forcePathStyle: true, credentials: { ...credentials } });
    cleanup(async () => client.destroy());
    return client;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lfs-aws-mode-'));
    endpoint = await spawnLocalAws(join(dir, 'aws'), { args: ['--extra-account', OTHER_ACCOUNT] });
    const other = new RegExp(`account ${OTHER_ACCOUNT} \\(root\\): AWS_ACCESS_KEY_ID=(\\S+) AWS_SECRET_ACCESS_KEY=(\\S+)`).exec(endpoint.output())!;
    otherRoot = { accessKeyId: other[1], secretAccessKey: other[2] };
    const applied = await runLfs(['provision', '--lfs-principal', 'arn:aws:iam::000000000000:user/lfs', '--create-lfs-policy', '--create-access-key'], { env: asRoot() });
    expect(applied.stderr).toBe('');
    lfsKeys = { accessKeyId: /LFS_AWS_ACCESS_KEY_ID=(\S+)/.exec(applied.stdout)![1], secretAccessKey: /LFS_AWS_SECRET_ACCESS_KEY=(\S+)/.exec(applied.stdout)![1] };
    expect((await runLfs(['provision', '--dry-run'], { env: asRoot() })).stdout).toMatch(/No changes/);
  }, 3 * START_TIMEOUT_MS);
  afterAll(async () => {
    await endpoint?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('lfs serve as the non-root user: an upload with only the ticket is promoted, announced over graphql-ws, and downloadable', async () => {
    const graphqlUrl = await serve(join(dir, 'serve'), asLfs(), cleanup);
    const token = await mintToken(SECRET, { sub: 'alice', issuer: 'lfs', audience: 'lfs', expiresIn: '1h' });
    const graphql = async (query: string, variables: Record<string, unknown>) =>
      (await (await fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) })).json()) as { data?: any; errors?: unknown };
    const size = 6 * 1024 * 1024;
    const requested = await graphql(REQUEST_UPLOAD, { input: { name: 'e2e.bin', size } });
    expect(requested.errors).toBeUndefined();
    ticket = requested.data.requestUpload;
    const ws = createClient({ url: graphqlUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
    cleanup(async () => ws.dispose());
    const available = firstEvent(ws, FILE_AVAILABLE, { fileId: ticket.file.id });
    const data = randomStream(size);
    await uploadWithTicket(ticket, data.stream, { partSize: 5 * 1024 * 1024 });
    expect((await available.promise).fileAvailable).toMatchObject({ id: ticket.file.id, status: 'AVAILABLE' });
    const link = await graphql('mutation ($id: ID!) { createDownloadLink(fileId: $id) { url } }', { id: ticket.file.id });
    const response = await fetch(link.data.createDownloadLink.url);
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBe(size);
    await response.arrayBuffer();
  });

  it("refuses LFS's principal what its policy does not grant: another bucket, deleting the vault", async () => {
    const root = s3As(endpoint.credentials);
    await root.send(new CreateBucketCommand({ Bucket: 'someone-elses' }));
    await root.send(new PutObjectCommand({ Bucket: 'someone-elses', Key: 'secret', Body: 'x' }));
    const lfs = s3As(lfsKeys);
    await refused(lfs.send(new GetObjectCommand({ Bucket: 'someone-elses', Key: 'secret' })));
    await refused(lfs.send(new DeleteBucketCommand({ Bucket: 'lfs-vault' })));
  });

  it("refuses the vault to another account's root and to the upload role", async () => {
    const other = s3As(otherRoot);
    await refused(other.send(new GetObjectCommand({ Bucket: 'lfs-vault', Key: `files/${ticket.file.id}` })));
    await refused(other.send(new PutObjectCommand({ Bucket: 'lfs-vault', Key: 'planted', Body: 'x' })));
    const session = s3ForTicket(ticket);
    cleanup(async () => session.destroy());
    await refused(session.send(new PutObjectCommand({ Bucket: 'lfs-vault', Key: 'planted', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: ticket.target.kmsKeyId })));
  });

  it('refuses a dock write naming AES256 or another KMS key, even from the root', async () => {
    const { target } = ticket;
    const session = s3ForTicket(ticket);
    cleanup(async () => session.destroy());
    await refused(session.send(new PutObjectCommand({ Bucket: target.bucket, Key: target.key, Body: 'x', ServerSideEncryption: 'AES256' })));
    const root = s3As(endpoint.credentials);
    await refused(root.send(new PutObjectCommand({ Bucket: target.bucket, Key: 'uploads/by-root', Body: 'x', ServerSideEncryption: 'AES256' })));
    await refused(root.send(new PutObjectCommand({ Bucket: target.bucket, Key: 'uploads/by-root', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/lfs-vault' })));
  });

  const rootSqs = () => {
    const sqs = new SQSClient({ endpoint: endpoint.url, region: endpoint.region, credentials: { ...endpoint.credentials } });
    cleanup(async () => sqs.destroy());
    return sqs;
  };

  it('names a removed queue policy at start, and lfs provision puts it back', async () => {
    const sqs = rootSqs();
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'lfs-dock-events' }));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: '' } }));
    const stack = await startStack({ ...asLfs(), LFS_RESOURCE_RECHECK_SECONDS: '3600' }, join(dir, 'no-queue-policy'));
    cleanup(() => stack.stop());
    expect(stack.app.problems).toEqual(['the dock-events queue lfs-dock-events differs from what LFS needs (in Policy): run: lfs provision']);
    expect((await runLfs(['provision'], { env: asRoot() })).code).toBe(0);
    expect((await runLfs(['provision', '--dry-run'], { env: asRoot() })).stdout).toMatch(/No changes/);
  });

  it("drops S3's notification to a queue whose policy was removed, and LFS's reconciler finds the upload and promotes it", async () => {
    const sqs = rootSqs();
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'lfs-dock-events' }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Policy'] }));
    const dataDir = join(dir, 'lost-notification');
    // API only: nothing consumes the queue, so what S3 delivers would stay there to be counted.
    const api = await startStack({ ...asLfs(), LFS_PROMOTION_ENABLED: 'false' }, dataDir);
    cleanup(() => api.stop());
    const token = await api.token('alice');
    const requested = await api.graphql(token, REQUEST_UPLOAD, { input: { name: 'lost.bin', size: 1024 } });
    expect(requested.errors).toBeUndefined();
    const lost = requested.data.requestUpload as Ticket;

    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: '' } }));
    const counts = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;
    const queued = async () => {
      const { Attributes: now } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: [...counts] }));
      return counts.map((count) => now?.[count]);
    };
    // Whatever earlier tests left (the s3:TestEvent of provisioning when nothing consumed it) is counted before.
    const before = await queued();
    // The endpoint sends S3's notification while it stores the object: once the upload returns, it was sent or dropped.
    await uploadWithTicket(lost, randomStream(1024).stream);
    expect(await queued()).toEqual(before);
    await api.stop();

    // With the policy back, LFS starts ready; its reconciler, not a notification, finds the upload.
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: Attributes!.Policy! } }));
    const logs = recordLogs('warn');
    const stack = await startStack({ ...asLfs(), LFS_RECONCILE_GRACE_SECONDS: '0' }, dataDir, { logger: logs.logger });
    cleanup(() => stack.stop());
    expect(stack.app.problems).toEqual([]);
    const reported = await logs.line('the reconciler reporting the upload', (line) => line.fileId === lost.file.id);
    expect(reported).toMatchObject({ component: 'reconciler', status: 'AWAITING_UPLOAD', msg: 'promoting a dock object whose notification never arrived' });
    let status = '';
    const settled = async () => {
      status = (await stack.graphql(token, FILE, { id: lost.file.id })).data.file.status;
      return status === 'AVAILABLE' || status === 'FAILED';
    };
    await until('the reconciled file to settle', settled, WAIT_TIMEOUT_MS, 100);
    expect(status).toBe('AVAILABLE');
  });
});
