/**
 * Delay before the next attempt of a failed promotion: exponential in the
 * number of receives, capped, with full jitter so a burst of failures does
 * not retry in lockstep.
 */
export function retryDelaySeconds(receiveCount: number, baseSeconds: number, maxSeconds = 900, random: () => number = Math.random): number {
  const ceiling = Math.min(maxSeconds, baseSeconds * 2 ** Math.max(0, receiveCount - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** A bounded set of recently finished items, oldest forgotten first. */
export class RecentSet {
  private readonly items = new Set<string>();
  constructor(private readonly capacity: number) {}

  has(item: string): boolean {
    return this.items.has(item);
  }

  add(item: string): void {
    this.items.delete(item);
    this.items.add(item);
    if (this.items.size > this.capacity) this.items.delete(this.items.values().next().value!);
  }
}
