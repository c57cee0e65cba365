import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomStream } from '../../helpers/data.js';
import { awaitStatus, requestUpload } from '../../helpers/files.js';
import { drain, eventsByFile, queueUrl, rootSqs } from '../../helpers/queues.js';
import { startStack, type Stack } from '../../helpers/stack.js';
import { uploadWithTicket } from '../../helpers/uploader.js';

const KiB = 1024;
const MiB = 1024 * KiB;
// Mixed sizes: tiny single PUTs up to multipart uploads.
const sizes = [1, 700, 64 * KiB, 1 * MiB, 3 * MiB, 11 * MiB];

describe('many clients at once', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ LFS_PROMOTION_CONCURRENCY: '8' });
  });
  afterAll(() => stack?.stop());

  it('promotes 200 files uploaded by 20 clients: all AVAILABLE, none lost, none announced twice', async () => {
    const clients = 20;
    const perClient = 10;
    const uploaded: Array<{ id: string; size: number; token: string }> = [];
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        const token = await stack.token(`user-${client}`);
        for (let i = 0; i < perClient; i++) {
          const size = sizes[(client + i) % sizes.length];
          const ticket = await requestUpload(stack, token, { name: `c${client}-f${i}.bin`, size });
          await uploadWithTicket(ticket, randomStream(size).stream, { partSize: 5 * MiB, queueSize: 2 });
          uploaded.push({ id: ticket.file.id, size, token });
        }
      }),
    );
    expect(uploaded).toHaveLength(clients * perClient);

    for (const file of uploaded) expect((await awaitStatus(stack, file.token, file.id, ['AVAILABLE', 'FAILED'])).status).toBe('AVAILABLE');

    const s3 = stack.rootS3();
    const { vaultBucket, dockBucket, fileEventsQueue } = stack.app.config.storage;
    for (const file of uploaded) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: vaultBucket, Key: `files/${file.id}` }));
      expect(head.ContentLength).toBe(file.size);
    }
    expect((await s3.send(new ListObjectsV2Command({ Bucket: vaultBucket }))).KeyCount).toBe(uploaded.length);
    expect((await s3.send(new ListObjectsV2Command({ Bucket: dockBucket }))).KeyCount).toBe(0);

    const sqs = rootSqs(stack.app);
    const events = eventsByFile(await drain(sqs, await queueUrl(sqs, fileEventsQueue)));
    sqs.destroy();
    expect(Object.keys(events).sort()).toEqual(uploaded.map((file) => file.id).sort());
    expect(Object.values(events).every((types) => types.length === 1 && types[0] === 'FileAvailable')).toBe(true);
  });
});
