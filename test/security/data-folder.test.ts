import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { chmod, cp, lstat, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobContext, decodeHeader, MAX_HEADER } from '../../src/local-aws/crypto/frames.js';
import { createLocalAws } from '../../src/local-aws/index.js';
import { unwrapDataKey, wrappingKeyId } from '../../src/local-aws/kms/data-keys.js';
import { unwrapMaterial } from '../../src/local-aws/kms/key-material.js';
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
 * upload and promotion nobody but its owner can read any of it, and a copy
 * of the endpoint's database and blobs opens nothing without kms-master.key.
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

  it('copied without kms-master.key, the endpoint database and blobs open nothing', async () => {
    await stop();
    const aws = join(dataDir, 'aws');
    const copy = join(parent, 'copy');
    await mkdir(copy);
    await cp(join(aws, 'metadata.sqlite'), join(copy, 'metadata.sqlite'));
    await cp(join(aws, 's3'), join(copy, 's3'), { recursive: true });

    const db = new Database(join(copy, 'metadata.sqlite'), { readonly: true });
    const rows = db.prepare<[], { key_id: string; material: Buffer }>('SELECT key_id, material FROM kms_keys').all();
    db.close();
    const blobs = await Promise.all(
      (await entries(join(copy, 's3', 'blobs'))).filter((entry) => !entry.dir).map(async (entry) => {
        const { wrappedKey } = decodeHeader((await readFile(join(copy, 's3', 'blobs', entry.path))).subarray(0, MAX_HEADER));
        return { wrappedKey, context: blobContext(basename(entry.path)), row: rows.find((row) => row.key_id === wrappingKeyId(wrappedKey))! };
      }),
    );
    expect(blobs.length).toBeGreaterThan(0);
    // What the database holds is not the key of any blob, and the endpoint will not start on it...
    for (const { wrappedKey, context, row } of blobs) expect(() => unwrapDataKey(wrappedKey, row.material, context)).toThrow();
    await expect(createLocalAws({ dataDir: copy, port: 0 }).start()).rejects.toThrow(/kms-master\.key/);

    // ...while the master key file opens each key, whose bytes are nowhere in the database.
    const masterKey = Buffer.from((await readFile(join(aws, 'kms-master.key'), 'utf8')).trim(), 'base64');
    const databaseBytes = await readFile(join(copy, 'metadata.sqlite'));
    for (const { wrappedKey, context, row } of blobs) {
      const material = unwrapMaterial(masterKey, row.key_id, row.material);
      expect(databaseBytes.includes(material)).toBe(false);
      expect(unwrapDataKey(wrappedKey, material, context)).toHaveLength(32);
    }
    await cp(join(aws, 'kms-master.key'), join(copy, 'kms-master.key'));
    const endpoint = createLocalAws({ dataDir: copy, port: 0 });
    await endpoint.start();
    const s3 = new S3Client({ endpoint: endpoint.url, region: endpoint.region, forcePathStyle: true, credentials: endpoint.rootCredentials });
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: 'lfs-vault', Key: `files/${stored.fileId}` }));
      expect(await sha256Of(object.Body as Readable)).toBe(stored.sha256);
    } finally {
      s3.destroy();
      await endpoint.stop();
    }
  });

  it('left by an older version (open to others, bare key material), is tightened and its keys wrapped at start', async () => {
    await stop();
    const aws = join(dataDir, 'aws');
    const masterKey = Buffer.from((await readFile(join(aws, 'kms-master.key'), 'utf8')).trim(), 'base64');
    const db = new Database(join(aws, 'metadata.sqlite'));
    const rows = db.prepare<[], { key_id: string; material: Buffer }>('SELECT key_id, material FROM kms_keys').all();
    const bare = rows.map((row) => unwrapMaterial(masterKey, row.key_id, row.material));
    rows.forEach((row, i) => db.prepare('UPDATE kms_keys SET material = ? WHERE key_id = ?').run(bare[i], row.key_id));
    db.close();
    await rm(join(aws, 'kms-master.key'));
    for (const entry of await entries(dataDir)) await chmod(join(dataDir, entry.path), entry.dir ? 0o755 : 0o644);
    await chmod(dataDir, 0o755);
    expect(await notPrivate(dataDir)).not.toEqual([]);

    stack = await startStack({}, dataDir);
    expect(await notPrivate(dataDir)).toEqual([]);
    for (const file of ['metadata.sqlite', 'metadata.sqlite-wal']) {
      const bytes = await readFile(join(aws, file));
      for (const material of bare) expect(bytes.includes(material)).toBe(false);
    }
    const object = await stack.rootS3().send(new GetObjectCommand({ Bucket: 'lfs-vault', Key: `files/${stored.fileId}` }));
    expect(await sha256Of(object.Body as Readable)).toBe(stored.sha256);
  });
});
