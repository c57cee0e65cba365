import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { chmod, cp, lstat, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobContext, decodeHeader, MAX_HEADER } from '../../src/crypto/frames.js';
import { createLocalAws, type LocalAws } from '../../src/index.js';
import { unwrapDataKey, wrappingKeyId } from '../../src/kms/data-keys.js';
import { unwrapMaterial } from '../../src/kms/key-material.js';
import { randomStream, sha256Of } from '../helpers/data.js';

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

/** Starts an endpoint on `dataDir`, runs `work` with a root S3 client, stops it. */
async function withEndpoint<T>(dataDir: string, work: (s3: S3Client, endpoint: LocalAws) => Promise<T>): Promise<T> {
  const endpoint = createLocalAws({ dataDir, port: 0 });
  await endpoint.start();
  const s3 = new S3Client({ endpoint: endpoint.url, region: endpoint.region, forcePathStyle: true, credentials: endpoint.rootCredentials });
  try {
    return await work(s3, endpoint);
  } finally {
    s3.destroy();
    await endpoint.stop();
  }
}

async function sha256OfObject(s3: S3Client): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: 'vault', Key: 'private.bin' }));
  return sha256Of(object.Body as Readable);
}

/**
 * The endpoint's data folder holds the key to everything in it: a copy of
 * the database and blobs without kms-master.key opens nothing, and a folder
 * an older version left (open to others, key material stored bare) is
 * closed and its keys wrapped at start.
 */
describe('the endpoint data folder', () => {
  let parent: string;
  let dataDir: string;
  let previousUmask: number;
  let sha256 = '';

  beforeAll(async () => {
    // The usual umask: anything created without an explicit mode would show up as 0644 / 0755.
    previousUmask = process.umask(0o022);
    parent = await mkdtemp(join(tmpdir(), 'lfs-local-aws-data-folder-'));
    dataDir = join(parent, 'aws');
    await withEndpoint(dataDir, async (s3, endpoint) => {
      await s3.send(new CreateBucketCommand({ Bucket: 'vault' }));
      const body = randomStream(3 * 1024 * 1024 + 5);
      const { arn } = endpoint.ensureKey('alias/vault');
      await s3.send(
        new PutObjectCommand({ Bucket: 'vault', Key: 'private.bin', Body: body.stream, ContentLength: 3 * 1024 * 1024 + 5, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: arn }),
      );
      sha256 = body.sha256();
    });
  });
  afterAll(async () => {
    process.umask(previousUmask);
    await rm(parent, { recursive: true, force: true });
  });

  it('is owner-only, and copied without kms-master.key, its database and blobs open nothing', async () => {
    expect(await notPrivate(dataDir)).toEqual([]);
    const copy = join(parent, 'copy');
    await mkdir(copy);
    await cp(join(dataDir, 'metadata.sqlite'), join(copy, 'metadata.sqlite'));
    await cp(join(dataDir, 's3'), join(copy, 's3'), { recursive: true });

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
    const masterKey = Buffer.from((await readFile(join(dataDir, 'kms-master.key'), 'utf8')).trim(), 'base64');
    const databaseBytes = await readFile(join(copy, 'metadata.sqlite'));
    for (const { wrappedKey, context, row } of blobs) {
      const material = unwrapMaterial(masterKey, row.key_id, row.material);
      expect(databaseBytes.includes(material)).toBe(false);
      expect(unwrapDataKey(wrappedKey, material, context)).toHaveLength(32);
    }
    await cp(join(dataDir, 'kms-master.key'), join(copy, 'kms-master.key'));
    expect(await withEndpoint(copy, sha256OfObject)).toBe(sha256);
  });

  it('left by an older version (open to others, bare key material), is tightened and its keys wrapped at start', async () => {
    const masterKey = Buffer.from((await readFile(join(dataDir, 'kms-master.key'), 'utf8')).trim(), 'base64');
    const db = new Database(join(dataDir, 'metadata.sqlite'));
    const rows = db.prepare<[], { key_id: string; material: Buffer }>('SELECT key_id, material FROM kms_keys').all();
    const bare = rows.map((row) => unwrapMaterial(masterKey, row.key_id, row.material));
    rows.forEach((row, i) => db.prepare('UPDATE kms_keys SET material = ? WHERE key_id = ?').run(bare[i], row.key_id));
    db.close();
    await rm(join(dataDir, 'kms-master.key'));
    for (const entry of await entries(dataDir)) await chmod(join(dataDir, entry.path), entry.dir ? 0o755 : 0o644);
    await chmod(dataDir, 0o755);
    expect(await notPrivate(dataDir)).not.toEqual([]);

    await withEndpoint(dataDir, async (s3) => {
      expect(await notPrivate(dataDir)).toEqual([]);
      for (const file of ['metadata.sqlite', 'metadata.sqlite-wal']) {
        const bytes = await readFile(join(dataDir, file));
        for (const material of bare) expect(bytes.includes(material)).toBe(false);
      }
      expect(await sha256OfObject(s3)).toBe(sha256);
    });
  });
});
