import { createDigester } from '@lfs/checksums';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { combineParts, fromBase64, hasherFor, jsSha256, toBase64 } from '../../../src/client/checksums.js';

const digestOf = async (algorithm: 'CRC32' | 'CRC32C' | 'CRC64NVME', bytes: Uint8Array) => {
  const hasher = hasherFor(algorithm, jsSha256);
  hasher.update(bytes);
  return hasher.digest();
};

describe("the client's checksums", () => {
  it.each(['CRC32', 'CRC32C', 'CRC64NVME'] as const)('combines the %s of parts into the CRC of the whole, as S3 does for FULL_OBJECT', async (algorithm) => {
    const whole = randomBytes(3 * 65_536 + 1234);
    const sizes = [65_536, 65_536, 65_536, 1234];
    const parts = [];
    for (let offset = 0, i = 0; i < sizes.length; offset += sizes[i], i++) {
      parts.push({ crc: await digestOf(algorithm, whole.subarray(offset, offset + sizes[i])), size: sizes[i] });
    }
    const reference = createDigester(algorithm);
    reference.update(whole);
    expect(toBase64(combineParts(algorithm, parts))).toBe((await reference.digest()).toString('base64'));
  });

  it('computes SHA-256 incrementally in JS as Node does', async () => {
    const bytes = randomBytes(100_000);
    const hasher = jsSha256();
    hasher.update(bytes.subarray(0, 777));
    hasher.update(bytes.subarray(777));
    const reference = createDigester('SHA256');
    reference.update(bytes);
    expect(Buffer.from(await hasher.digest())).toEqual(await reference.digest());
  });

  it.each(['', 'AA==', 'AAAAAAAAAAE=', Buffer.from(randomBytes(32)).toString('base64')])('round-trips base64 %j without Buffer', (text) => {
    expect(toBase64(fromBase64(text))).toBe(text);
  });
});
