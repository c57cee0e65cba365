import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeHeader, FRAME_SIZE, newNoncePrefix } from '../../../src/crypto/frames.js';
import { SealingPool } from '../../../src/sealing/pool.js';
import type { SealTarget } from '../../../src/sealing/protocol.js';
import { readSealedFrames } from '../../../src/sealing/sealed-file.js';

const blobId = () => randomBytes(16).toString('hex');

describe('sealing pool', () => {
  let dir: string;
  const pool = new SealingPool(2);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lfs-sealing-'));
    pool.start();
  });
  afterAll(async () => {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  });

  function target(blob = blobId(), path = join(dir, blob)): SealTarget & { blob: string } {
    const noncePrefix = newNoncePrefix();
    return { blob, path, dataKey: randomBytes(32), noncePrefix, context: Buffer.from(blob, 'hex'), header: encodeHeader(noncePrefix, randomBytes(40)), algorithms: ['SHA256'] };
  }

  async function sealAll(t: SealTarget, body: Buffer): Promise<Awaited<ReturnType<ReturnType<SealingPool['write']>['end']>>> {
    const job = pool.write(t);
    for (let offset = 0; offset < body.length; ) {
      const piece = await job.piece();
      const copied = body.copy(piece, 0, offset);
      job.write(piece, copied);
      offset += copied;
    }
    return job.end();
  }

  async function readBack(t: SealTarget & { blob: string }, size: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    if (size === 0) return Buffer.alloc(0);
    for await (const chunk of readSealedFrames(t.path, t.blob, size, 0, size - 1, Buffer.from(t.dataKey))) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  it('seals many concurrent writes, more than there are workers, each with its own bytes and digest', async () => {
    const bodies = [0, 1, FRAME_SIZE, 3 * FRAME_SIZE + 5, 2 * FRAME_SIZE - 1, 777].map((size) => randomBytes(size));
    const targets = bodies.map(() => target());
    const results = await Promise.all(bodies.map((body, i) => sealAll(targets[i], body)));
    for (const [i, body] of bodies.entries()) {
      expect(results[i].size).toBe(body.length);
      expect(results[i].digests.SHA256!.equals(createHash('sha256').update(body).digest())).toBe(true);
      expect((await readBack(targets[i], body.length)).equals(body)).toBe(true);
    }
  });

  it('copies ranges of existing blobs into a new one under another key', async () => {
    const a = randomBytes(2 * FRAME_SIZE + 3);
    const b = randomBytes(1000);
    const [ta, tb] = [target(), target()];
    await sealAll(ta, a);
    await sealAll(tb, b);
    const out = target();
    const sources = [
      { path: ta.path, blob: ta.blob, size: a.length, dataKey: ta.dataKey, from: FRAME_SIZE - 10, to: a.length - 1 },
      { path: tb.path, blob: tb.blob, size: b.length, dataKey: tb.dataKey, from: 0, to: 99 },
    ];
    const expected = Buffer.concat([a.subarray(FRAME_SIZE - 10), b.subarray(0, 100)]);
    const result = await pool.copy(out, sources);
    expect(result.size).toBe(expected.length);
    expect(result.digests.SHA256!.equals(createHash('sha256').update(expected).digest())).toBe(true);
    expect((await readBack(out, expected.length)).equals(expected)).toBe(true);
  });

  it('fails a copy whose source does not open with its key, and leaves no file', async () => {
    const t = target();
    await sealAll(t, randomBytes(5000));
    const out = target();
    await expect(pool.copy(out, [{ path: t.path, blob: t.blob, size: 5000, dataKey: randomBytes(32), from: 0, to: 4999 }])).rejects.toThrow();
    expect((await readdir(dir)).includes(out.blob)).toBe(false);
  });

  it('fails a write whose file cannot be created, and keeps working', async () => {
    const job = pool.write(target(blobId(), join(dir, 'no-such-folder', 'x')));
    const piece = await job.piece();
    job.write(piece, 10);
    await expect(job.end()).rejects.toThrow(/ENOENT/);
    const body = randomBytes(3 * FRAME_SIZE);
    const t = target();
    expect((await sealAll(t, body)).size).toBe(body.length);
  });

  it('aborts a write: the file is gone once abort resolves', async () => {
    const t = target();
    const job = pool.write(t);
    const piece = await job.piece();
    job.write(piece, piece.length);
    await job.abort();
    expect((await readdir(dir)).includes(t.blob)).toBe(false);
  });

  it('fails the jobs of a worker that stops, and starts a new one for the next write', async () => {
    const job = pool.write(target());
    const piece = await job.piece();
    job.write(piece, piece.length);
    await pool.close();
    await expect(job.end()).rejects.toThrow(/sealing worker stopped/);
    const body = randomBytes(FRAME_SIZE + 1);
    expect((await sealAll(target(), body)).size).toBe(body.length);
  });

  it('reads ranges back in order, and stops a read its reader abandons', async () => {
    const body = randomBytes(5 * FRAME_SIZE + 3);
    const t = target();
    await sealAll(t, body);
    const source = { path: t.path, blob: t.blob, size: body.length, dataKey: t.dataKey };
    const chunks: Buffer[] = [];
    for await (const chunk of pool.read([{ ...source, from: 10, to: body.length - 1 }, { ...source, from: 0, to: 4 }])) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(Buffer.concat([body.subarray(10), body.subarray(0, 5)]))).toBe(true);

    const abandoned = pool.read([{ ...source, from: 0, to: body.length - 1 }]);
    expect((await abandoned.next()).value.length).toBe(FRAME_SIZE);
    await abandoned.return(undefined);
    // The worker is free for the next job.
    const again: Buffer[] = [];
    for await (const chunk of pool.read([{ ...source, from: 0, to: 99 }])) again.push(chunk);
    expect(Buffer.concat(again).equals(body.subarray(0, 100))).toBe(true);
  });

  it('fails a read of a blob that does not open with its key', async () => {
    const t = target();
    await sealAll(t, randomBytes(1000));
    await expect(pool.read([{ path: t.path, blob: t.blob, size: 1000, dataKey: randomBytes(32), from: 0, to: 999 }]).next()).rejects.toThrow();
  });

  it('fails to start, naming the command that builds it, when the worker bundle is missing', () => {
    expect(() => new SealingPool(1, join(dir, 'no-such-bundle.cjs')).start()).toThrow(/no-such-bundle\.cjs is missing: run npm run build -w @lfs\/local-aws/);
  });

  it('keeps no process alive while its workers are idle, started ahead or after jobs', async () => {
    const source = (path: string) => fileURLToPath(new URL(`../../../src/${path}`, import.meta.url));
    const pool = source('sealing/pool.ts');
    const big = target();
    await sealAll(big, randomBytes(8 * FRAME_SIZE));
    const abandoned = { path: big.path, blob: big.blob, size: 8 * FRAME_SIZE, dataKey: Buffer.from(big.dataKey).toString('base64'), from: 0, to: 8 * FRAME_SIZE - 1 };
    const script = join(dir, 'idle.mts');
    await writeFile(
      script,
      `import { once } from 'node:events';
      import { Readable } from 'node:stream';
      import { SealingPool } from ${JSON.stringify(pool)};
      import { openLocalDb } from ${JSON.stringify(source('db.ts'))};
      import { createKeyRing } from ${JSON.stringify(source('kms/index.ts'))};
      import { createBlobStore } from ${JSON.stringify(source('s3/blobs.ts'))};
      const pool = new SealingPool(2);
      pool.start();
      // The first worker online (started ahead, holding no job, so it keeps nothing alive: the interval waits), then one job.
      const waiting = setInterval(() => {}, 1000);
      await once(pool['slots'][0].worker, 'online');
      clearInterval(waiting);
      await pool.copy({ path: '/nonexistent/dir/file', dataKey: new Uint8Array(32), noncePrefix: new Uint8Array(8), context: new Uint8Array(16), header: new Uint8Array(30), algorithms: [] }, []).catch(() => {});
      // A read abandoned after its first chunk (a client that hung up) must stop too.
      const reading = pool.read([${JSON.stringify(abandoned)}].map((source) => ({ ...source, dataKey: Buffer.from(source.dataKey, 'base64') })));
      await reading.next();
      await reading.return(undefined);
      // And a GET stream destroyed before anything read it (a HEAD, an error): the blob store stops its read.
      const db = openLocalDb(${JSON.stringify(dir)});
      const kms = createKeyRing({ db, region: 'us-east-1', accountId: '000000000000', masterKey: Buffer.alloc(32, 1) });
      const blobs = createBlobStore(${JSON.stringify(join(dir, 'store'))}, kms, pool);
      await blobs.init();
      const written = await blobs.write(Readable.from([Buffer.alloc(8 * 1024 * 1024, 7)]), [], Infinity, kms.ensure('alias/idle'));
      (await blobs.read([written], 0, written.size - 1)).destroy();
      db.close();
      console.log('idle');`,
    );
    const run = spawnSync(process.execPath, ['--conditions=@lfs/source', '--import', 'tsx', script], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stdout.trim(), run.stderr).toBe('idle');
    expect(run.status).toBe(0);
  });
});
