import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FRAME_SIZE, TAG_SIZE } from '../../../src/crypto/frames.js';
import { openLocalDb, type LocalDb } from '../../../src/db.js';
import { isAwsError } from '../../../src/errors.js';
import { createKeyRing, type KeyRing, type KmsKey } from '../../../src/kms/index.js';
import { createBlobStore, type BlobStore } from '../../../src/s3/blobs.js';
import type { Segment } from '../../../src/s3/segments.js';
import { SealingPool } from '../../../src/sealing/pool.js';
import { flipByte, marked, PLAINTEXT_MARKER } from '../../helpers/data.js';

const MiB = 1024 * 1024;
/** Feeds `body` in pieces of `piece` bytes, as a socket would. */
function streamOf(body: Buffer, piece = 64 * 1024): Readable {
  const pieces: Buffer[] = [];
  for (let i = 0; i < body.length; i += piece) pieces.push(body.subarray(i, i + piece));
  return Readable.from(pieces);
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('blob store: encrypted at rest', () => {
  const pool = new SealingPool(2);
  beforeAll(() => pool.start());
  afterAll(() => pool.close());
  let dir: string;
  let db: LocalDb;
  let kms: KeyRing;
  let key: KmsKey;
  let blobs: BlobStore;
  const pathOf = (blob: string) => join(dir, 's3', 'blobs', blob.slice(0, 2), blob);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lfs-blobs-'));
    db = openLocalDb(dir);
    kms = createKeyRing({ db, region: 'us-east-1', accountId: '000000000000', masterKey: randomBytes(32) });
    key = kms.ensure('alias/test');
    blobs = createBlobStore(join(dir, 's3'), kms, pool);
    await blobs.init();
  });
  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each([0, 1, 100, FRAME_SIZE - 1, FRAME_SIZE, FRAME_SIZE + 1, 3 * FRAME_SIZE + 17])('writes and reads back %i bytes, frame-sized on disk', async (size) => {
    const body = marked(size);
    const written = await blobs.write(streamOf(body, 7000), ['MD5', 'CRC32'], Infinity, key);
    expect(written.size).toBe(size);
    expect(written.digests.MD5!.equals(createHash('md5').update(body).digest())).toBe(true);
    expect(written.digests.CRC32!.readUInt32BE()).toBe(crc32(body));
    const onDisk = await readFile(pathOf(written.blob));
    expect(onDisk.length).toBeGreaterThan(size + Math.ceil(size / FRAME_SIZE) * TAG_SIZE);
    if (size > 0) expect((await collect(await blobs.read([written], 0, size - 1))).equals(body)).toBe(true);
  });

  it('leaves no plaintext on disk', async () => {
    const body = marked(2 * MiB + 5);
    await blobs.write(streamOf(body), [], Infinity, key);
    await blobs.write(streamOf(body), [], Infinity, kms.serviceKey());
    const files = await readdir(join(dir, 's3'), { recursive: true, withFileTypes: true });
    const contents = await Promise.all(files.filter((f) => f.isFile()).map((f) => readFile(join(f.parentPath, f.name))));
    expect(contents.length).toBe(2);
    for (const content of contents) expect(content.includes(PLAINTEXT_MARKER)).toBe(false);
  });

  describe('ranges over several segments', () => {
    const sizes = [FRAME_SIZE + 10, 5, 2 * FRAME_SIZE];
    let segments: Segment[];
    let whole: Buffer;
    beforeEach(async () => {
      const bodies = sizes.map((size) => marked(size));
      segments = [];
      for (const body of bodies) segments.push(await blobs.write(streamOf(body), [], Infinity, key));
      whole = Buffer.concat(bodies);
    });

    it.each([
      ['the first byte', 0, 0],
      ['across the first frame boundary', FRAME_SIZE - 3, FRAME_SIZE + 3],
      ['the tail of one segment into the next', FRAME_SIZE + 8, FRAME_SIZE + 12],
      ['one whole tiny segment', FRAME_SIZE + 10, FRAME_SIZE + 14],
      ['inside a later frame of the last segment', FRAME_SIZE + 15 + FRAME_SIZE + 100, FRAME_SIZE + 15 + FRAME_SIZE + 200],
      ['the last byte', 3 * FRAME_SIZE + 14, 3 * FRAME_SIZE + 14],
      ['everything', 0, 3 * FRAME_SIZE + 14],
    ])('reads %s', async (_name, start, end) => {
      expect((await collect(await blobs.read(segments, start, end))).equals(whole.subarray(start, end + 1))).toBe(true);
    });

    it.each([
      ['across all three segments', 100, 3 * FRAME_SIZE + 14],
      ['inside one frame', FRAME_SIZE + 20, FRAME_SIZE + 40],
      ['nothing', 0, -1],
    ])('copies %s into one new blob under another key, with its digests', async (_name, start, end) => {
      const expected = whole.subarray(start, end + 1);
      const copied = await blobs.copy(segments, start, end, ['MD5', 'CRC32'], kms.serviceKey());
      expect(copied.size).toBe(expected.length);
      expect(copied.digests.MD5!.equals(createHash('md5').update(expected).digest())).toBe(true);
      expect(copied.digests.CRC32!.readUInt32BE()).toBe(crc32(expected));
      if (expected.length > 0) expect((await collect(await blobs.read([copied], 0, expected.length - 1))).equals(expected)).toBe(true);
    });

    it('fails a copy from a blob that is gone and leaves nothing behind', async () => {
      await blobs.remove([segments[1].blob]);
      await expect(blobs.copy(segments, 0, 3 * FRAME_SIZE + 14, [], key)).rejects.toThrow();
      expect(await readdir(join(dir, 's3', 'tmp'))).toEqual([]);
    });
  });

  it('fails the read, never yielding altered bytes, when a stored byte changes', async () => {
    const body = marked(3 * FRAME_SIZE);
    const written = await blobs.write(streamOf(body), [], Infinity, key);
    // A byte inside the third frame: the first two frames still stream, then the stream errors.
    await flipByte(pathOf(written.blob), (await stat(pathOf(written.blob))).size - 100);
    const stream = await blobs.read([written], 0, body.length - 1);
    const received: Buffer[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) received.push(chunk as Buffer);
      })(),
    ).rejects.toThrow();
    expect(Buffer.concat(received).equals(body.subarray(0, 2 * FRAME_SIZE))).toBe(true);
  });

  it.each([
    ['the header', 30],
    ['the first frame', 600],
  ])('rejects the read up front when %s is altered', async (_name, position) => {
    const written = await blobs.write(streamOf(marked(1000)), [], Infinity, key);
    await flipByte(pathOf(written.blob), position);
    await expect(blobs.read([written], 0, 999)).rejects.toThrow();
  });

  it('rejects a blob file moved under another blob id', async () => {
    const a = await blobs.write(streamOf(marked(1000)), [], Infinity, key);
    const b = await blobs.write(streamOf(marked(1000)), [], Infinity, key);
    await copyFile(pathOf(a.blob), pathOf(b.blob));
    await expect(blobs.read([b], 0, 999)).rejects.toThrow();
  });

  it('fails with EntityTooLarge past the limit and leaves nothing behind', async () => {
    const error = await blobs.write(streamOf(marked(3000)), [], 2000, key).catch((e: unknown) => e);
    expect(isAwsError(error) && error.code).toBe('EntityTooLarge');
    expect(await blobs.list()).toEqual([]);
    expect(await readdir(join(dir, 's3', 'tmp'))).toEqual([]);
  });

  it('fails when the body stream fails and leaves nothing behind', async () => {
    const failing = new Readable({
      read() {
        this.push(randomBytes(1000));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(blobs.write(failing, [], Infinity, key)).rejects.toThrow('connection reset');
    expect(await readdir(join(dir, 's3', 'tmp'))).toEqual([]);
  });
});
