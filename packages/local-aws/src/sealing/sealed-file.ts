import { open, unlink, type FileHandle } from 'node:fs/promises';
import { createDigester, type DigestAlgorithm, type Digester } from '@lfs/checksums';
import { decodeHeader, frameOffset, FrameSealer, MAX_HEADER, openFrameSlices, TAG_SIZE, type BlobHeader } from '../crypto/frames.js';
import { AppendFile } from './direct-io.js';
import type { SealTarget, SourceHeader } from './protocol.js';

/**
 * A new blob file being written: plaintext in, digested and sealed into
 * frames (crypto/frames.ts) at once, the ciphertext queued to the file in
 * order, one write at a time (concurrent writes to one file only contend for
 * its inode lock). A failed open or write fails every later step.
 */
export class SealedFile {
  private readonly sealer: FrameSealer;
  private readonly digesters: Map<DigestAlgorithm, Digester>;
  private readonly file: Promise<AppendFile>;
  private queue: Promise<void> = Promise.resolve();
  private size = 0;

  constructor(private readonly target: SealTarget) {
    this.sealer = new FrameSealer(Buffer.from(target.dataKey), Buffer.from(target.noncePrefix), Buffer.from(target.context));
    this.digesters = new Map(target.algorithms.map((algorithm) => [algorithm, createDigester(algorithm)]));
    this.file = AppendFile.create(target.path);
    this.file.catch(() => {});
    this.queue = this.enqueue([Buffer.from(target.header)]);
  }

  /** Digests and seals `plain` now; resolves once its ciphertext is written. */
  write(plain: Buffer): Promise<void> {
    this.size += plain.length;
    for (const digester of this.digesters.values()) digester.update(plain);
    const out: Buffer[] = [];
    this.sealer.update(plain, out);
    return this.enqueue(out);
  }

  /** Seals the last frame, then fdatasyncs: the rename that publishes the blob must never publish bytes the kernel has not stored. */
  async finish(): Promise<{ size: number; digests: Partial<Record<DigestAlgorithm, Buffer>> }> {
    const out: Buffer[] = [];
    this.sealer.finish(out);
    await this.enqueue(out);
    await (await this.file).finish();
    const digests: Partial<Record<DigestAlgorithm, Buffer>> = {};
    for (const [algorithm, digester] of this.digesters) digests[algorithm] = await digester.digest();
    return { size: this.size, digests };
  }

  /** Waits for queued writes, closes and deletes the file. */
  async discard(): Promise<void> {
    await this.queue.catch(() => {});
    const file = await this.file.catch(() => undefined);
    await file?.close().catch(() => {});
    if (file) await unlink(this.target.path).catch(() => {});
  }

  private enqueue(buffers: Buffer[]): Promise<void> {
    const written = this.queue.then(async () => (await this.file).append(buffers));
    written.catch(() => {});
    this.queue = written;
    return written;
  }
}

/** The header at the start of an open blob file. */
export async function readHeader(file: FileHandle): Promise<BlobHeader> {
  const head = Buffer.alloc(MAX_HEADER);
  const { bytesRead } = await file.read(head, 0, MAX_HEADER, 0);
  return decodeHeader(head.subarray(0, bytesRead));
}

/**
 * Plaintext bytes `from..to` (inclusive) of the blob at `path` (`size`
 * plaintext bytes) under its data `key`, decrypting only the frames the
 * range touches: one list of slices per frame (openFrameSlices). Every
 * frame is authenticated before any of its bytes is yielded. A `header` the
 * caller already read is not read again.
 */
export async function* readSealedFrames(path: string, blob: string, size: number, from: number, to: number, key: Buffer, known?: SourceHeader): AsyncGenerator<Buffer[]> {
  const file = await open(path, 'r');
  try {
    const header = known ? { ...known, noncePrefix: Buffer.from(known.noncePrefix) } : await readHeader(file);
    const context = Buffer.from(blob, 'hex');
    const frame = header.frameSize;
    const firstFrame = Math.floor(from / frame);
    const lastFrame = Math.floor(to / frame);

    // Two read buffers, reused in turn: a sealed frame is dead once openFrameSlices returns (its plaintext is a new
    // buffer), and at most two are live (the one being opened and the one read ahead).
    const bufferSize = Math.min(frame, size - firstFrame * frame) + TAG_SIZE;
    const buffers = [Buffer.allocUnsafeSlow(bufferSize), Buffer.allocUnsafeSlow(lastFrame > firstFrame ? bufferSize : 0)];
    const fetch = async (index: number): Promise<Buffer> => {
      const length = Math.min(frame, size - index * frame) + TAG_SIZE;
      const sealed = buffers[(index - firstFrame) & 1].subarray(0, length);
      const { bytesRead: got } = await file.read(sealed, 0, length, frameOffset(header, index));
      if (got !== length) throw new Error(`blob ${blob} is truncated at frame ${index}`);
      return sealed;
    };
    // One frame read ahead: the disk read of frame i+1 overlaps the decryption of frame i.
    let next = fetch(firstFrame);
    for (let index = firstFrame; index <= lastFrame; index++) {
      const sealed = await next;
      if (index < lastFrame) {
        next = fetch(index + 1);
        next.catch(() => {});
      }
      const slices = openFrameSlices(key, header, context, index, sealed);
      const a = index === firstFrame ? from - index * frame : 0;
      const b = index === lastFrame ? to - index * frame + 1 : Infinity;
      yield a === 0 && b === Infinity ? slices : within(slices, a, b);
    }
  } finally {
    await file.close();
  }
}

/** The parts of `slices` (laid end to end) covering bytes `a..b` (exclusive). */
function within(slices: Buffer[], a: number, b: number): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  for (const slice of slices) {
    const from = Math.max(a - offset, 0);
    const to = Math.min(b - offset, slice.length);
    if (to > from) out.push(from === 0 && to === slice.length ? slice : slice.subarray(from, to));
    offset += slice.length;
  }
  return out;
}
