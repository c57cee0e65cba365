import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  blobContext,
  decodeHeader,
  encodeHeader,
  frameOffset,
  FrameSealer,
  newNoncePrefix,
  openFrame,
  TAG_SIZE,
} from '../../../src/crypto/frames.js';

const FRAME = 64;
const key = randomBytes(32);
const prefix = newNoncePrefix();
const blob = randomBytes(16).toString('hex');
const context = blobContext(blob);

/** Seals `plain` fed in pieces of `piece` bytes; returns the sealed frames laid end to end. */
function seal(plain: Buffer, piece: number, sealer = new FrameSealer(key, prefix, context, FRAME)): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; i < plain.length; i += piece) sealer.update(plain.subarray(i, i + piece), out);
  sealer.finish(out);
  return Buffer.concat(out);
}

function frames(sealed: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i * FRAME < size; i++) {
    const length = Math.min(FRAME, size - i * FRAME) + TAG_SIZE;
    out.push(sealed.subarray(i * (FRAME + TAG_SIZE), i * (FRAME + TAG_SIZE) + length));
  }
  return out;
}

describe('at-rest frames', () => {
  it.each([
    [0, 7],
    [1, 1],
    [FRAME - 1, 10],
    [FRAME, FRAME],
    [FRAME + 1, 3],
    [5 * FRAME + 17, 1],
    [5 * FRAME + 17, FRAME + 5],
    [5 * FRAME, 1000],
  ])('round-trips %i bytes fed %i at a time, one tag per frame', (size, piece) => {
    const plain = randomBytes(size);
    const sealed = seal(plain, piece);
    const count = Math.ceil(size / FRAME);
    expect(sealed.length).toBe(size + count * TAG_SIZE);
    const opened = frames(sealed, size).map((frame, index) => openFrame(key, { noncePrefix: prefix }, context, index, frame));
    expect(Buffer.concat(opened).equals(plain)).toBe(true);
  });

  it('produces the same ciphertext however the plaintext was split', () => {
    const plain = randomBytes(3 * FRAME + 9);
    expect(seal(plain, 1).equals(seal(plain, 50))).toBe(true);
  });

  it('rejects a frame with any byte changed, and never returns its plaintext', () => {
    const plain = randomBytes(2 * FRAME);
    const [first] = frames(seal(plain, FRAME), plain.length);
    for (const position of [0, FRAME - 1, FRAME, FRAME + TAG_SIZE - 1]) {
      const altered = Buffer.from(first);
      altered[position] ^= 1;
      expect(() => openFrame(key, { noncePrefix: prefix }, context, 0, altered)).toThrow();
    }
  });

  it('rejects frames swapped within a blob, moved to another blob, or opened with another key or prefix', () => {
    const plain = randomBytes(2 * FRAME);
    const [first, second] = frames(seal(plain, FRAME), plain.length);
    expect(() => openFrame(key, { noncePrefix: prefix }, context, 0, second)).toThrow();
    expect(() => openFrame(key, { noncePrefix: prefix }, context, 1, first)).toThrow();
    expect(() => openFrame(key, { noncePrefix: prefix }, blobContext(randomBytes(16).toString('hex')), 0, first)).toThrow();
    expect(() => openFrame(randomBytes(32), { noncePrefix: prefix }, context, 0, first)).toThrow();
    expect(() => openFrame(key, { noncePrefix: newNoncePrefix() }, context, 0, first)).toThrow();
  });

  it('rejects a truncated frame', () => {
    const plain = randomBytes(FRAME);
    const [first] = frames(seal(plain, FRAME), plain.length);
    expect(() => openFrame(key, { noncePrefix: prefix }, context, 0, first.subarray(0, first.length - 1))).toThrow();
    expect(() => openFrame(key, { noncePrefix: prefix }, context, 0, first.subarray(0, 3))).toThrow();
  });

  it('encodes and decodes the header, and places frames after it', () => {
    const wrapped = randomBytes(100);
    const header = encodeHeader(prefix, wrapped, FRAME);
    const decoded = decodeHeader(Buffer.concat([header, randomBytes(50)]));
    expect(decoded).toEqual({ frameSize: FRAME, noncePrefix: prefix, wrappedKey: wrapped, length: header.length });
    expect(frameOffset(decoded, 0)).toBe(header.length);
    expect(frameOffset(decoded, 3)).toBe(header.length + 3 * (FRAME + TAG_SIZE));
  });

  it.each([
    ['not a blob', Buffer.from('hello world, this is plain text')],
    ['a short read', encodeHeader(prefix, randomBytes(100), FRAME).subarray(0, 40)],
    ['a bad version', Buffer.concat([Buffer.from('LFSE'), Buffer.from([9]), randomBytes(40)])],
  ])('refuses %s as a header', (_name, bytes) => {
    expect(() => decodeHeader(bytes)).toThrow();
  });
});
