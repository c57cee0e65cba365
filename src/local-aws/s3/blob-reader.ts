import { Readable } from 'node:stream';
import type { KeyRing } from '../kms/index.js';
import { readSealedFrames } from '../sealing/sealed-file.js';
import type { Segment } from './blobs.js';

/**
 * Plaintext bytes `start..end` (inclusive) of the concatenation of
 * `segments`, decrypting only the frames the range touches. The first chunk
 * is decrypted before this resolves, so a blob that fails to open (missing
 * file, altered header or first frame) is an error the handler can still
 * answer with a status; a later frame that fails errors the stream instead.
 * Either way no unauthenticated byte is ever emitted.
 */
export async function readSealedRange(segments: Segment[], start: number, end: number, pathOf: (blob: string) => string, kms: KeyRing): Promise<Readable> {
  const chunks = rangeChunks(segments, start, end, pathOf, kms);
  const first = await chunks.next();
  return Readable.from(
    (async function* () {
      if (first.done) return;
      yield first.value;
      yield* chunks;
    })(),
    { objectMode: false },
  );
}

async function* rangeChunks(segments: Segment[], start: number, end: number, pathOf: (blob: string) => string, kms: KeyRing): AsyncGenerator<Buffer> {
  for (const { segment, from, to } of segmentRanges(segments, start, end)) {
    yield* readSealedFrames(pathOf(segment.blob), segment.blob, segment.size, from, to, (wrapped, context) => kms.decryptDataKey(wrapped, context));
  }
}

/** The part of each segment that bytes `start..end` of their concatenation cover, as offsets within the segment. */
export function segmentRanges(segments: Segment[], start: number, end: number): { segment: Segment; from: number; to: number }[] {
  const ranges: { segment: Segment; from: number; to: number }[] = [];
  let offset = 0;
  for (const segment of segments) {
    if (offset > end) break;
    const segmentEnd = offset + segment.size - 1;
    if (segment.size > 0 && segmentEnd >= start) ranges.push({ segment, from: Math.max(start, offset) - offset, to: Math.min(end, segmentEnd) - offset });
    offset += segment.size;
  }
  return ranges;
}
