/**
 * What a start opened, to be closed in reverse order: each step of a start
 * defers its own closing as soon as it has opened something, so a start
 * that fails half-way closes exactly what it had opened (an endpoint left
 * listening or a database left open would keep the process alive).
 */
export interface DisposalStack {
  /** Registers how to close what was just opened. */
  defer(close: () => unknown): void;
  /**
   * Closes everything registered, newest first, each once. A close that
   * fails does not stop the others; the first failure is thrown at the end.
   */
  dispose(): Promise<void>;
}

export function createDisposalStack(): DisposalStack {
  const closers: Array<() => unknown> = [];
  return {
    defer(close) {
      closers.push(close);
    },
    async dispose() {
      let failure: { error: unknown } | undefined;
      for (let close = closers.pop(); close; close = closers.pop()) {
        try {
          await close();
        } catch (error) {
          failure ??= { error };
        }
      }
      if (failure) throw failure.error;
    },
  };
}
