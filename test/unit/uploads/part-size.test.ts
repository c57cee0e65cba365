import { describe, expect, it } from 'vitest';
import { recommendedPartSize } from '../../../src/uploads/ticket.js';
import { copyPartSize } from '../../../src/promotion/copy.js';

const MiB = 1024 ** 2;
const TiB = 1024 ** 4;

describe('part sizes', () => {
  it.each([
    [1, 8 * MiB],
    [64 * MiB, 8 * MiB],
    [100 * 1024 * MiB, 11 * MiB],
    [5 * TiB, 525 * MiB],
  ])('recommends a part size for %d bytes that fits 10,000 parts', (size, expected) => {
    const partSize = recommendedPartSize(size, 8 * MiB);
    expect(partSize).toBe(expected);
    expect(Math.ceil(size / partSize)).toBeLessThanOrEqual(10_000);
  });

  it('grows the vault copy part size for 5 TiB', () => {
    expect(Math.ceil((5 * TiB) / copyPartSize(5 * TiB, 256 * MiB))).toBeLessThanOrEqual(10_000);
    expect(copyPartSize(1024 * MiB, 256 * MiB)).toBe(256 * MiB);
  });
});
