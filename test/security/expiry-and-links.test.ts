import { PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FILE, REFRESH_CREDENTIALS, REQUEST_UPLOAD, type Ticket } from '../helpers/operations.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { s3ForTicket } from '../helpers/uploader.js';
import { awsRefusal, unchangedBy } from './attack.js';
import { WAIT_TIMEOUT_MS } from '../helpers/waits.js';

const LINK = 'mutation ($id: ID!, $seconds: Int) { createDownloadLink(fileId: $id, expiresIn: $seconds) { url expiresAt } }';
const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

/** Time-limited grants used after their time, or altered: upload credentials and download links. */
describe('expired and altered grants', () => {
  let stack: Stack;
  let alice: string;
  let ticket: Ticket;
  const body = randomBytes(4096);

  beforeAll(async () => {
    // Two-second credentials and one-second links, so expiry is observable quickly.
    stack = await startStack({ LFS_CREDENTIALS_TTL_SECONDS: '2', LFS_DOWNLOAD_LINK_MIN_SECONDS: '1' });
    alice = await stack.token('alice');
    ticket = (await stack.graphql(alice, REQUEST_UPLOAD, { input: { name: 'report "final".pdf', size: body.length, contentType: 'application/pdf' } })).data.requestUpload;
    const s3 = s3ForTicket(ticket);
    try {
      await s3.send(new PutObjectCommand({ Bucket: ticket.target.bucket, Key: ticket.target.key, Body: body, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: ticket.target.kmsKeyId }));
    } finally {
      s3.destroy();
    }
    await vi.waitFor(async () => expect((await stack.graphql(alice, FILE, { id: ticket.file.id })).data.file.status).toBe('AVAILABLE'), { timeout: WAIT_TIMEOUT_MS, interval: 50 });
  });
  afterAll(() => stack?.stop());

  const link = async (seconds: number) => {
    const { data, errors } = await stack.graphql(alice, LINK, { id: ticket.file.id, seconds });
    expect(errors).toBeUndefined();
    return data.createDownloadLink as { url: string; expiresAt: string };
  };

  it('upload credentials are refused once they expire (ExpiredToken), nothing is written, and refreshUploadCredentials gives fresh ones', async () => {
    const fresh: Ticket = (await stack.graphql(alice, REQUEST_UPLOAD, { input: { name: 'late.bin', size: 10 } })).data.requestUpload;
    await sleepUntil(Date.parse(fresh.credentials.expiration) + 1100);
    const s3 = s3ForTicket(fresh);
    try {
      const put = () => s3.send(new PutObjectCommand({ Bucket: fresh.target.bucket, Key: fresh.target.key, Body: 'x'.repeat(10), ServerSideEncryption: 'aws:kms', SSEKMSKeyId: fresh.target.kmsKeyId }));
      expect(await unchangedBy(stack, () => awsRefusal(put()))).toEqual({ code: 'ExpiredToken', status: 400 });
    } finally {
      s3.destroy();
    }
    // The owner then gets a fresh session from STS for the same ticket.
    const refreshed = await stack.graphql(alice, REFRESH_CREDENTIALS, { fileId: fresh.file.id });
    expect(refreshed.errors).toBeUndefined();
    expect(refreshed.data.refreshUploadCredentials.accessKeyId).not.toBe(fresh.credentials.accessKeyId);
    expect(Date.parse(refreshed.data.refreshUploadCredentials.expiration)).toBeGreaterThan(Date.now());
  });

  it('a download link serves the file with its name, then is refused once it expires', async () => {
    const { url, expiresAt } = await link(1);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain("filename*=UTF-8''report%20%22final%22.pdf");
    expect(Buffer.from(await response.arrayBuffer()).equals(body)).toBe(true);
    await sleepUntil(Date.parse(expiresAt) + 1100);
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('AccessDenied');
  });

  it.each([
    ['a changed signature', (url: URL) => url.searchParams.set('X-Amz-Signature', url.searchParams.get('X-Amz-Signature')!.replace(/^./, (c) => (c === '0' ? '1' : '0')))],
    ['a longer lifetime', (url: URL) => url.searchParams.set('X-Amz-Expires', '604800')],
    ['a later signing date', (url: URL) => url.searchParams.set('X-Amz-Date', new Date(Date.now() + 3600_000).toISOString().replace(/[-:]|\.\d{3}/g, ''))],
    ['another file name', (url: URL) => url.searchParams.set('response-content-disposition', 'inline; filename="x.html"')],
    ['another content type', (url: URL) => url.searchParams.set('response-content-type', 'text/html')],
    ['another object', (url: URL) => (url.pathname = url.pathname.replace(/files\/.*$/, 'files/00000000-0000-4000-8000-000000000000'))],
    ['the signature removed', (url: URL) => url.searchParams.delete('X-Amz-Signature')],
  ])('an altered download link is refused: %s', async (_label, alter) => {
    const url = new URL((await link(600)).url);
    alter(url);
    const response = await fetch(url);
    // 403 for a signature that does not match, 400 (as AWS) for a presigned URL missing its parts.
    expect([400, 403]).toContain(response.status);
    expect(await response.text()).toMatch(/<Error><Code>(SignatureDoesNotMatch|AccessDenied|AuthorizationHeaderMalformed|AuthorizationQueryParametersError)<\/Code>/);
  });

  it('a download link cannot write: PUT and DELETE with it are refused and the vault copy stays', async () => {
    const { url } = await link(600);
    for (const method of ['PUT', 'DELETE']) {
      const response = await unchangedBy(stack, () => fetch(url, { method, body: method === 'PUT' ? 'overwritten' : undefined }));
      expect(response.status).toBe(403);
    }
    expect(Buffer.from(await (await fetch(url)).arrayBuffer()).equals(body)).toBe(true);
  });
});

