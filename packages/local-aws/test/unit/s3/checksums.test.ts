import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { combineCrc, createDigester } from '../../../src/s3/checksums.js';

async function crc(algorithm: 'CRC32' | 'CRC32C' | 'CRC64NVME', data: Buffer): Promise<Buffer> {
  const digester = createDigester(algorithm);
  digester.update(data);
  return digester.digest();
}

describe('combineCrc', () => {
  it.each([
    ['CRC32', 0, 10],
    ['CRC32', 1000, 1],
    ['CRC32C', 7, 65_537],
    ['CRC32C', 5_000, 0],
    ['CRC64NVME', 1, 1],
    ['CRC64NVME', 12_345, 100_003],
  ] as const)('crc(A‖B) from crc(A), crc(B), |B| for %s (%i + %i bytes)', async (algorithm, lengthA, lengthB) => {
    const a = randomBytes(lengthA);
    const b = randomBytes(lengthB);
    const combined = combineCrc(algorithm, await crc(algorithm, a), await crc(algorithm, b), lengthB);
    expect(combined.toString('hex')).toBe((await crc(algorithm, Buffer.concat([a, b]))).toString('hex'));
  });

  it.each([
    ['CRC32', '123456789', 'cbf43926'],
    ['CRC32C', '123456789', 'e3069283'],
    ['CRC64NVME', '123456789', 'ae8b14860a799888'],
  ] as const)('%s matches the catalogue check value', async (algorithm, input, check) => {
    expect((await crc(algorithm, Buffer.from(input))).toString('hex')).toBe(check);
  });
});
