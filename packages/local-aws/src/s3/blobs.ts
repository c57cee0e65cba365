import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { PRIVATE_DIR_MODE } from '@lfs/private-files';
import { blobContext, encodeHeader, newNoncePrefix } from '../crypto/frames.js';
import { AwsError } from '../errors.js';
import type { KeyRing, KmsKey } from '../kms/index.js';
import type { SealingPool } from '../sealing/pool.js';
import type { SealTarget } from '../sealing/protocol.js';
import { readSealedRange, sourcesOf } from './blob-reader.js';
import type { ChecksumAlgorithm } from './checksums.js';
import type { Segment } from './segments.js';

export interface WrittenBlob extends Segment {
  /** Of the plaintext. */
  digests: Partial<Record<ChecksumAlgorithm | 'MD5', Buffer>>;
}

export interface BlobStore {
  /** Creates the folders and empties the temp folder (left-overs of writes a crash interrupted). */
  init(): Promise<void>;
  /**
   * Streams a body into a new blob, encrypted at rest under a fresh data key
   * wrapped by `key` (crypto/frames.ts): temp file, fdatasync, rename.
   * Computes the requested digests of the plaintext on the way; fails with
   * EntityTooLarge past `maxSize`.
   */
  write(body: Readable, algorithms: (ChecksumAlgorithm | 'MD5')[], maxSize: number, key: KmsKey): Promise<WrittenBlob>;
  /**
   * A new blob holding plaintext bytes `start..end` (inclusive) of the
   * concatenation of `segments`, re-encrypted under a fresh data key wrapped
   * by `key`: decrypted, digested and sealed in one pass off the main thread.
   */
  copy(segments: Segment[], start: number, end: number, algorithms: (ChecksumAlgorithm | 'MD5')[], key: KmsKey): Promise<WrittenBlob>;
  /**
   * Plaintext bytes `start..end` (inclusive) of the concatenation of
   * `segments`. Rejects when the first bytes cannot be opened; a later frame
   * that fails authentication errors the stream (never wrong bytes).
   */
  read(segments: Segment[], start: number, end: number): Promise<Readable>;
  remove(blobs: string[]): Promise<void>;
  /** Every blob id on disk, for the sweep of unreferenced blobs at start. */
  list(): Promise<string[]>;
}

/**
 * Blob files are named by random ids, never by object keys, so no key can
 * reach outside the folder. Two-character fan-out keeps directories small.
 * Bodies are sealed, copied and read by `pool`'s worker threads.
 */
export function createBlobStore(root: string, kms: KeyRing, pool: SealingPool): BlobStore {
  const blobsDir = join(root, 'blobs');
  const tmpDir = join(root, 'tmp');
  const pathOf = (blob: string) => join(blobsDir, blob.slice(0, 2), blob);
  const newId = () => randomBytes(16).toString('hex');

  async function place(tmp: string, blob: string): Promise<void> {
    try {
      await rename(tmp, pathOf(blob));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(join(blobsDir, blob.slice(0, 2)), { recursive: true, mode: PRIVATE_DIR_MODE });
      await rename(tmp, pathOf(blob));
    }
  }

  function target(blob: string, path: string, key: KmsKey, algorithms: (ChecksumAlgorithm | 'MD5')[]): SealTarget {
    const context = blobContext(blob);
    const dataKey = kms.generateDataKey(key, context);
    const noncePrefix = newNoncePrefix();
    return { path, dataKey: dataKey.plaintext, noncePrefix, context, header: encodeHeader(noncePrefix, dataKey.wrapped), algorithms };
  }

  return {
    async init() {
      await mkdir(blobsDir, { recursive: true, mode: PRIVATE_DIR_MODE });
      await rm(tmpDir, { recursive: true, force: true });
      await mkdir(tmpDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    },

    async write(body, algorithms, maxSize, key) {
      const blob = newId();
      const tmp = join(tmpDir, blob);
      // The worker digests, seals and writes; this thread only gathers the body into pieces for it. Written
      // around the page cache like a copy: copying every byte into the cache cost a third of an upload's CPU
      // (measured), and a blob read again soon (a promotion) is read from a disk faster than the copy itself.
      const job = pool.write(target(blob, tmp, key, algorithms));
      let size = 0;
      try {
        // A piece is taken when bytes arrive for it: a connection that sends nothing holds no memory.
        let piece: Buffer | undefined;
        let filled = 0;
        for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
          size += chunk.length;
          // The body is left unconsumed (not destroyed) so the HTTP layer can still answer with the error.
          if (size > maxSize) throw new AwsError('EntityTooLarge');
          for (let offset = 0; offset < chunk.length; ) {
            piece ??= await job.piece();
            const copied = chunk.copy(piece, filled, offset);
            filled += copied;
            offset += copied;
            if (filled === piece.length) {
              job.write(piece, filled);
              piece = undefined;
              filled = 0;
            }
          }
        }
        if (piece) job.write(piece, filled);
        const sealed = await job.end();
        if (sealed.size !== size) throw new Error(`blob ${blob}: ${sealed.size} bytes sealed of ${size} received`);
        await place(tmp, blob);
        return { blob, size, digests: sealed.digests };
      } catch (error) {
        await job.abort();
        await unlink(tmp).catch(() => {});
        throw error;
      }
    },

    async copy(segments, start, end, algorithms, key) {
      const sources = await sourcesOf(segments, start, end, pathOf, kms);
      const blob = newId();
      const tmp = join(tmpDir, blob);
      try {
        const sealed = await pool.copy(target(blob, tmp, key, algorithms), sources);
        await place(tmp, blob);
        return { blob, size: sealed.size, digests: sealed.digests };
      } catch (error) {
        await unlink(tmp).catch(() => {});
        throw error;
      }
    },

    read(segments, start, end) {
      return readSealedRange(pool, segments, start, end, pathOf, kms);
    },

    async remove(blobs) {
      await Promise.all(blobs.map((blob) => unlink(pathOf(blob)).catch(() => {})));
    },

    async list() {
      const out: string[] = [];
      for (const fan of await readdir(blobsDir)) out.push(...(await readdir(join(blobsDir, fan))));
      return out;
    },
  };
}
