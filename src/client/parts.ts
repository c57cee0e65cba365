import { LfsError } from './errors.js';

/** S3's bounds on multipart uploads. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PARTS = 10_000;

/** How a file of `size` bytes splits into parts of `partSize` (the last one shorter). */
export interface PartPlan {
  size: number;
  partSize: number;
  count: number;
}

export function planParts(size: number, partSize: number): PartPlan {
  // A part size that would need more than 10,000 parts grows to the smallest whole MiB that fits.
  const fitting = Math.max(partSize, Math.ceil(size / MAX_PARTS / (1024 * 1024)) * 1024 * 1024);
  return { size, partSize: fitting, count: Math.max(1, Math.ceil(size / fitting)) };
}

/** Bytes [start, end) of part `n` (1-based). */
export function rangeOf(plan: PartPlan, n: number): { start: number; end: number } {
  const start = (n - 1) * plan.partSize;
  return { start, end: Math.min(plan.size, start + plan.partSize) };
}

/** Whether the parts already in the dock are exactly the ones `plan` makes. */
function fits(plan: PartPlan, listed: ReadonlyArray<{ PartNumber: number; Size: number }>): boolean {
  return listed.every(({ PartNumber, Size }) => {
    if (PartNumber < 1 || PartNumber > plan.count) return false;
    const { start, end } = rangeOf(plan, PartNumber);
    return Size === end - start;
  });
}

/**
 * The part size of an upload resumed without local state, from the parts
 * in the dock: every part but the last has the part size, so the largest
 * one is it, unless only the last part is there; then `fallback` (the
 * ticket's recommendation, what a client without options used) must fit.
 * SOURCE_MISMATCH when no part size makes these parts out of a file of
 * `size` bytes: they were sent from another file.
 */
export function inferPartSize(size: number, listed: ReadonlyArray<{ PartNumber: number; Size: number }>, fallback: number): number {
  if (listed.length === 0) return fallback;
  const largest = Math.max(...listed.map((part) => part.Size));
  for (const candidate of [largest, fallback]) {
    // Parts below S3's minimum exist only as the last one (or the only one).
    if (candidate < MIN_PART_SIZE && candidate < size) continue;
    const plan = planParts(size, candidate);
    if (plan.partSize === candidate && fits(plan, listed)) return candidate;
  }
  throw new LfsError('SOURCE_MISMATCH', `the parts already in the dock do not make a file of ${size} bytes: the source is not the file this upload was started with`);
}

/** Checks a plan against the parts in the dock; SOURCE_MISMATCH when a part has a size the plan does not give it. */
export function checkFits(plan: PartPlan, listed: ReadonlyArray<{ PartNumber: number; Size: number }>): void {
  if (!fits(plan, listed)) {
    throw new LfsError('SOURCE_MISMATCH', `the parts already in the dock do not make a file of ${plan.size} bytes in parts of ${plan.partSize}: the source is not the file this upload was started with`);
  }
}
