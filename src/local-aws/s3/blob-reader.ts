import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { blobContext, decodeHeader, frameOffset, MAX_HEADER, openFrame, TAG_SIZE } from '../crypto/frames.js';
import type { KeyRing } from '../kms/index.js';
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
  let offset = 0;
  for (const segment of segments) {
    const segmentEnd = offset + segment.size - 1;
    if (segment.size > 0 && segmentEnd >= start && offset <= end) {
      yield* segmentChunks(segment, Math.max(start, offset) - offset, Math.min(end, segmentEnd) - offset, pathOf(segment.blob), kms);
    }
    offset += segment.size;
    if (offset > end) break;
  }
}

async function* segmentChunks(segment: Segment, from: number, to: number, path: string, kms: KeyRing): AsyncGenerator<Buffer> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(MAX_HEADER);
    const { bytesRead } = await file.read(head, 0, MAX_HEADER, 0);
    const header = decodeHeader(head.subarray(0, bytesRead));
    const context = blobContext(segment.blob);
    const key = kms.decryptDataKey(header.wrappedKey, context);
    const frame = header.frameSize;
    const firstFrame = Math.floor(from / frame);
    const lastFrame = Math.floor(to / frame);

    // Two read buffers, reused in turn: a sealed frame is dead once openFrame returns (its plaintext is a new
    // buffer), and at most two are live (the one being opened and the one read ahead). Not a fresh MiB per
    // frame, which the garbage collector would have to account for and free.
    const bufferSize = Math.min(frame, segment.size - firstFrame * frame) + TAG_SIZE;
    const buffers = [Buffer.allocUnsafeSlow(bufferSize), Buffer.allocUnsafeSlow(lastFrame > firstFrame ? bufferSize : 0)];
    const fetch = async (index: number): Promise<Buffer> => {
      const length = Math.min(frame, segment.size - index * frame) + TAG_SIZE;
      const sealed = buffers[(index - firstFrame) & 1].subarray(0, length);
      const { bytesRead: got } = await file.read(sealed, 0, length, frameOffset(header, index));
      if (got !== length) throw new Error(`blob ${segment.blob} is truncated at frame ${index}`);
      return sealed;
    };
    // One frame read ahead: the disk read of frame i+1 overlaps the decryption of frame i.
    let next = fetch(firstFrame);
    for (let index = firstFrame; index <= lastFrame; index++) {
      const sealed = await next;
      if (index < lastFrame) {
        next = fetch(index + 1);
        next.catch(() => {});
      }
      const plain = openFrame(key, header, context, index, sealed);
      const a = index === firstFrame ? from - index * frame : 0;
      const b = index === lastFrame ? to - index * frame + 1 : plain.length;
      yield a === 0 && b === plain.length ? plain : plain.subarray(a, b);
    }
  } finally {
    await file.close();
  }
}
