type Collect = (options: { type: 'minor' | 'major' }) => void;

/**
 * Returns a counter that runs a garbage collection of `type` after every
 * `bytes` counted. Streaming gigabytes through Node leaves a dead buffer per
 * socket read and per sealed frame; V8 only notices that memory after 64 MB
 * of it, per thread, which is most of a small server's memory. A minor
 * collection of a young generation holding nothing but those buffers takes
 * well under a millisecond.
 *
 * Only when the process was started with `--expose-gc` (the package's bin,
 * and LFS's, start Node with it; worker threads inherit it): otherwise the
 * counter does nothing and V8 collects when it decides to, which costs memory,
 * never correctness.
 */
export function collectEvery(bytes: number, type: 'minor' | 'major'): (counted: number) => void {
  const gc = (globalThis as { gc?: Collect }).gc;
  if (!gc) return () => {};
  let since = 0;
  return (counted) => {
    since += counted;
    if (since >= bytes) {
      since = 0;
      gc({ type });
    }
  };
}
