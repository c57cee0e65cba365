import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options: { type: 'minor' | 'major'; execution?: 'sync' }) => void;
let collect: Collect | undefined;

/**
 * Returns a counter that runs a garbage collection of `type` after every
 * `bytes` counted. Streaming gigabytes through Node leaves a dead buffer per
 * socket read and per sealed frame; V8 only notices that memory after 64 MB
 * of it, per thread, which is most of a small server's memory. A minor
 * collection of a young generation holding nothing but those buffers takes
 * well under a millisecond.
 */
export function collectEvery(bytes: number, type: 'minor' | 'major'): (counted: number) => void {
  if (!collect) {
    // gc() without starting Node with --expose-gc: the flag only exposes gc to contexts created after it. A common
    // idiom, though Node's docs call flags changed after start unsupported (see the closing notes).
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as Collect;
  }
  const gc = collect;
  let since = 0;
  return (counted) => {
    since += counted;
    if (since >= bytes) {
      since = 0;
      gc({ type });
    }
  };
}
