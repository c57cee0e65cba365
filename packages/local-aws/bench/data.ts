import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

/**
 * `bytes` of incompressible data from one reused 1 MiB random block (so the
 * generator costs almost nothing next to what is measured), each block
 * stamped with its index so no two parts are identical.
 */
export function patternStream(bytes: number, blockSize = 1024 * 1024): Readable {
  const block = randomBytes(blockSize);
  let produced = 0;
  let index = 0;
  return new Readable({
    highWaterMark: blockSize,
    read() {
      if (produced >= bytes) {
        this.push(null);
        return;
      }
      const length = Math.min(blockSize, bytes - produced);
      const chunk = Buffer.allocUnsafe(length);
      block.copy(chunk, 0, 0, length);
      if (length >= 4) chunk.writeUInt32BE(index++ >>> 0, 0);
      produced += length;
      this.push(chunk);
    },
  });
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}
