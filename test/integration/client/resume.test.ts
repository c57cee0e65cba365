import { createFileStore, createLfsClient, type LfsClient } from 'large-file-service/client';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dockUploads, vaultCrc64, writeSourceFile } from '../../helpers/client.js';
import { startDockProxy, type DockProxy } from '../../helpers/dock-proxy.js';
import { startStack, type Stack } from '../../helpers/stack.js';
import { tempDirs } from '../../helpers/temp-dirs.js';

const MiB = 1024 * 1024;
const SIZE = 60 * MiB;
/** 5 MiB parts: 12 of them. */
const PARTS = 12;
const child = fileURLToPath(new URL('../../helpers/resume-child.ts', import.meta.url));

describe('resuming an upload', () => {
  let stack: Stack;
  let proxy: DockProxy;
  let url: string;
  const clients: LfsClient[] = [];
  const tempDir = tempDirs('lfs-resume-');
  beforeAll(async () => {
    proxy = await startDockProxy();
    stack = await startStack({ LFS_AWS_PUBLIC_ENDPOINT: proxy.url, LFS_MIN_PART_SIZE: String(5 * MiB) });
    proxy.target = stack.app.localAws!.url;
    url = `${stack.app.url}/graphql`;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((lfs) => lfs.close()));
  });
  afterAll(async () => {
    await stack?.stop();
    await proxy?.stop();
  });

  async function client(stateFile: string): Promise<LfsClient> {
    const lfs = createLfsClient({ url, token: await stack.token('alice'), store: createFileStore(stateFile) });
    clients.push(lfs);
    return lfs;
  }

  /** The parts of the file's upload in the dock, once parts cut off by the abort have settled one way or the other. */
  async function settledParts(fileId: string) {
    const list = () => dockUploads(stack.rootS3(), stack.app.config.storage.dockBucket, `uploads/${fileId}`);
    for (let before = await list(); ; ) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const after = await list();
      if (JSON.stringify(after) === JSON.stringify(before)) return after;
      before = after;
    }
  }

  /** Starts an upload and stops it (signal, not cancel) once about half of it is in the dock. */
  async function uploadHalf(lfs: LfsClient, path: string): Promise<string> {
    const controller = new AbortController();
    let fileId = '';
    const failure = await lfs
      .upload(path, { concurrency: 2, signal: controller.signal, onTicket: (id) => (fileId = id), onProgress: (p) => void (p.bytesSent >= SIZE / 2 && controller.abort()) })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'ABORTED', fileId });
    return fileId;
  }

  /** UploadPart requests from `from` on. */
  const sentSince = (from: number) => proxy.parts.slice(from);

  it('from its state file, sends only the missing parts and ends AVAILABLE with the right checksum', { timeout: 120_000 }, async () => {
    proxy.rate = 15 * MiB;
    const dir = await tempDir();
    const source = await writeSourceFile(dir, 'resumed.bin', SIZE);
    const stateFile = join(dir, 'state.json');
    const fileId = await uploadHalf(await client(stateFile), source.path);
    expect(JSON.parse(await readFile(stateFile, 'utf8'))[fileId]).toMatchObject({ fileId, partSize: 5 * MiB, checksum: 'CRC64NVME', size: SIZE });
    const [open] = await settledParts(fileId);
    const inDock = open.parts.map((part) => part.number);
    expect(inDock.length).toBeGreaterThan(2);
    expect(inDock.length).toBeLessThan(PARTS);

    // A new client, as after a restart, with only the state file.
    const start = proxy.parts.length;
    const file = await (await client(stateFile)).resume(fileId, source.path);
    expect(file).toMatchObject({ id: fileId, status: 'AVAILABLE', checksum: { algorithm: 'CRC64NVME', value: source.crc64 } });
    expect(await vaultCrc64(stack.rootS3(), stack.app.config.storage.vaultBucket, fileId)).toBe(source.crc64);
    const resent = sentSince(start).map((part) => part.partNumber);
    expect(resent.sort((a, b) => a - b)).toEqual([...Array(PARTS).keys()].map((i) => i + 1).filter((n) => !inDock.includes(n)));
    expect(sentSince(start).every((part) => part.uploadId === open.uploadId && part.status === 200)).toBe(true);
    // Done: the state is gone.
    expect(JSON.parse(await readFile(stateFile, 'utf8'))).toEqual({});
  });

  it('from a second process without any state file: LFS names the upload, the parts in the dock tell the part size', { timeout: 120_000 }, async () => {
    proxy.rate = 15 * MiB;
    const dir = await tempDir();
    const source = await writeSourceFile(dir, 'elsewhere.bin', SIZE);
    const fileId = await uploadHalf(await client(join(dir, 'first-machine.json')), source.path);
    const [open] = await settledParts(fileId);
    const start = proxy.parts.length;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@lfs/source', '--import', 'tsx', child, url, await stack.token('alice'), fileId, source.path, join(dir, 'second-machine.json')],
      { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
    );
    const answer = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(answer.error).toBeUndefined();
    expect(answer.file).toMatchObject({ id: fileId, status: 'AVAILABLE', checksum: { algorithm: 'CRC64NVME', value: source.crc64 } });
    expect(sentSince(start)).toHaveLength(PARTS - open.parts.length);
    expect(sentSince(start).some((part) => open.parts.some((done) => done.number === part.partNumber))).toBe(false);
  });

  it('refuses another source (other size, other bytes in a part already sent) before anything is overwritten', { timeout: 120_000 }, async () => {
    proxy.rate = 15 * MiB;
    const dir = await tempDir();
    const source = await writeSourceFile(dir, 'original.bin', SIZE);
    const stateFile = join(dir, 'state.json');
    const fileId = await uploadHalf(await client(stateFile), source.path);
    const before = await settledParts(fileId);
    const start = proxy.parts.length;

    const shorter = join(dir, 'shorter.bin');
    await writeFile(shorter, (await readFile(source.path)).subarray(0, SIZE - 1));
    const altered = join(dir, 'altered.bin');
    const bytes = await readFile(source.path);
    bytes[100] ^= 0xff;
    await writeFile(altered, bytes);

    const lfs = await client(stateFile);
    await expect(lfs.resume(fileId, shorter)).rejects.toMatchObject({ code: 'SOURCE_MISMATCH', fileId });
    await expect(lfs.resume(fileId, altered)).rejects.toMatchObject({ code: 'SOURCE_MISMATCH', fileId, message: expect.stringMatching(/part 1 /) });
    expect(proxy.parts.length).toBe(start);
    expect(await settledParts(fileId)).toEqual(before);
    // The right file still resumes.
    expect((await lfs.resume(fileId, source.path)).status).toBe('AVAILABLE');
  });
});
