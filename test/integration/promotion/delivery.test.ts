import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SendMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { randomStream, sha256Of } from '../../helpers/data.js';
import { awaitStatus, requestUpload } from '../../helpers/files.js';
import type { Ticket } from '../../helpers/operations.js';
import { drain, eventsByFile, queueUrl, rootSqs } from '../../helpers/queues.js';
import { startStack, type Stack } from '../../helpers/stack.js';
import { s3ForTicket } from '../../helpers/uploader.js';

const KiB = 1024;

async function putWithTicket(ticket: Ticket, size: number): Promise<string> {
  const data = randomStream(size);
  const s3 = s3ForTicket(ticket);
  await s3.send(
    new PutObjectCommand({
      Bucket: ticket.target.bucket,
      Key: ticket.target.key,
      Body: data.stream,
      ContentLength: size,
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: ticket.target.kmsKeyId,
    }),
  );
  s3.destroy();
  return data.sha256();
}

/** Bucket notifications with records (not the s3:TestEvent sent when the notification is configured). */
function objectCreated(messages: Message[]): Message[] {
  return messages.filter((message) => JSON.parse(message.Body!).Records);
}

async function queueIsEmpty(sqs: SQSClient, url: string): Promise<void> {
  for (;;) {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    if (Attributes.ApproximateNumberOfMessages === '0' && Attributes.ApproximateNumberOfMessagesNotVisible === '0') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every file AVAILABLE with the right bytes in the vault, the dock empty, one FileAvailable each. */
async function expectPromotedExactlyOnce(stack: Stack, token: string, files: Array<{ id: string; sha256: string }>) {
  for (const file of files) await awaitStatus(stack, token, file.id, ['AVAILABLE']);
  const sqs = rootSqs(stack.app);
  const { storage } = stack.app.config;
  await queueIsEmpty(sqs, await queueUrl(sqs, storage.dockEventsQueue));
  const events = eventsByFile(await drain(sqs, await queueUrl(sqs, storage.fileEventsQueue)));
  expect(events).toEqual(Object.fromEntries(files.map((file) => [file.id, ['FileAvailable']])));
  const s3 = stack.rootS3();
  for (const file of files) {
    const object = await s3.send(new GetObjectCommand({ Bucket: storage.vaultBucket, Key: `files/${file.id}` }));
    expect(await sha256Of(object.Body as AsyncIterable<Uint8Array>)).toBe(file.sha256);
  }
  expect((await s3.send(new ListObjectsV2Command({ Bucket: storage.dockBucket }))).KeyCount).toBe(0);
  sqs.destroy();
}

describe('promotion under unreliable delivery', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const step of cleanup.reverse()) await step();
    cleanup.length = 0;
  });

  async function stackOn(dataDir: string, env: Record<string, string>) {
    const stack = await startStack(env, dataDir);
    cleanup.push(() => stack.stop());
    return stack;
  }

  async function newDataDir() {
    const dir = await mkdtemp(join(tmpdir(), 'lfs-delivery-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  it('promotes every record of a message, once, however often the message comes', async () => {
    const dataDir = await newDataDir();
    const uploading = await stackOn(dataDir, { LFS_PROMOTION_ENABLED: 'false' });
    const token = await uploading.token('alice');
    const sizes = [3 * KiB, 700 * KiB];
    const files = [];
    for (const size of sizes) {
      const ticket = await requestUpload(uploading, token, { name: `f${size}.bin`, size });
      files.push({ id: ticket.file.id, sha256: await putWithTicket(ticket, size) });
    }
    // Take the two real notifications and deliver them as one message, twice, plus a test event.
    const sqs = rootSqs(uploading.app);
    const dockQueue = await queueUrl(sqs, uploading.app.config.storage.dockEventsQueue);
    const notifications = objectCreated(await drain(sqs, dockQueue));
    expect(notifications).toHaveLength(2);
    const combined = JSON.stringify({ Records: notifications.flatMap((message) => JSON.parse(message.Body!).Records) });
    for (const body of [combined, combined, JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'x' })]) {
      await sqs.send(new SendMessageCommand({ QueueUrl: dockQueue, MessageBody: body }));
    }
    sqs.destroy();
    await cleanup.pop()!();

    const promoting = await stackOn(dataDir, {});
    await expectPromotedExactlyOnce(promoting, await promoting.token('alice'), files);
  });

  it('promotes a completed upload whose notification was lost (the reconciler)', async () => {
    const dataDir = await newDataDir();
    const uploading = await stackOn(dataDir, { LFS_PROMOTION_ENABLED: 'false' });
    const token = await uploading.token('alice');
    const ticket = await requestUpload(uploading, token, { name: 'lost.bin', size: 64 * KiB });
    const sha256 = await putWithTicket(ticket, 64 * KiB);
    const sqs = rootSqs(uploading.app);
    expect(objectCreated(await drain(sqs, await queueUrl(sqs, uploading.app.config.storage.dockEventsQueue)))).toHaveLength(1);
    sqs.destroy();
    await cleanup.pop()!();

    const reconciling = await stackOn(dataDir, { LFS_RECONCILE_GRACE_SECONDS: '0' });
    await expectPromotedExactlyOnce(reconciling, await reconciling.token('alice'), [{ id: ticket.file.id, sha256 }]);
  });
});
