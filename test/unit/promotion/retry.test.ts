import { describe, expect, it } from 'vitest';
import { RecentSet, retryDelaySeconds } from '../../../src/promotion/retry.js';

describe('retryDelaySeconds', () => {
  it.each([
    [1, 0, 1],
    [1, 1, 2],
    [2, 1, 4],
    [5, 1, 32],
    [20, 1, 900],
  ])('after receive %d with jitter %d waits %d s (base 2 s, capped at 900)', (receives, jitter, expected) => {
    expect(retryDelaySeconds(receives, 2, 900, () => jitter)).toBe(expected);
  });
});

describe('RecentSet', () => {
  it('forgets the oldest item past its capacity and refreshes re-added ones', () => {
    const set = new RecentSet(2);
    set.add('a');
    set.add('b');
    set.add('a');
    set.add('c');
    expect([set.has('a'), set.has('b'), set.has('c')]).toEqual([true, false, true]);
  });
});