/**
 * Upload credentials end by the ticket's deadline: once it is closer than
 * the shortest session STS grants, a refresh is refused rather than handing
 * out credentials that outlive the ticket.
 */
describe('upload credentials and the ticket deadline', () => {
  const MIN_SESSION_SECONDS = 3;
  const DEADLINE_SECONDS = 5;
  let stack: Stack;
  let alice: string;

  beforeAll(async () => {
    stack = await startStack({
      LFS_LOCAL_AWS_MIN_SESSION_SECONDS: String(MIN_SESSION_SECONDS),
      LFS_CREDENTIALS_TTL_SECONDS: String(MIN_SESSION_SECONDS),
      LFS_UPLOAD_DEADLINE_SECONDS: String(DEADLINE_SECONDS),
    });
    alice = await stack.token('alice');
  });
  afterAll(() => stack?.stop());

  it('grants credentials that end by the deadline, then refuses a refresh (CONFLICT) once less than the shortest session remains, changing nothing', async () => {
    const ticket: Ticket = (await stack.graphql(alice, REQUEST_UPLOAD, { input: { name: 'late.bin', size: 10 } })).data.requestUpload;
    const deadline = Date.parse(ticket.file.createdAt) + DEADLINE_SECONDS * 1000;
    expect(Date.parse(ticket.credentials.expiration)).toBeLessThanOrEqual(deadline);
    const early = await stack.graphql(alice, REFRESH_CREDENTIALS, { fileId: ticket.file.id });
    expect(early.errors).toBeUndefined();
    expect(Date.parse(early.data.refreshUploadCredentials.expiration)).toBeLessThanOrEqual(deadline);

    await sleepUntil(deadline - (MIN_SESSION_SECONDS - 0.5) * 1000);
    const late = await unchangedBy(stack, () => stack.graphql(alice, REFRESH_CREDENTIALS, { fileId: ticket.file.id }));
    expect(late.data).toBeNull();
    expect(late.errors).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/deadline is \d s away.*request a new upload/), extensions: expect.objectContaining({ code: 'CONFLICT' }) }),
    ]);
    expect((await stack.graphql(alice, FILE, { id: ticket.file.id })).data.file.status).toBe('AWAITING_UPLOAD');
  });
});
