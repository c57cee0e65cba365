import {
  CreateMultipartUploadCommand,
  DeleteBucketPolicyCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32Of, fileEventTypes, isGone, putWithTicket } from '../../helpers/dock.js';
import { awaitStatus, requestUpload } from '../../helpers/files.js';
import { until } from '../../helpers/process.js';
import { drain, queueUrl, rootSqs } from '../../helpers/queues.js';
import { startStack, type Stack } from '../../helpers/stack.js';
import { s3ForTicket } from '../../helpers/uploader.js';
import type { StepHook } from '../../../src/failpoints.js';

describe('promotion refuses what does not match, and survives a vault that refuses writes', () => {
  let stack: Stack;
  let token: string;
  let sqs: SQSClient;
  let fileEvents: string;
  /** What the running test does at each step of a promotion. */
  let onStep: StepHook = () => {};
  beforeAll(async () => {
    stack = await startStack(
      { LFS_PROMOTION_MAX_RECEIVES: '3', LFS_PROMOTION_RETRY_BASE_SECONDS: '1', LFS_PROMOTION_VISIBILITY_SECONDS: '5' },
      undefined,
      { stepHook: (step, fileId) => onStep(step, fileId) },
    );
    token = await stack.token('alice');
    sqs = rootSqs(stack.app);
    fileEvents = await queueUrl(sqs, stack.app.config.storage.fileEventsQueue);
  });
  afterAll(async () => {
    sqs?.destroy();
    await stack?.stop();
  });

  async function expectFailedAndGone(fileId: string, reason: RegExp) {
    const file = await awaitStatus(stack, token, fileId, ['FAILED', 'AVAILABLE']);
    expect(file.status).toBe('FAILED');
    expect(file.failureReason).toMatch(reason);
    const s3 = stack.rootS3();
    const { dockBucket, vaultBucket } = stack.app.config.storage;
    // The deletes follow the FAILED commit: wait for them.
    await until('the vault object to be gone', () => isGone(s3, vaultBucket, `files/${fileId}`));
    await until('the dock object to be gone', () => isGone(s3, dockBucket, `uploads/${fileId}`));
    expect(await fileEventTypes(sqs, fileEvents, fileId)).toEqual(['FileFailed']);
  }

  it('fails a file larger than declared', async () => {
    const ticket = await requestUpload(stack, token, { name: 'small.bin', size: 1000 });
    await putWithTicket(ticket, Buffer.alloc(2000, 7));
    await expectFailedAndGone(ticket.file.id, /size mismatch: declared 1000 bytes, uploaded 2000/);
  });

  it('fails a file whose content does not match its declared checksum', async () => {
    const body = Buffer.alloc(4096, 1);
    const wrong = await crc32Of(Buffer.alloc(4096, 2));
    const ticket = await requestUpload(stack, token, { name: 'c.bin', size: body.length, checksum: { algorithm: 'CRC32', value: wrong } });
    await putWithTicket(ticket, body);
    await expectFailedAndGone(ticket.file.id, /checksum mismatch/);
  });

  it('promotes a file whose content matches its declared checksum, and the vault keeps it', async () => {
    const body = Buffer.alloc(4096, 3);
    const value = await crc32Of(body);
    const ticket = await requestUpload(stack, token, { name: 'ok.bin', size: body.length, checksum: { algorithm: 'CRC32', value } });
    await putWithTicket(ticket, body);
    const file = await awaitStatus(stack, token, ticket.file.id, ['AVAILABLE', 'FAILED']);
    expect(file).toMatchObject({ status: 'AVAILABLE', checksum: { algorithm: 'CRC32', value } });
    const head = await stack.rootS3().send(
      new HeadObjectCommand({ Bucket: stack.app.config.storage.vaultBucket, Key: `files/${ticket.file.id}`, ChecksumMode: 'ENABLED' }),
    );
    expect(head.ChecksumCRC32).toBe(value);
    expect(await fileEventTypes(sqs, fileEvents, ticket.file.id)).toEqual(['FileAvailable']);
  });

  const denyVaultWrites = () =>
    stack.rootS3().send(
      new PutBucketPolicyCommand({
        Bucket: stack.app.config.storage.vaultBucket,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Sid: 'Outage', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${stack.app.config.storage.vaultBucket}/*` }],
        }),
      }),
    );
  const allowVaultWrites = () => stack.rootS3().send(new DeleteBucketPolicyCommand({ Bucket: stack.app.config.storage.vaultBucket }));

  it('retries while the vault refuses writes and promotes once it accepts them again', async () => {
    await denyVaultWrites();
    const ticket = await requestUpload(stack, token, { name: 'patient.bin', size: 1500 });
    // A second attempt at the copy means the first was refused: the vault accepts writes again before it.
    let attempts = 0;
    onStep = async (step, fileId) => {
      if (fileId === ticket.file.id && step === 'promotion.before-copy' && ++attempts === 2) await allowVaultWrites();
    };
    try {
      await putWithTicket(ticket, Buffer.alloc(1500, 9));
      const file = await awaitStatus(stack, token, ticket.file.id, ['AVAILABLE', 'FAILED']);
      expect(file.status).toBe('AVAILABLE');
      expect(attempts).toBe(2);
    } finally {
      onStep = () => {};
      await allowVaultWrites();
    }
    expect(await fileEventTypes(sqs, fileEvents, ticket.file.id)).toEqual(['FileAvailable']);
  });

  it('gives up after the last allowed attempt: FAILED with the reason, the event in the dead-letter queue', async () => {
    await denyVaultWrites();
    try {
      const ticket = await requestUpload(stack, token, { name: 'doomed.bin', size: 1500 });
      await putWithTicket(ticket, Buffer.alloc(1500, 5));
      await expectFailedAndGone(ticket.file.id, /promotion failed after 3 attempts: .*Access Denied/i);
      const deadLetters = await queueUrl(sqs, `${stack.app.config.storage.dockEventsQueue}-dlq`);
      const parked: string[] = [];
      await until('the event in the dead-letter queue', async () => parked.push(...(await drain(sqs, deadLetters)).map((message) => message.Body!)) > 0);
      expect(parked).toHaveLength(1);
      expect(parked[0]).toContain(`uploads/${ticket.file.id}`);
    } finally {
      await allowVaultWrites();
    }
  });
});

describe('cleanup of uploads nobody finishes', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ LFS_UPLOAD_DEADLINE_SECONDS: '2', LFS_CLEANUP_INTERVAL_SECONDS: '1' });
  });
  afterAll(() => stack?.stop());

  it('expires a ticket never used and one abandoned mid-way, and aborts the abandoned multipart upload', async () => {
    const token = await stack.token('alice');
    const unused = await requestUpload(stack, token, { name: 'never.bin', size: 10 });
    const abandoned = await requestUpload(stack, token, { name: 'half.bin', size: 12 * 1024 * 1024 });
    const s3 = s3ForTicket(abandoned);
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: abandoned.target.bucket,
        Key: abandoned.target.key,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: abandoned.target.kmsKeyId,
      }),
    );
    await s3.send(
      new UploadPartCommand({ Bucket: abandoned.target.bucket, Key: abandoned.target.key, UploadId, PartNumber: 1, Body: Buffer.alloc(5 * 1024 * 1024) }),
    );
    s3.destroy();

    for (const ticket of [unused, abandoned]) {
      expect((await awaitStatus(stack, token, ticket.file.id, ['EXPIRED'])).status).toBe('EXPIRED');
    }
    const root = stack.rootS3();
    const dockBucket = stack.app.config.storage.dockBucket;
    await until('the abandoned multipart upload to be aborted', async () => !(await root.send(new ListMultipartUploadsCommand({ Bucket: dockBucket }))).Uploads?.length);
    expect((await root.send(new ListObjectsV2Command({ Bucket: dockBucket }))).KeyCount).toBe(0);
  });
});
