import { createHash, randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';

/**
 * A stream of `size` pseudo-random bytes that never holds more than one
 * 1 MiB block, with the SHA-256 of everything it produced.
 */
export function randomStream(size: number, blockSize = 1024 * 1024): { stream: Readable; sha256: () => string } {
  const hash = createHash('sha256');
  const base = randomBytes(blockSize);
  let produced = 0;
  let counter = 0;
  const stream = new Readable({
    read() {
      if (produced >= size) {
        this.push(null);
        return;
      }
      const length = Math.min(blockSize, size - produced);
      const block = Buffer.from(base.subarray(0, length));
      // Vary each block so no two parts are identical.
      if (length >= 4) block.writeUInt32BE(counter++ >>> 0, 0);
      produced += length;
      hash.update(block);
      this.push(block);
    },
  });
  let digest: string | undefined;
  return { stream, sha256: () => (digest ??= hash.digest('hex')) };
}

/** SHA-256 hex of a stream, read without buffering it whole. */
export async function sha256Of(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}

/** Stamped into `marked` bodies: plaintext left on disk shows up in a byte search for it. */
export const PLAINTEXT_MARKER = Buffer.from('LFS-PLAINTEXT-MARKER-51c0de');

/** Incompressible random bytes with `PLAINTEXT_MARKER` stamped every 4 KiB. */
export function marked(size: number): Buffer {
  const body = randomBytes(size);
  for (let i = 0; i + PLAINTEXT_MARKER.length <= size; i += 4096) PLAINTEXT_MARKER.copy(body, i);
  return body;
}

/** Flips the low bit of one stored byte. */
export async function flipByte(path: string, position: number): Promise<void> {
  const file = await open(path, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, position);
    byte[0] ^= 0x01;
    await file.write(byte, 0, 1, position);
  } finally {
    await file.close();
  }
}
