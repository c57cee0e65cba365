import { describe, expect, it } from 'vitest';
import { LfsError } from '../../../src/client/errors.js';
import { inferPartSize, planParts } from '../../../src/client/parts.js';

const MiB = 1024 * 1024;
const partsOf = (size: number, partSize: number, numbers: number[]) =>
  numbers.map((n) => ({ PartNumber: n, Size: Math.min(partSize, size - (n - 1) * partSize) }));

describe('part plans', () => {
  it('grows the part size to fit 10,000 parts', () => {
    expect(planParts(100 * MiB, 8 * MiB)).toEqual({ size: 100 * MiB, partSize: 8 * MiB, count: 13 });
    expect(planParts(100_000 * MiB, 5 * MiB).partSize).toBe(10 * MiB);
  });

  it.each([
    ['the largest part listed', partsOf(33 * MiB, 8 * MiB, [2, 3]), 5 * MiB, 8 * MiB],
    ['the ticket’s when only the last part is there', partsOf(33 * MiB, 8 * MiB, [5]), 8 * MiB, 8 * MiB],
    ['the ticket’s when nothing is there', [], 8 * MiB, 8 * MiB],
  ])('infers the part size of an upload resumed without state: %s', (_label, listed, fallback, expected) => {
    expect(inferPartSize(33 * MiB, listed, fallback)).toBe(expected);
  });

  it.each([
    ['a part longer than the file allows', [{ PartNumber: 5, Size: 8 * MiB }]],
    ['parts of two sizes', [{ PartNumber: 1, Size: 8 * MiB }, { PartNumber: 2, Size: 6 * MiB }]],
    ['a part number past the end', [{ PartNumber: 9, Size: 1 * MiB }]],
  ])('refuses parts that no file of this size makes: %s', (_label, listed) => {
    expect(() => inferPartSize(33 * MiB, listed, 8 * MiB)).toThrow(LfsError);
    try {
      inferPartSize(33 * MiB, listed, 8 * MiB);
    } catch (error) {
      expect((error as LfsError).code).toBe('SOURCE_MISMATCH');
    }
  });
});
