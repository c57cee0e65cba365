import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { KeyRing, KmsKey } from '../kms/index.js';
import { readSealedRange } from './blob-reader.js';
import { writeSealedBlob } from './blob-writer.js';
import { createDigester, type ChecksumAlgorithm } from './checksums.js';

/** A stored object body is one or more blobs laid end to end (a completed multipart upload keeps its part blobs). */
export interface Segment {
  blob: string;
  /** Plaintext bytes. */
  size: number;
}

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
 */
export function createBlobStore(root: string, kms: KeyRing): BlobStore {
  const blobsDir = join(root, 'blobs');
  const tmpDir = join(root, 'tmp');
  const pathOf = (blob: string) => join(blobsDir, blob.slice(0, 2), blob);
  const newId = () => randomBytes(16).toString('hex');

  async function place(tmp: string, blob: string): Promise<void> {
    try {
      await rename(tmp, pathOf(blob));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await mkdir(join(blobsDir, blob.slice(0, 2)), { recursive: true });
      await rename(tmp, pathOf(blob));
    }
  }

  return {
    async init() {
      await mkdir(blobsDir, { recursive: true });
      await rm(tmpDir, { recursive: true, force: true });
      await mkdir(tmpDir, { recursive: true });
    },

    async write(body, algorithms, maxSize, key) {
      const blob = newId();
      const tmp = join(tmpDir, blob);
      const digesters = new Map(algorithms.map((a) => [a, createDigester(a)] as const));
      let size: number;
      const file = await open(tmp, 'wx');
      try {
        size = await writeSealedBlob({ file, blob, body, digesters: [...digesters.values()], maxSize, kms, key });
      } catch (error) {
        await file.close().catch(() => {});
        await unlink(tmp).catch(() => {});
        throw error;
      }
      await file.close();
      await place(tmp, blob);
      const digests: WrittenBlob['digests'] = {};
      for (const [algorithm, digester] of digesters) digests[algorithm] = await digester.digest();
      return { blob, size, digests };
    },

    read(segments, start, end) {
      return readSealedRange(segments, start, end, pathOf, kms);
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
