import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { blobContext, encodeHeader, FrameSealer, newNoncePrefix } from '../crypto/frames.js';
import { AwsError } from '../errors.js';
import type { KeyRing, KmsKey } from '../kms/index.js';
import type { Digester } from './checksums.js';

/** Ciphertext is handed to the kernel in writes of at least this much (one syscall per MiB, not per socket read). */
const WRITE_BATCH = 1024 * 1024;
/** A batch may hold many tiny pieces when a client sends tiny chunks; writev takes at most IOV_MAX (1024). */
const MAX_PIECES = 512;
/**
 * Ciphertext queued for writing per blob. Bounded so memory stays flat
 * whatever the body size; more than one batch so encryption of the next MiB
 * overlaps the disk write of the previous one. The writes themselves run one
 * at a time, in order.
 */
const MAX_IN_FLIGHT = 4 * 1024 * 1024;

export interface SealedWrite {
  file: FileHandle;
  blob: string;
  body: Readable;
  digesters: Digester[];
  maxSize: number;
  kms: KeyRing;
  /** The key-ring key that wraps this blob's fresh data key. */
  key: KmsKey;
}

/**
 * Streams `body` into `file` encrypted under a new data key (see
 * crypto/frames.ts), digesting the plaintext on the way, then fdatasyncs.
 * Returns the plaintext size. Fails with EntityTooLarge past `maxSize`; the
 * body is then left unconsumed (not destroyed) so the HTTP layer can still
 * answer with the error.
 */
export async function writeSealedBlob({ file, blob, body, digesters, maxSize, kms, key }: SealedWrite): Promise<number> {
  const context = blobContext(blob);
  const dataKey = kms.generateDataKey(key, context);
  const noncePrefix = newNoncePrefix();
  const sealer = new FrameSealer(dataKey.plaintext, noncePrefix, context);
  const header = encodeHeader(noncePrefix, dataKey.wrapped);

  let batch: Buffer[] = [header];
  let batchBytes = header.length;
  let position = 0;
  const inFlight: { done: Promise<void>; bytes: number }[] = [];
  let inFlightBytes = 0;

  const flush = async () => {
    if (batchBytes === 0) return;
    const buffers = batch;
    const bytes = batchBytes;
    const at = position;
    // One write at a time: concurrent writes to one file only contend for its inode lock, and the kernel
    // spins on it (rwsem_spin_on_owner was 13% of a copy's CPU) without the writes finishing sooner.
    const done = (inFlight.length ? inFlight[inFlight.length - 1].done : Promise.resolve()).then(() => writeAll(file, buffers, at, bytes));
    // Settled later by the wait below or the final drain; never an unhandled rejection meanwhile.
    done.catch(() => {});
    inFlight.push({ done, bytes });
    inFlightBytes += bytes;
    position += bytes;
    batch = [];
    batchBytes = 0;
    while (inFlightBytes > MAX_IN_FLIGHT) {
      const oldest = inFlight.shift()!;
      inFlightBytes -= oldest.bytes;
      await oldest.done;
    }
  };

  let size = 0;
  try {
    for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxSize) throw new AwsError('EntityTooLarge');
      for (const digester of digesters) digester.update(chunk);
      const before = batch.length;
      sealer.update(chunk, batch);
      for (let i = before; i < batch.length; i++) batchBytes += batch[i].length;
      if (batchBytes >= WRITE_BATCH || batch.length >= MAX_PIECES) await flush();
    }
    const before = batch.length;
    sealer.finish(batch);
    for (let i = before; i < batch.length; i++) batchBytes += batch[i].length;
    await flush();
    await Promise.all(inFlight.map((w) => w.done));
  } catch (error) {
    await Promise.allSettled(inFlight.map((w) => w.done));
    throw error;
  }
  // The rename that publishes the blob must never publish bytes the kernel has not stored.
  await file.datasync();
  return size;
}

/** writev, continuing after a short write (rare for files, but allowed). */
async function writeAll(file: FileHandle, buffers: Buffer[], position: number, bytes: number): Promise<void> {
  const first = (await file.writev(buffers, position)).bytesWritten;
  if (first === bytes) return;
  const rest = Buffer.concat(buffers).subarray(first);
  let offset = 0;
  while (offset < rest.length) {
    const { bytesWritten } = await file.write(rest, offset, rest.length - offset, position + first + offset);
    offset += bytesWritten;
  }
}
