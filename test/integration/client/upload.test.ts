import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { createLfsClient, LfsError, memoryStore, type UploadProgress } from 'large-file-service/client';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingFetch, countingWebSocket, dockUploads, vaultCrc64, writeSourceFile } from '../../helpers/client.js';
import { startDockProxy, type DockProxy } from '../../helpers/dock-proxy.js';
import { FILE_AVAILABLE } from '../../helpers/operations.js';
import { firstSseEvent, startStack, within, type Stack } from '../../helpers/stack.js';
import { tempDirs } from '../../helpers/temp-dirs.js';

const MiB = 1024 * 1024;

describe('the client uploads a large file while its credentials expire every 20 s', () => {
  let stack: Stack;
  let proxy: DockProxy;
  const tempDir = tempDirs('lfs-client-');
  beforeAll(async () => {
    proxy = await startDockProxy();
    stack = await startStack({ LFS_CREDENTIALS_TTL_SECONDS: '20', LFS_AWS_PUBLIC_ENDPOINT: proxy.url, LFS_MIN_PART_SIZE: String(16 * MiB) });
    proxy.target = stack.app.localAws!.url;
  });
  afterAll(async () => {
    await stack?.stop();
    await proxy?.stop();
  });

  it('300 MiB: renews its credentials several times (pushed by LFS), and the file is AVAILABLE with the checksum of its bytes', { timeout: 240_000 }, async () => {
    const source = await writeSourceFile(await tempDir(), 'big.bin', 300 * MiB);
    // About 25 s on the wire at least: longer than one set of credentials lives.
    proxy.rate = 12 * MiB;
    const counting = countingFetch();
    const sockets = countingWebSocket();
    const lfs = createLfsClient({ url: `${stack.app.url}/graphql`, token: await stack.token('alice'), store: memoryStore(), fetch: counting.fetch, webSocketImpl: sockets.WebSocket });
    const progress: UploadProgress[] = [];
    try {
      const file = await lfs.upload(source.path, { onProgress: (p) => progress.push(p) });
      expect(file).toMatchObject({ status: 'AVAILABLE', name: 'big.bin', size: 300 * MiB, checksum: { algorithm: 'CRC64NVME', value: source.crc64 } });
      expect(await vaultCrc64(stack.rootS3(), stack.app.config.storage.vaultBucket, file.id)).toBe(source.crc64);
    } finally {
      await lfs.close();
    }
    // The parts were signed with several successive credentials, some of them pushed over the socket.
    const signers = new Set(proxy.parts.map((part) => part.accessKeyId));
    expect(signers.size).toBeGreaterThanOrEqual(3);
    expect(sockets.seen.pushes).toBeGreaterThanOrEqual(1);
    expect(proxy.parts.every((part) => part.status === 200)).toBe(true);
    expect(proxy.parts).toHaveLength(Math.ceil(300 / 16));
    // Progress: bytes, a rate and the time left while uploading, then the promotion.
    const uploading = progress.filter((p) => p.phase === 'upload');
    expect(uploading.at(-1)).toMatchObject({ bytesSent: 300 * MiB, totalBytes: 300 * MiB, secondsLeft: 0 });
    expect(uploading.some((p) => p.bytesPerSecond > 0 && p.secondsLeft! > 0)).toBe(true);
    // Pushed credentials came first: LFS pushes them three quarters of their lifetime early, a pull waits for the last eighth.
    expect(counting.count('LfsRefreshCredentials')).toBeLessThan(sockets.seen.pushes);
  });
});

describe('the client against the real stack', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ LFS_MIN_PART_SIZE: String(5 * MiB) });
  });
  afterAll(() => stack?.stop());

  const client = async (sub = 'alice') => createLfsClient({ url: `${stack.app.url}/graphql`, token: await stack.token(sub), store: memoryStore() });

  it('rejects with FAILED and the reason when the declared checksum does not match the bytes', async () => {
    const lfs = await client();
    const wrong = Buffer.alloc(8, 0x5a).toString('base64');
    try {
      const failure = await lfs.upload(randomBytes(6 * MiB), { name: 'wrong.bin', checksum: { algorithm: 'CRC64NVME', value: wrong } }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(LfsError);
      expect(failure).toMatchObject({ code: 'FAILED', failureReason: expect.stringMatching(/checksum mismatch: declared CRC64NVME/) });
      expect((await lfs.file((failure as LfsError).fileId!))?.status).toBe('FAILED');
    } finally {
      await lfs.close();
    }
  });

  it('a subscription opened after the file became AVAILABLE delivers it at once, over graphql-ws and SSE', async () => {
    const lfs = await client();
    const token = await stack.token('alice');
    try {
      const file = await lfs.upload(Buffer.from('ready before anyone listens\n'), { name: 'early.txt' });
      const events = lfs.events(file.id)[Symbol.asyncIterator]();
      const first = await within(events.next(), 5_000, 'the replayed AVAILABLE over graphql-ws');
      expect(first.value).toMatchObject({ type: 'AVAILABLE', file: { id: file.id, status: 'AVAILABLE' } });
      // It ends after a final state.
      expect((await events.next()).done).toBe(true);
      const sse = firstSseEvent(`${stack.app.url}/graphql`, token, FILE_AVAILABLE, { fileId: file.id });
      expect((await within(sse.promise, 5_000, 'the replayed AVAILABLE over SSE')).fileAvailable).toMatchObject({ id: file.id, status: 'AVAILABLE' });
    } finally {
      await lfs.close();
    }
  });

  it('cancel stops the upload and leaves nothing in the dock', async () => {
    const lfs = await client();
    let fileId = '';
    let cancelled: Promise<unknown> | undefined;
    try {
      const upload = lfs.upload(randomBytes(40 * MiB), {
        name: 'cancelled.bin',
        concurrency: 2,
        onTicket: (id) => (fileId = id),
        // Cancelled as soon as a part is in the dock.
        onProgress: (p) => void (p.bytesSent > 0 && !cancelled && (cancelled = lfs.cancel(p.fileId))),
      });
      const failure = await upload.catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: 'CANCELLED', fileId });
      expect(await cancelled).toMatchObject({ id: fileId, status: 'CANCELLED' });
      const { dockBucket } = stack.app.config.storage;
      expect(await dockUploads(stack.rootS3(), dockBucket, `uploads/${fileId}`)).toEqual([]);
      await expect(stack.rootS3().send(new HeadObjectCommand({ Bucket: dockBucket, Key: `uploads/${fileId}` }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
      expect(await lfs.pending()).toEqual([]);
    } finally {
      await lfs.close();
    }
  });

  it('refuses a source without a name, and a bad checksum choice, before creating anything', async () => {
    const lfs = await client('carol');
    try {
      await expect(lfs.upload(Buffer.from('x'))).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      await expect(lfs.upload(Buffer.from('x'), { name: 'x', checksum: 'MD5' as never })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      const listed = await stack.graphql(await stack.token('carol'), 'query { files(first: 5) { edges { node { id } } } }');
      expect(listed.data.files.edges).toEqual([]);
    } finally {
      await lfs.close();
    }
  });
});
