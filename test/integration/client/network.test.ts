import { createLfsClient, memoryStore, type UploadProgress } from 'large-file-service/client';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockedWebSocket, closedPort, countingFetch } from '../../helpers/client.js';
import { startDockProxy, type DockProxy } from '../../helpers/dock-proxy.js';
import { startStack, type Stack } from '../../helpers/stack.js';

const MiB = 1024 * 1024;

describe('the client when the dock cannot be reached', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Browsers are told an endpoint where nothing listens; LFS itself reaches the dock.
    stack = await startStack({ LFS_AWS_PUBLIC_ENDPOINT: `http://127.0.0.1:${await closedPort()}`, LFS_FALLBACK_MAX_BYTES: String(2 * MiB) });
  });
  afterAll(() => stack?.stop());

  it('switches to PUT /uploads/<fileId> by itself, says so in onProgress, and the file becomes AVAILABLE', async () => {
    const lfs = createLfsClient({ url: `${stack.app.url}/graphql`, token: await stack.token('alice'), store: memoryStore() });
    const phases: UploadProgress['phase'][] = [];
    try {
      const body = randomBytes(MiB);
      const file = await lfs.upload(body, { name: 'around.bin', onProgress: (p) => phases.push(p.phase) });
      expect(file).toMatchObject({ status: 'AVAILABLE', size: MiB });
      expect(phases).toContain('fallback');
      expect(phases).not.toContain('upload');
      expect(await lfs.pending()).toEqual([]);
    } finally {
      await lfs.close();
    }
  });

  it('refuses a file larger than the fallback takes with DOCK_UNREACHABLE, and the file stays AWAITING_UPLOAD', async () => {
    const lfs = createLfsClient({ url: `${stack.app.url}/graphql`, token: await stack.token('alice'), store: memoryStore() });
    try {
      const failure = await lfs.upload(randomBytes(3 * MiB), { name: 'too-big.bin' }).catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: 'DOCK_UNREACHABLE', fileId: expect.any(String) });
      expect((await lfs.file((failure as { fileId: string }).fileId))?.status).toBe('AWAITING_UPLOAD');
    } finally {
      await lfs.close();
    }
  });
});

describe('the client where WebSockets are blocked', () => {
  let stack: Stack;
  let proxy: DockProxy;
  beforeAll(async () => {
    proxy = await startDockProxy();
    stack = await startStack({ LFS_CREDENTIALS_TTL_SECONDS: '4', LFS_AWS_PUBLIC_ENDPOINT: proxy.url, LFS_MIN_PART_SIZE: String(5 * MiB) });
    proxy.target = stack.app.localAws!.url;
  });
  afterAll(async () => {
    await stack?.stop();
    await proxy?.stop();
  });

  it('pulls fresh credentials before they expire and learns that the file is AVAILABLE over HTTP', { timeout: 120_000 }, async () => {
    // About 10 s on the wire with credentials that live 4 s, and no pushes.
    proxy.rate = 2 * MiB;
    const counting = countingFetch();
    const lfs = createLfsClient({ url: `${stack.app.url}/graphql`, token: await stack.token('alice'), store: memoryStore(), fetch: counting.fetch, webSocketImpl: BlockedWebSocket });
    try {
      const file = await lfs.upload(randomBytes(20 * MiB), { name: 'no-sockets.bin', concurrency: 2 });
      expect(file.status).toBe('AVAILABLE');
    } finally {
      await lfs.close();
    }
    expect(counting.count('LfsRefreshCredentials')).toBeGreaterThanOrEqual(2);
    expect(new Set(proxy.parts.map((part) => part.accessKeyId)).size).toBeGreaterThanOrEqual(2);
    expect(proxy.parts.every((part) => part.status === 200)).toBe(true);
  });
});
