import { DeleteBucketPolicyCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { digestStream } from '@lfs/checksums';
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockUploads, writeSourceFile } from '../../helpers/client.js';
import { runLfs, startLfs } from '../../helpers/cli.js';
import { startDockProxy, type DockProxy } from '../../helpers/dock-proxy.js';
import { until } from '../../helpers/process.js';
import { startStack, type Stack } from '../../helpers/stack.js';
import { tempDirs } from '../../helpers/temp-dirs.js';

const MiB = 1024 * 1024;
const sha256 = (path: string) => digestStream('SHA256', createReadStream(path));
const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

describe('lfs upload and download', () => {
  let stack: Stack;
  let proxy: DockProxy;
  let connection: string[];
  const tempDir = tempDirs('lfs-cli-transfer-');
  beforeAll(async () => {
    // The dock behind a proxy that counts UploadPart requests and can slow them down; 5 MiB parts.
    proxy = await startDockProxy();
    stack = await startStack({ LFS_AWS_PUBLIC_ENDPOINT: proxy.url, LFS_MIN_PART_SIZE: String(5 * MiB) });
    proxy.target = stack.app.localAws!.url;
    connection = ['--url', stack.app.url, '--token', await stack.token('alice')];
  });
  afterAll(async () => {
    await stack?.stop();
    await proxy?.stop();
  });

  it('on a terminal, a 100 MiB upload draws a progress bar (bytes, rate, time left) that ends AVAILABLE; download writes the same bytes', { timeout: 180_000 }, async () => {
    proxy.rate = Infinity;
    const dir = await tempDir();
    const source = await writeSourceFile(dir, 'hundred.bin', 100 * MiB);
    const run = await runLfs(['upload', source.path, ...connection], { pty: true, env: { LFS_CLIENT_STATE_FILE: join(dir, 'state.json') } });
    expect(run.code, run.stdout).toBe(0);
    const screen = run.stdout;
    // cli-progress redraws the line in place (cursor to column 1, erase to the end of the line).
    expect(screen).toContain('\x1b[1G');
    expect(screen).toContain('\x1b[0K');
    expect(screen).toMatch(/hundred\.bin\s+[█░]{16}\s+\d+% [\d.]+ [KM]iB\/100\.0 MiB [\d.]+ [KM]iB\/s \d+s left/);
    const id = /available ([0-9a-f-]{36})/.exec(screen)?.[1];
    expect(id, screen).toBeDefined();

    const output = join(dir, 'downloaded.bin');
    const download = await runLfs(['download', id!, '-o', output, ...connection]);
    expect(download).toMatchObject({ code: 0, stdout: `${output}\n` });
    expect(lines(download.stderr).at(-1)).toBe('hundred.bin: done (100.0 MiB, CRC64NVME verified)');
    expect(await sha256(output)).toBe(await sha256(source.path));
  });

  it('--json: one JSON line per finished file on stdout, and nothing on stderr', { timeout: 120_000 }, async () => {
    proxy.rate = Infinity;
    const dir = await tempDir();
    const source = await writeSourceFile(dir, 'scripted.bin', 12 * MiB);
    const run = await runLfs(['upload', source.path, '--json', '--metadata', 'team=blue', '--content-type', 'application/x-test', ...connection], {
      env: { LFS_CLIENT_STATE_FILE: join(dir, 'state.json') },
    });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(lines(run.stdout)).toHaveLength(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      path: source.path,
      name: 'scripted.bin',
      status: 'AVAILABLE',
      size: 12 * MiB,
      contentType: 'application/x-test',
      metadata: { team: 'blue' },
      checksum: { algorithm: 'CRC64NVME', value: source.crc64 },
    });
  });

  it('--resume after the process was killed half way sends only the missing parts', { timeout: 180_000 }, async () => {
    const SIZE = 60 * MiB;
    const PARTS = 12;
    proxy.rate = 15 * MiB;
    const dir = await tempDir();
    const source = await writeSourceFile(dir, 'killed.bin', SIZE);
    const env = { LFS_CLIENT_STATE_FILE: join(dir, 'state.json') };

    const start = proxy.parts.length;
    const first = startLfs(['upload', source.path, '--json', '--concurrency', '2', ...connection], { env });
    await until('half of the parts in the dock', async () => proxy.parts.slice(start).filter((part) => part.status === 200).length >= PARTS / 2, 120_000, 50);
    first.child.kill('SIGKILL');
    expect((await first.done).stdout).toBe('');
    const [fileId] = Object.keys(JSON.parse(await readFile(env.LFS_CLIENT_STATE_FILE, 'utf8')));

    // Parts cut off by the kill settle one way or the other (the endpoint finishes or drops each); then the dock holds what the resume must not send again.
    const list = () => dockUploads(stack.rootS3(), stack.app.config.storage.dockBucket, `uploads/${fileId}`);
    let inDock = await list();
    for (let stable = 0; stable < 3; ) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const again = await list();
      stable = JSON.stringify(again) === JSON.stringify(inDock) ? stable + 1 : 0;
      inDock = again;
    }
    const sent = inDock[0].parts.map((part) => part.number);
    expect(sent.length).toBeGreaterThanOrEqual(PARTS / 2);
    expect(sent.length).toBeLessThan(PARTS);

    proxy.rate = Infinity;
    const resumedFrom = proxy.parts.length;
    const resumed = await runLfs(['upload', source.path, '--resume', '--json', ...connection], { env });
    expect(resumed).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(resumed.stdout)).toMatchObject({ id: fileId, status: 'AVAILABLE', checksum: { algorithm: 'CRC64NVME', value: source.crc64 } });
    const resent = proxy.parts.slice(resumedFrom).map((part) => part.partNumber).sort((a, b) => a - b);
    expect(resent).toEqual([...Array(PARTS).keys()].map((i) => i + 1).filter((n) => !sent.includes(n)));
  });

  it('download refuses bytes whose checksum is not the file\'s: exit 1, one line, nothing kept', { timeout: 120_000 }, async () => {
    proxy.rate = Infinity;
    const dir = await tempDir();
    const source = await writeSourceFile(dir, 'tampered.bin', 6 * MiB);
    const uploaded = await runLfs(['upload', source.path, '--json', ...connection], { env: { LFS_CLIENT_STATE_FILE: join(dir, 'state.json') } });
    const { id } = JSON.parse(uploaded.stdout);
    // Someone with the storage's own keys swaps the vault object for other bytes of the same size.
    const s3 = stack.rootS3();
    const vault = stack.app.config.storage.vaultBucket;
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: vault }));
    const other = await writeSourceFile(dir, 'other.bin', 6 * MiB);
    await s3.send(new PutObjectCommand({ Bucket: vault, Key: `files/${id}`, Body: await readFile(other.path), ServerSideEncryption: 'aws:kms', SSEKMSKeyId: stack.app.config.storage.vaultKmsKeyId }));

    const run = await runLfs(['download', id, '-o', join(dir, 'tampered-download.bin'), ...connection]);
    expect(run.code).toBe(1);
    expect(lines(run.stderr).at(-1)).toMatch(/^lfs download: CRC64NVME mismatch: expected .+, got .+; nothing was kept$/);
    expect(run.stdout).toBe('');
    expect((await readdir(dir)).filter((name) => name.includes('tampered-download'))).toEqual([]);
  });
});
