import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FILE, REFRESH_CREDENTIALS, REQUEST_UPLOAD, type Ticket } from '../helpers/operations.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { s3ForTicket } from '../helpers/uploader.js';
import { awsRefusal, codesOf, unchangedBy } from './attack.js';
import { WAIT_TIMEOUT_MS } from '../helpers/waits.js';

const MiB = 1024 * 1024;

/**
 * What a holder of upload credentials can do with them, tried as an attacker
 * would: everything but writing its one dock key, with the dock key, is
 * refused and leaves storage as it was.
 */
describe('upload credentials in the wrong hands', () => {
  let stack: Stack;
  let alice: string;
  const clients: S3Client[] = [];

  beforeAll(async () => {
    stack = await startStack();
    alice = await stack.token('alice');
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await stack?.stop();
  });

  async function ticketFor(size: number): Promise<{ ticket: Ticket; s3: S3Client }> {
    const response = await stack.graphql(alice, REQUEST_UPLOAD, { input: { name: 'a.bin', size } });
    expect(response.errors).toBeUndefined();
    const ticket: Ticket = response.data.requestUpload;
    const s3 = s3ForTicket(ticket);
    clients.push(s3);
    return { ticket, s3 };
  }

  const dock = () => stack.app.config.storage.dockBucket;
  const vault = () => stack.app.config.storage.vaultBucket;
  const statusOf = async (id: string) => (await stack.graphql(alice, FILE, { id })).data.file.status;
  const sha256 = async (bucket: string, key: string) =>
    createHash('sha256')
      .update(await (await stack.rootS3().send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray())
      .digest('hex');
  const dockObjectGone = async (key: string) => {
    const refusal = await awsRefusal(stack.rootS3().send(new HeadObjectCommand({ Bucket: dock(), Key: key })));
    expect(refusal.code).toBe('NotFound');
  };

  describe('anything but writing the one key', () => {
    let ticket: Ticket;
    let s3: S3Client;
    let bobs: Ticket;
    beforeAll(async () => {
      ({ ticket, s3 } = await ticketFor(10));
      bobs = (await stack.graphql(await stack.token('bob'), REQUEST_UPLOAD, { input: { name: 'b.bin', size: 10 } })).data.requestUpload;
    });
    const sse = () => ({ ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: ticket.target.kmsKeyId });

    it.each([
      ['read its own dock key', () => new GetObjectCommand({ Bucket: dock(), Key: ticket.target.key })],
      ['HEAD its own dock key', () => new HeadObjectCommand({ Bucket: dock(), Key: ticket.target.key })],
      ['delete its own dock key', () => new DeleteObjectCommand({ Bucket: dock(), Key: ticket.target.key })],
      ['list the dock', () => new ListObjectsV2Command({ Bucket: dock() })],
      ['list the dock uploads', () => new ListMultipartUploadsCommand({ Bucket: dock() })],
      ["write another file's dock key", () => new PutObjectCommand({ Bucket: dock(), Key: bobs.target.key, Body: 'x'.repeat(10), ...sse() })],
      ['write a key outside uploads/', () => new PutObjectCommand({ Bucket: dock(), Key: 'index.html', Body: '<script>', ...sse() })],
      ["start a multipart upload on another file's key", () => new CreateMultipartUploadCommand({ Bucket: dock(), Key: bobs.target.key, ...sse() })],
      ['copy its key onto another', () => new CopyObjectCommand({ Bucket: dock(), Key: bobs.target.key, CopySource: `${dock()}/${ticket.target.key}`, ...sse() })],
      ['read the vault', () => new GetObjectCommand({ Bucket: vault(), Key: `files/${ticket.file.id}` })],
      ['list the vault', () => new ListObjectsV2Command({ Bucket: vault() })],
      ['write the vault', () => new PutObjectCommand({ Bucket: vault(), Key: `files/${ticket.file.id}`, Body: 'x'.repeat(10), ...sse() })],
      ['replace the dock bucket policy', () => new PutBucketPolicyCommand({ Bucket: dock(), Policy: JSON.stringify({ Version: '2012-10-17', Statement: [] }) })],
      ['delete the dock bucket policy', () => new DeleteBucketPolicyCommand({ Bucket: dock() })],
      ['read the dock bucket policy', () => new GetBucketPolicyCommand({ Bucket: dock() })],
      ['write under the vault key', () => new PutObjectCommand({ Bucket: dock(), Key: ticket.target.key, Body: 'x'.repeat(10), ServerSideEncryption: 'aws:kms', SSEKMSKeyId: stack.app.config.storage.vaultKmsKeyId })],
      ['write under the default S3 KMS key', () => new PutObjectCommand({ Bucket: dock(), Key: ticket.target.key, Body: 'x'.repeat(10), ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/aws/s3' })],
      ['write with SSE-S3 instead of the dock key', () => new PutObjectCommand({ Bucket: dock(), Key: ticket.target.key, Body: 'x'.repeat(10), ServerSideEncryption: 'AES256' })],
      ['write under a KMS key that does not exist (no probing of key names)', () => new PutObjectCommand({ Bucket: dock(), Key: ticket.target.key, Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/no-such-key' })],
      ['start a multipart upload under the vault key', () => new CreateMultipartUploadCommand({ Bucket: dock(), Key: ticket.target.key, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: stack.app.config.storage.vaultKmsKeyId })],
    ])('refuses to %s and nothing changes', async (label, command) => {
      const refusal = await unchangedBy(stack, () => awsRefusal(s3.send(command() as never)));
      if (label.startsWith('HEAD')) {
        // HEAD answers carry no body, so the SDK cannot name the error; the status says it.
        expect(refusal.status).toBe(403);
      } else {
        expect(refusal).toEqual({ code: 'AccessDenied', status: 403 });
      }
    });
  });

  it('stores a write that names no encryption under the dock key (the dock default), and promotes it', async () => {
    // A Null-header Deny would also refuse UploadPart, which never carries SSE
    // headers; the dock's default encryption covers header-less writes instead.
    const { ticket, s3 } = await ticketFor(1000);
    const put = await s3.send(new PutObjectCommand({ Bucket: dock(), Key: ticket.target.key, Body: randomBytes(1000) }));
    expect(put.ServerSideEncryption).toBe('aws:kms');
    expect(put.SSEKMSKeyId).toBe(ticket.target.kmsKeyId);
    const multipart = await s3.send(new CreateMultipartUploadCommand({ Bucket: dock(), Key: ticket.target.key }));
    expect([multipart.ServerSideEncryption, multipart.SSEKMSKeyId]).toEqual(['aws:kms', ticket.target.kmsKeyId]);
    await vi.waitFor(async () => expect(await statusOf(ticket.file.id)).toBe('AVAILABLE'), { timeout: WAIT_TIMEOUT_MS, interval: 50 });
  });

  it('a write after promotion leaves the vault copy unchanged, and the stray dock object is removed', async () => {
    const { ticket, s3 } = await ticketFor(2048);
    const original = randomBytes(2048);
    await s3.send(new PutObjectCommand({ Bucket: dock(), Key: ticket.target.key, Body: original, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: ticket.target.kmsKeyId }));
    await vi.waitFor(async () => expect(await statusOf(ticket.file.id)).toBe('AVAILABLE'), { timeout: WAIT_TIMEOUT_MS, interval: 50 });
    const vaultKey = `files/${ticket.file.id}`;
    const before = await sha256(vault(), vaultKey);
    expect(before).toBe(createHash('sha256').update(original).digest('hex'));
    const availableAt = (await stack.graphql(alice, FILE, { id: ticket.file.id })).data.file.availableAt;

    // The credentials still work for their key (STS cannot take them back), so the stray write lands...
    await s3.send(new PutObjectCommand({ Bucket: dock(), Key: ticket.target.key, Body: randomBytes(2048), ServerSideEncryption: 'aws:kms', SSEKMSKeyId: ticket.target.kmsKeyId }));
    // ...and the promotion worker deletes it instead of promoting it again.
    await vi.waitFor(() => dockObjectGone(ticket.target.key), { timeout: WAIT_TIMEOUT_MS, interval: 50 });
    expect(await sha256(vault(), vaultKey)).toBe(before);
    const file = (await stack.graphql(alice, FILE, { id: ticket.file.id })).data.file;
    expect(file).toMatchObject({ status: 'AVAILABLE', availableAt });
  });

  it('after cancelUpload the credentials are refused, mid-upload included, and cannot be refreshed', async () => {
    const { ticket, s3 } = await ticketFor(12 * MiB);
    const target = { Bucket: dock(), Key: ticket.target.key };
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ ...target, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: ticket.target.kmsKeyId }));
    const part1 = await s3.send(new UploadPartCommand({ ...target, UploadId, PartNumber: 1, Body: randomBytes(6 * MiB) }));

    const cancelled = await stack.graphql(alice, 'mutation ($id: ID!) { cancelUpload(fileId: $id) { status } }', { id: ticket.file.id });
    expect(cancelled.data.cancelUpload.status).toBe('CANCELLED');

    const attempts = [
      () => s3.send(new UploadPartCommand({ ...target, UploadId, PartNumber: 2, Body: randomBytes(6 * MiB) })),
      () => s3.send(new CompleteMultipartUploadCommand({ ...target, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part1.ETag }] } })),
      () => s3.send(new PutObjectCommand({ ...target, Body: randomBytes(1024), ServerSideEncryption: 'aws:kms', SSEKMSKeyId: ticket.target.kmsKeyId })),
      () => s3.send(new CreateMultipartUploadCommand({ ...target, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: ticket.target.kmsKeyId })),
    ];
    for (const attempt of attempts) {
      expect(await unchangedBy(stack, () => awsRefusal(attempt()))).toEqual({ code: 'AccessDenied', status: 403 });
    }
    await dockObjectGone(ticket.target.key);
    const refreshed = await stack.graphql(alice, REFRESH_CREDENTIALS, { fileId: ticket.file.id });
    expect(codesOf(refreshed)).toEqual(['CONFLICT']);

    // The revocation is a Deny naming the file's session in the dock bucket policy, set to lapse by itself.
    const { Policy } = await stack.rootS3().send(new GetBucketPolicyCommand({ Bucket: dock() }));
    const deny = JSON.parse(Policy!).Statement.find((statement: any) => JSON.stringify(statement.Principal).includes(`lfs-${ticket.file.id}`));
    expect(deny).toMatchObject({ Effect: 'Deny', Action: 's3:*', Condition: { DateLessThan: { 'aws:CurrentTime': expect.any(String) } } });

    // Other files' credentials keep working.
    const { ticket: next, s3: nextS3 } = await ticketFor(10);
    await nextS3.send(new PutObjectCommand({ Bucket: dock(), Key: next.target.key, Body: 'y'.repeat(10), ServerSideEncryption: 'aws:kms', SSEKMSKeyId: next.target.kmsKeyId }));
  });
});
