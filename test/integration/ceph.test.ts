import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../../packages/local-aws/test/helpers/outside-tools.js';
import { randomStream } from '../helpers/data.js';
import { isGone, putWithTicket } from '../helpers/dock.js';
import { awaitStatus, requestUpload } from '../helpers/files.js';
import {
  cephClusterForSuite,
  cephEnv,
  cephRecord,
  cephTool,
  freePort,
  provisionFromSource,
  frontProxy,
  webhookReceiver,
  type WebhookReceiver,
} from '../helpers/ceph.js';
import { FILE_AVAILABLE, type Ticket } from '../helpers/operations.js';
import { until } from '../helpers/process.js';
import { firstEvent, startStack, type Stack } from '../helpers/stack.js';
import { s3ForTicket, uploadWithTicket } from '../helpers/uploader.js';

const MiB = 1024 * 1024;
const INTAKE_SECRET = randomBytes(24).toString('hex');
const WEBHOOK_SECRET = randomBytes(24).toString('hex');

/** Whether a call with the ticket's credentials was refused with 403. */
async function refused(call: () => Promise<unknown>): Promise<number | 'allowed'> {
  try {
    await call();
    return 'allowed';
  } catch (error) {
    return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
  }
}

describe.skipIf(!needs(cephTool()))("LFS on Ceph's object gateway (radosgw)", () => {
  const ceph = cephClusterForSuite();
  let dataDir: string;
  let env: Record<string, string>;
  let stack: Stack | undefined;
  let token: string;
  let root: S3Client;
  let hooks: WebhookReceiver;
  let proxy: Awaited<ReturnType<typeof frontProxy>>;

  const start = async (extra: Record<string, string> = {}) => {
    stack = await startStack({ ...env, ...extra }, dataDir);
    token = await stack.token('alice');
  };
  const stopLfs = async () => {
    await stack?.stop();
    stack = undefined;
  };
  const upload = (size: number, name = 'file.bin') => requestUpload(stack!, token, { name, size, contentType: 'application/octet-stream' });
  const dockKeys = async () => ((await root.send(new ListObjectsV2Command({ Bucket: 'lfs-dock', Prefix: 'uploads/' }))).Contents ?? []).map((o) => o.Key);
  const push = (body: string, secret = INTAKE_SECRET) =>
    fetch(`${stack!.app.url}/events/s3/${secret}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  /** Events are lost from here on: the dock's notification now covers only a prefix nothing is written under. */
  const loseEvents = () =>
    root.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'lfs-dock',
        NotificationConfiguration: {
          TopicConfigurations: [
            { Id: 'lfs-dock-object-created', TopicArn: 'arn:aws:sns:default::lfs-dock-events', Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'paused/' }] } } },
          ],
        },
      }),
    );

  beforeAll(async () => {
    const cluster = ceph.current();
    dataDir = await mkdtemp(join(tmpdir(), 'lfs-ceph-test-'));
    hooks = await webhookReceiver(WEBHOOK_SECRET);
    const port = await freePort();
    // The gateway pushes to LFS through a load balancer, which answers 503 while LFS is down.
    proxy = await frontProxy(port);
    env = {
      ...cephEnv(cluster, { port, publicUrl: proxy.url, intakeSecret: INTAKE_SECRET }),
      LFS_WEBHOOK_URLS: hooks.url,
      LFS_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LFS_MIN_PART_SIZE: String(8 * MiB),
      // Only the reconciler's own test lets it act: elsewhere every promotion comes from a pushed event.
      LFS_RECONCILE_GRACE_SECONDS: '86400',
    };
    const provisioned = await provisionFromSource(['--target', 'ceph'], env);
    expect(provisioned.stderr).toBe('');
    expect(provisioned.code).toBe(0);
    expect(provisioned.stdout).toMatch(/created +the persistent topic lfs-dock-events/);
    expect(provisioned.stdout).toContain('radosgw-admin caps add --uid lfs --caps "roles=*;user-policy=*"');
    const again = await provisionFromSource(['--target', 'ceph', '--dry-run'], env);
    expect(again.stdout).not.toMatch(/create\?|update\?/);
    root = new S3Client({ endpoint: cluster.endpoint, region: cluster.region, forcePathStyle: true, credentials: { accessKeyId: cluster.accessKeyId, secretAccessKey: cluster.secretAccessKey } });
    await start();
  });
  afterAll(async () => {
    await stopLfs();
    root?.destroy();
    await hooks?.close();
    await proxy?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('uploads 48 MiB with only the ticket, SSE-KMS; fileAvailable over graphql-ws; the vault copy under the vault key; the dock emptied; the same bytes back', async () => {
    const ticket = await upload(48 * MiB, 'big.bin');
    expect(ticket.target).toMatchObject({ endpoint: ceph.current().endpoint, bucket: 'lfs-dock', kmsKeyId: 'lfs-dock', forcePathStyle: true });
    const available = firstEvent(stack!.ws(token), FILE_AVAILABLE, { fileId: ticket.file.id });
    const body = randomStream(48 * MiB);
    await uploadWithTicket(ticket, body.stream);
    const event = await available.promise;
    expect(event.fileAvailable).toMatchObject({ id: ticket.file.id, status: 'AVAILABLE', size: 48 * MiB });

    const vault = await root.send(new HeadObjectCommand({ Bucket: 'lfs-vault', Key: `files/${ticket.file.id}` }));
    expect([vault.ServerSideEncryption, vault.SSEKMSKeyId, vault.ContentLength]).toEqual(['aws:kms', 'lfs-vault', 48 * MiB]);
    expect(await dockKeys()).not.toContain(ticket.target.key);

    const link = await stack!.graphql(token, 'mutation($id: ID!) { createDownloadLink(fileId: $id) { url } }', { id: ticket.file.id });
    const response = await fetch(link.data.createDownloadLink.url);
    expect(response.status).toBe(200);
    const hash = createHash('sha256');
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) hash.update(chunk);
    expect(hash.digest('hex')).toBe(body.sha256());
    await until('the FileAvailable webhook', async () => hooks.events.some((e) => e.fileId === ticket.file.id));
    expect(hooks.events.filter((e) => e.fileId === ticket.file.id)).toEqual([{ id: `${ticket.file.id}:AVAILABLE`, type: 'FileAvailable', fileId: ticket.file.id }]);
    expect(hooks.forged).toBe(0);
  });

  it("refuses the ticket's credentials everything but its own key; after cancelUpload nothing they write is promoted", async () => {
    const ticket = await upload(1024);
    const s3 = s3ForTicket(ticket);
    const sse = { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: 'lfs-dock' };
    const { bucket, key } = ticket.target;
    // An object the ticket must not read, and that stays (outside uploads/, no event): the gateway answers a read
    // of a missing key 404 even to a caller without s3:GetObject, so the refusal is checked on one that exists.
    const held = `held/${ticket.file.id}`;
    await root.send(new PutObjectCommand({ Bucket: bucket, Key: held, Body: 'not yours', ...sse }));
    expect(await refused(() => s3.send(new GetObjectCommand({ Bucket: bucket, Key: held })))).toBe(403);
    expect(await refused(() => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: held })))).toBe(403);
    expect(await refused(() => s3.send(new PutObjectCommand({ Bucket: bucket, Key: held, Body: 'x', ...sse })))).toBe(403);
    await root.send(new DeleteObjectCommand({ Bucket: bucket, Key: held }));
    expect(await refused(() => s3.send(new PutObjectCommand({ Bucket: bucket, Key: `uploads/${ticket.file.id}x`, Body: 'x', ...sse })))).toBe(403);
    expect(await refused(() => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'lfs-vault' })))).toBe(403);
    await root.send(new PutObjectCommand({ Bucket: 'lfs-vault', Key: held, Body: 'not yours either', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'lfs-vault' }));
    expect(await refused(() => s3.send(new GetObjectCommand({ Bucket: 'lfs-vault', Key: held })))).toBe(403);
    await root.send(new DeleteObjectCommand({ Bucket: 'lfs-vault', Key: held }));
    expect(await refused(() => s3.send(new ListObjectsV2Command({ Bucket: bucket })))).toBe(403);
    expect(await refused(() => s3.send(new ListObjectsV2Command({ Bucket: 'lfs-vault' })))).toBe(403);
    expect(await refused(() => s3.send(new PutObjectCommand({ Bucket: 'lfs-vault', Key: `files/${ticket.file.id}`, Body: 'x', ...sse })))).toBe(403);

    const cancelled = await stack!.graphql(token, 'mutation($id: ID!) { cancelUpload(fileId: $id) { status } }', { id: ticket.file.id });
    expect(cancelled.data.cancelUpload.status).toBe('CANCELLED');
    // The revocation (a Deny on the session in the dock's policy) holds on the gateway too.
    expect(await refused(() => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: randomBytes(1024), ...sse })))).toBe(403);
    // What the credentials wrote before is cleared, never promoted: its event finds the file CANCELLED.
    await until('the dock key to be cleared', () => isGone(root, bucket, key));
    expect(await isGone(root, 'lfs-vault', `files/${ticket.file.id}`)).toBe(true);
    expect((await awaitStatus(stack!, token, ticket.file.id, ['CANCELLED'])).status).toBe('CANCELLED');
    s3.destroy();
  });

  it('fails (FAILED, dock object deleted) an upload written without SSE-KMS, which the gateway stores unencrypted', async () => {
    const ticket = await upload(2048);
    const s3 = s3ForTicket(ticket);
    await s3.send(new PutObjectCommand({ Bucket: ticket.target.bucket, Key: ticket.target.key, Body: randomBytes(2048) }));
    s3.destroy();
    const file = await awaitStatus(stack!, token, ticket.file.id, ['FAILED', 'AVAILABLE']);
    expect(file.status).toBe('FAILED');
    expect(file.failureReason).toMatch(/the uploaded object is not encrypted with SSE-KMS under lfs-dock/);
    await until('the unencrypted dock object to be deleted', () => isGone(root, 'lfs-dock', ticket.target.key));
    expect(await isGone(root, 'lfs-vault', `files/${ticket.file.id}`)).toBe(true);
  });

  it('refuses a push without the secret (nothing promoted); an event pushed twice promotes once', async () => {
    // With the dock's notification off, the only events are the ones this test pushes.
    await loseEvents();
    const ticket = await upload(4096);
    const s3 = s3ForTicket(ticket);
    const put = await s3.send(new PutObjectCommand({ Bucket: 'lfs-dock', Key: ticket.target.key, Body: randomBytes(4096), ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'lfs-dock' }));
    s3.destroy();
    const record = cephRecord('lfs-dock', ticket.target.key, 4096, put.ETag!);
    for (const secret of ['', 'x'.repeat(48), INTAKE_SECRET.slice(1), `${INTAKE_SECRET}0`]) {
      expect((await push(record, secret)).status).toBe(401);
    }
    expect((await stack!.graphql(token, 'query($id: ID!) { file(id: $id) { status } }', { id: ticket.file.id })).data.file.status).toBe('AWAITING_UPLOAD');
    expect(await dockKeys()).toContain(ticket.target.key);

    const [first, second] = await Promise.all([push(record), push(record)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect((await push(record)).status).toBe(200);
    expect((await awaitStatus(stack!, token, ticket.file.id, ['AVAILABLE'])).status).toBe('AVAILABLE');
    // One promotion, so one transition to AVAILABLE and one announcement.
    await until('the FileAvailable webhook', async () => hooks.events.some((e) => e.fileId === ticket.file.id));
    expect(hooks.events.filter((e) => e.fileId === ticket.file.id)).toHaveLength(1);
  });

  it('the reconciler promotes an object whose event was lost', async () => {
    // The notification is still off: this upload's event is never sent. A declared checksum is checked on the gateway
    // too (it keeps none of its own: LFS reads the object), before and after the copy in parts.
    const body = randomBytes(3000);
    const ticket = await requestUpload(stack!, token, {
      name: 'sum.bin',
      size: body.length,
      contentType: 'application/octet-stream',
      checksum: { algorithm: 'SHA256', value: createHash('sha256').update(body).digest('base64') },
    });
    await putWithTicket(ticket, body);
    await stopLfs();
    const drift = await provisionFromSource(['--target', 'ceph', '--dry-run'], env);
    expect(drift.stdout).toMatch(/update\? +the dock's notification/);
    // Provisioned at start: the notification is put back, but the event of the object written meanwhile was never sent.
    await start({ LFS_RECONCILE_GRACE_SECONDS: '0', LFS_PROVISION_ON_START: 'true' });
    expect((await awaitStatus(stack!, token, ticket.file.id, ['AVAILABLE', 'FAILED'])).status).toBe('AVAILABLE');
    expect(await isGone(root, 'lfs-dock', ticket.target.key)).toBe(true);
  });

  it("the gateway's persistent topic delivers an event sent while LFS was down once LFS is back", async () => {
    const ticket: Ticket = await upload(5000);
    await stopLfs();
    // While LFS is down, the gateway's push fails (503 from the load balancer), and the topic keeps the event.
    const failedBefore = proxy.unavailable();
    await uploadWithTicket(ticket, randomStream(5000).stream);
    await until("the gateway's push to fail", async () => proxy.unavailable() > failedBefore);
    await start();
    expect((await awaitStatus(stack!, token, ticket.file.id, ['AVAILABLE', 'FAILED'])).status).toBe('AVAILABLE');
    expect(await isGone(root, 'lfs-dock', ticket.target.key)).toBe(true);
  });
});
