import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { request } from 'node:http';
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomStream, sha256Of } from '../helpers/data.js';
import { awaitStatus, requestUpload } from '../helpers/files.js';
import { recordLogs } from '../helpers/logs.js';
import { FILE } from '../helpers/operations.js';
import { startStack, type Stack } from '../helpers/stack.js';

/** PUTs a body with an exact Content-Length (which may lie); resolves with the status and JSON answer. */
function put(url: string, token: string | undefined, body: Buffer | NodeJS.ReadableStream, contentLength: number) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request(url, {
      method: 'PUT',
      headers: { 'content-length': String(contentLength), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    // The server may answer and close before reading a refused body.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    if (Buffer.isBuffer(body)) req.end(body);
    else body.pipe(req);
  });
}

describe('PUT /uploads/<fileId>: the fallback for clients that cannot reach the dock', () => {
  let stack: Stack;
  let alice: string;
  const logs = recordLogs();
  beforeAll(async () => {
    stack = await startStack({ LFS_FALLBACK_MAX_BYTES: String(8 * 1024 * 1024) }, undefined, { logger: logs.logger });
    alice = await stack.token('alice');
  });
  afterAll(() => stack?.stop());

  const url = (fileId: string) => `${stack.app.url}/uploads/${fileId}`;

  it('streams the body into the dock, and the file is promoted as usual', async () => {
    const size = 3 * 1024 * 1024 + 17;
    const ticket = await requestUpload(stack, alice, { name: 'via-lfs.bin', size, contentType: 'application/x-test' });
    const data = randomStream(size);
    const answer = await put(url(ticket.file.id), alice, data.stream, size);
    expect(answer).toMatchObject({ status: 200, body: { fileId: ticket.file.id } });
    expect((await awaitStatus(stack, alice, ticket.file.id, ['AVAILABLE', 'FAILED'])).status).toBe('AVAILABLE');
    const vault = await stack.rootS3().send(new GetObjectCommand({ Bucket: stack.app.config.storage.vaultBucket, Key: `files/${ticket.file.id}` }));
    expect(await sha256Of(vault.Body as AsyncIterable<Uint8Array>)).toBe(data.sha256());
    // Once AVAILABLE, the route refuses another body.
    expect((await put(url(ticket.file.id), alice, Buffer.alloc(size), size)).body.error.code).toBe('CONFLICT');
  });

  it.each([
    ['no token', undefined, 100, 100, 401, 'UNAUTHENTICATED'],
    ["another user's file", 'bob', 100, 100, 404, 'NOT_FOUND'],
    ['a length other than the declared size', 'alice', 100, 99, 400, 'BAD_USER_INPUT'],
    ['a body over the route limit', 'alice', 9 * 1024 * 1024, 9 * 1024 * 1024, 413, 'PAYLOAD_TOO_LARGE'],
  ])('refuses %s, and nothing changes', async (_name, who, declared, sent, status, code) => {
    const ticket = await requestUpload(stack, alice, { name: 'refused.bin', size: declared });
    const token = who === undefined ? undefined : await stack.token(who);
    const answer = await put(url(ticket.file.id), token, Buffer.alloc(sent), sent);
    expect(answer).toEqual({ status, body: { error: { code, message: expect.any(String) } } });
    expect((await stack.graphql(alice, FILE, { id: ticket.file.id })).data.file.status).toBe('AWAITING_UPLOAD');
    const dock = await stack.rootS3().send(new ListObjectsV2Command({ Bucket: stack.app.config.storage.dockBucket, Prefix: ticket.target.key }));
    expect(dock.KeyCount).toBe(0);
  });

  it('stores nothing when the client goes away mid-body', async () => {
    const ticket = await requestUpload(stack, alice, { name: 'cut.bin', size: 1024 * 1024 });
    const { port } = new URL(stack.app.url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => {});
    await once(socket, 'connect');
    socket.write(`PUT /uploads/${ticket.file.id} HTTP/1.1\r\nhost: localhost\r\nauthorization: Bearer ${alice}\r\ncontent-length: ${1024 * 1024}\r\n\r\n`);
    socket.write(Buffer.alloc(300 * 1024));
    const about = (message: string) => (line: { msg: string; fileId?: string }) => line.msg === message && line.fileId === ticket.file.id;
    // Mid-body: LFS is streaming it into the dock when the client goes away.
    await logs.line('the body streaming into the dock', about('fallback upload streaming into the dock'));
    socket.destroy();
    expect((await logs.line('the upload refused', about('fallback upload refused'))).code).toBe('BAD_USER_INPUT');
    expect((await stack.graphql(alice, FILE, { id: ticket.file.id })).data.file.status).toBe('AWAITING_UPLOAD');
    const dock = await stack.rootS3().send(new ListObjectsV2Command({ Bucket: stack.app.config.storage.dockBucket, Prefix: ticket.target.key }));
    expect(dock.KeyCount).toBe(0);
  });
});
