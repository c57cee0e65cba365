import { GetObjectCommand } from '@aws-sdk/client-s3';
import { chmod, lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomStream, sha256Of } from '../helpers/data.js';
import { awaitStatus, requestUpload } from '../helpers/files.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { uploadWithTicket } from '../helpers/uploader.js';

interface Entry {
  path: string;
  dir: boolean;
  mode: number;
}

async function entries(root: string, dir = root, out: Entry[] = []): Promise<Entry[]> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    out.push({ path: relative(root, path), dir: entry.isDirectory(), mode: (await lstat(path)).mode & 0o777 });
    if (entry.isDirectory()) await entries(root, path, out);
  }
  return out;
}

/** Every folder (the root too) and file that is not exactly 0700 / 0600, as `mode path`. */
async function notPrivate(root: string): Promise<string[]> {
  const all = [{ path: '.', dir: true, mode: (await lstat(root)).mode & 0o777 }, ...(await entries(root))];
  return all.filter((entry) => entry.mode !== (entry.dir ? 0o700 : 0o600)).map((entry) => `${entry.mode.toString(8)} ${entry.path}`);
}

/**
 * The data folder holds the keys to everything in it. After a real start,
 * upload and promotion nobody but its owner can read any of it. (That a copy
 * of the endpoint's database and blobs opens nothing without its
 * kms-master.key is the endpoint's own test: packages/local-aws.)
 */
describe('the data folder', () => {
  let parent: string;
  let dataDir: string;
  let stack: Stack | undefined;
  let previousUmask: number;
  const stored = { fileId: '', sha256: '' };
  const stop = async () => {
    await stack?.stop();
    stack = undefined;
  };

  beforeAll(async () => {
    // The usual umask: anything created without an explicit mode would show up as 0644 / 0755.
    previousUmask = process.umask(0o022);
    parent = await mkdtemp(join(tmpdir(), 'lfs-data-folder-'));
    // Created by the app, as ./.lfs is on a first `npm start`.
    dataDir = join(parent, 'data');
    stack = await startStack({}, dataDir);
    const token = await stack.token('alice');
    const body = randomStream(3 * 1024 * 1024 + 5);
    const ticket = await requestUpload(stack, token, { name: 'private.bin', size: 3 * 1024 * 1024 + 5 });
    await uploadWithTicket(ticket, body.stream);
    await awaitStatus(stack, token, ticket.file.id, ['AVAILABLE']);
    Object.assign(stored, { fileId: ticket.file.id, sha256: body.sha256() });
  });
  afterAll(async () => {
    await stop();
    process.umask(previousUmask);
    await rm(parent, { recursive: true, force: true });
  });

  it('is owner-only after start, upload and promotion: folders 0700, files 0600, SQLite -wal and -shm included', async () => {
    expect(await notPrivate(dataDir)).toEqual([]);
    const paths = (await entries(dataDir)).map((entry) => entry.path);
    for (const sqlite of ['lfs.sqlite', 'aws/metadata.sqlite']) expect(paths).toEqual(expect.arrayContaining([`${sqlite}-wal`, `${sqlite}-shm`]));
    expect(paths).toEqual(expect.arrayContaining(['auth-secret', 'aws/kms-master.key', 'aws/sts-master.key', 'aws/root-credentials.json']));
    expect(paths.some((path) => path.startsWith('aws/s3/blobs/'))).toBe(true);
    await stop();
    expect(await notPrivate(dataDir)).toEqual([]);
  });

  it('left open to others (by an older version, or by hand), is tightened at start', async () => {
    await stop();
    for (const entry of await entries(dataDir)) await chmod(join(dataDir, entry.path), entry.dir ? 0o755 : 0o644);
    await chmod(dataDir, 0o755);
    expect(await notPrivate(dataDir)).not.toEqual([]);

    stack = await startStack({}, dataDir);
    expect(await notPrivate(dataDir)).toEqual([]);
    const object = await stack.rootS3().send(new GetObjectCommand({ Bucket: 'lfs-vault', Key: `files/${stored.fileId}` }));
    expect(await sha256Of(object.Body as Readable)).toBe(stored.sha256);
  });
});
