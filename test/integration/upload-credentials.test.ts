import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsRefusal } from '../helpers/aws-errors.js';
import { REFRESH_CREDENTIALS, REQUEST_UPLOAD, type Ticket } from '../helpers/operations.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { s3ForTicket } from '../helpers/uploader.js';

describe('upload credentials can write one dock key and nothing else', () => {
  let stack: Stack;
  let ticket: Ticket;
  beforeAll(async () => {
    stack = await startStack();
    const alice = await stack.token('alice');
    const response = await stack.graphql<{ requestUpload: Ticket }>(alice, REQUEST_UPLOAD, { input: { name: 'a.bin', size: 10 } });
    expect(response.errors).toBeUndefined();
    ticket = response.data!.requestUpload;
  });
  afterAll(() => stack?.stop());

  const dock = () => ticket.target.bucket;
  const vault = () => stack.app.config.storage.vaultBucket;
  const sse = () => ({ ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: ticket.target.kmsKeyId });

  it.each([
    ['GetObject on its own dock key', () => new GetObjectCommand({ Bucket: dock(), Key: ticket.target.key })],
    ['PutObject on another dock key', () => new PutObjectCommand({ Bucket: dock(), Key: 'uploads/someone-else', Body: 'x', ...sse() })],
    ['ListObjectsV2 on the dock', () => new ListObjectsV2Command({ Bucket: dock() })],
    ['PutObject into the vault', () => new PutObjectCommand({ Bucket: vault(), Key: `files/${ticket.file.id}`, Body: 'x', ...sse() })],
    ['GetObject from the vault', () => new GetObjectCommand({ Bucket: vault(), Key: `files/${ticket.file.id}` })],
    ['ListObjectsV2 on the vault', () => new ListObjectsV2Command({ Bucket: vault() })],
  ])('refuses %s with 403 AccessDenied', async (_name, command) => {
    const s3 = s3ForTicket(ticket);
    try {
      expect(await awsRefusal(s3.send(command() as any))).toEqual({ code: 'AccessDenied', status: 403 });
    } finally {
      s3.destroy();
    }
  });

  it('refuses a write under another KMS key', async () => {
    const s3 = s3ForTicket(ticket);
    try {
      const error = await awsRefusal(
        s3.send(new PutObjectCommand({ Bucket: dock(), Key: ticket.target.key, Body: 'x', ServerSideEncryption: 'AES256' })),
      );
      expect(error).toEqual({ code: 'AccessDenied', status: 403 });
    } finally {
      s3.destroy();
    }
  });
});

describe('upload credentials expire', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Two-second credentials so expiry is observable without a long wait.
    stack = await startStack({ LFS_CREDENTIALS_TTL_SECONDS: '2' });
  });
  afterAll(() => stack?.stop());

  it('gets ExpiredToken once the credentials expire, and fresh ones from refreshUploadCredentials', async () => {
    const alice = await stack.token('alice');
    const response = await stack.graphql<{ requestUpload: Ticket }>(alice, REQUEST_UPLOAD, { input: { name: 'a.bin', size: 10 } });
    const ticket = response.data!.requestUpload;
    const put = () =>
      new PutObjectCommand({
        Bucket: ticket.target.bucket,
        Key: ticket.target.key,
        Body: 'x',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: ticket.target.kmsKeyId,
      });
    const expiresAt = new Date(ticket.credentials.expiration).getTime();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 1100));
    const s3 = s3ForTicket(ticket);
    try {
      expect((await awsRefusal(s3.send(put()))).code).toBe('ExpiredToken');
    } finally {
      s3.destroy();
    }
    const refreshed = await stack.graphql(alice, REFRESH_CREDENTIALS, { fileId: ticket.file.id });
    expect(refreshed.errors).toBeUndefined();
    expect(refreshed.data.refreshUploadCredentials.accessKeyId).not.toBe(ticket.credentials.accessKeyId);
  });
});
