import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AwsError } from '../errors.js';
import { createDigester, type ChecksumAlgorithm, type Digester } from './checksums.js';

/** A stored object body is one or more blobs laid end to end (a completed multipart upload keeps its part blobs). */
export interface Segment {
  blob: string;
  size: number;
}

export interface WrittenBlob extends Segment {
  digests: Partial<Record<ChecksumAlgorithm | 'MD5', Buffer>>;
}

export interface BlobStore {
  /** Creates the folders and empties the temp folder (left-overs of writes a crash interrupted). */
  init(): Promise<void>;
  /**
   * Streams a body into a new blob: temp file, fdatasync, rename. Computes the
   * requested digests on the way; fails with EntityTooLarge past `maxSize`.
   */
  write(body: Readable, algorithms: (ChecksumAlgorithm | 'MD5')[], maxSize: number): Promise<WrittenBlob>;
  /** Bytes `start..end` (inclusive) of the concatenation of `segments`. */
  read(segments: Segment[], start: number, end: number): Readable;
  /** Copies one blob into a new one (copy_file_range: no bytes through user space). */
  copy(blob: string): Promise<string>;
  remove(blobs: string[]): Promise<void>;
  /** Every blob id on disk, for the sweep of unreferenced blobs at start. */
  list(): Promise<string[]>;
}

const READ_CHUNK = 1024 * 1024;

/**
 * Blob files are named by random ids, never by object keys, so no key can
 * reach outside the folder. Two-character fan-out keeps directories small.
 */
export function createBlobStore(root: string): BlobStore {
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

    async write(body, algorithms, maxSize) {
      const blob = newId();
      const tmp = join(tmpDir, blob);
      const digesters = new Map(algorithms.map((a) => [a, createDigester(a)] as const));
      const meter = new Meter([...digesters.values()], maxSize);
      try {
        // flush: fsync before close, so the rename below never publishes a file the kernel has not stored.
        await pipeline(body, meter, createWriteStream(tmp, { flags: 'wx', flush: true, highWaterMark: READ_CHUNK }));
      } catch (error) {
        await unlink(tmp).catch(() => {});
        throw error;
      }
      await place(tmp, blob);
      const digests: WrittenBlob['digests'] = {};
      for (const [algorithm, digester] of digesters) digests[algorithm] = await digester.digest();
      return { blob, size: meter.size, digests };
    },

    read(segments, start, end) {
      async function* chunks() {
        let offset = 0;
        for (const segment of segments) {
          const segmentEnd = offset + segment.size - 1;
          if (segment.size > 0 && segmentEnd >= start && offset <= end) {
            const from = Math.max(start, offset) - offset;
            const to = Math.min(end, segmentEnd) - offset;
            yield* createReadStream(pathOf(segment.blob), { start: from, end: to, highWaterMark: READ_CHUNK });
          }
          offset += segment.size;
          if (offset > end) break;
        }
      }
      return Readable.from(chunks(), { objectMode: false });
    },

    async copy(source) {
      const blob = newId();
      const tmp = join(tmpDir, blob);
      await copyFile(pathOf(source), tmp);
      const file = await open(tmp, 'r+');
      try {
        await file.datasync();
      } finally {
        await file.close();
      }
      await place(tmp, blob);
      return blob;
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

/** Counts and digests the bytes flowing into a blob. */
class Meter extends Transform {
  size = 0;
  constructor(
    private readonly digesters: Digester[],
    private readonly maxSize: number,
  ) {
    super({ highWaterMark: READ_CHUNK });
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxSize) {
      callback(new AwsError('EntityTooLarge'));
      return;
    }
    for (const digester of this.digesters) digester.update(chunk);
    callback(null, chunk);
  }
}
