import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { blobContext } from '../crypto/frames.js';
import type { KeyRing } from '../kms/index.js';
import type { SealingPool } from '../sealing/pool.js';
import type { SourceRange } from '../sealing/protocol.js';
import { readHeader } from '../sealing/sealed-file.js';
import { segmentRanges, type Segment } from './segments.js';

/**
 * Plaintext bytes `start..end` (inclusive) of the concatenation of
 * `segments`, decrypted in a sealing worker, only the frames the range
 * touches. The first chunk is decrypted before this resolves, so a blob that
 * fails to open (missing file, altered header or first frame) is an error
 * the handler can still answer with a status; a later frame that fails
 * errors the stream instead. Either way no unauthenticated byte is ever
 * emitted.
 */
export async function readSealedRange(
  pool: SealingPool,
  segments: Segment[],
  start: number,
  end: number,
  pathOf: (blob: string) => string,
  kms: KeyRing,
): Promise<Readable> {
  const chunks = pool.read(await sourcesOf(segments, start, end, pathOf, kms));
  const first = await chunks.next();
  const stream = Readable.from(
    (async function* () {
      if (first.done) return;
      yield first.value;
      yield* chunks;
    })(),
    { objectMode: false },
  );
  // A stream destroyed before it was ever read (a HEAD, an error) never runs the generator above: stop the worker's read here.
  stream.once('close', () => void chunks.return(undefined));
  return stream;
}

/**
 * What a worker needs to read bytes `start..end` of `segments`: each blob's
 * range and its data key, unwrapped here (the key ring stays on this thread).
 */
export async function sourcesOf(segments: Segment[], start: number, end: number, pathOf: (blob: string) => string, kms: KeyRing): Promise<SourceRange[]> {
  const sources: SourceRange[] = [];
  for (const { segment, from, to } of segmentRanges(segments, start, end)) {
    const path = pathOf(segment.blob);
    const file = await open(path, 'r');
    try {
      const { wrappedKey, frameSize, noncePrefix, length } = await readHeader(file);
      const dataKey = kms.decryptDataKey(wrappedKey, blobContext(segment.blob));
      sources.push({ path, blob: segment.blob, size: segment.size, dataKey, header: { frameSize, noncePrefix, length }, from, to });
    } finally {
      await file.close();
    }
  }
  return sources;
}
