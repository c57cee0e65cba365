import { AwsError } from '../errors.js';

export { createDigester, type Digester } from '@lfs/checksums';

export const checksumAlgorithms = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof checksumAlgorithms)[number];
export type ChecksumType = 'COMPOSITE' | 'FULL_OBJECT';

export function isChecksumAlgorithm(value: string): value is ChecksumAlgorithm {
  return (checksumAlgorithms as readonly string[]).includes(value);
}

/** `x-amz-checksum-crc64nvme` for CRC64NVME, and so on. */
export function checksumHeader(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** `ChecksumCRC64NVME` for CRC64NVME: the element / field name in XML and the SDK. */
export function checksumField(algorithm: ChecksumAlgorithm): string {
  return `Checksum${algorithm}`;
}

/** Decodes a base64 checksum as sent by a client; InvalidRequest when it cannot be one (as S3: InvalidDigest is for Content-MD5). */
export function decodeChecksum(algorithm: ChecksumAlgorithm, value: string): Buffer {
  const bytes = Buffer.from(value, 'base64');
  const expected = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 }[algorithm];
  if (bytes.length !== expected || bytes.toString('base64') !== value) {
    throw new AwsError('InvalidRequest', `Value for ${checksumHeader(algorithm)} header is invalid.`);
  }
  return bytes;
}

/** The generator polynomials, bit-reflected, and widths of the CRCs S3 can combine. */
const crcSpecs = {
  CRC32: { poly: 0xedb88320n, width: 32 },
  CRC32C: { poly: 0x82f63b78n, width: 32 },
  CRC64NVME: { poly: 0x9a6c9329ac4bc9b5n, width: 64 },
} as const;

export function isCombinable(algorithm: ChecksumAlgorithm): algorithm is keyof typeof crcSpecs {
  return algorithm in crcSpecs;
}

const powerTables = new Map<string, bigint[]>();

/** a(x) * b(x) mod p in the reflected representation (zlib's multmodp, any width). */
function multModP(a: bigint, b: bigint, poly: bigint, width: number): bigint {
  let m = 1n << BigInt(width - 1);
  let p = 0n;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1n)) === 0n) break;
    }
    m >>= 1n;
    b = b & 1n ? (b >> 1n) ^ poly : b >> 1n;
  }
  return p;
}

/** x^(2^k) mod p for k = 0..63, built once per polynomial. */
function powers(algorithm: keyof typeof crcSpecs): bigint[] {
  let table = powerTables.get(algorithm);
  if (!table) {
    const { poly, width } = crcSpecs[algorithm];
    table = [1n << BigInt(width - 2)];
    for (let k = 1; k < 64; k++) table.push(multModP(table[k - 1], table[k - 1], poly, width));
    powerTables.set(algorithm, table);
  }
  return table;
}

/**
 * The CRC of A‖B from crc(A), crc(B) and |B|, without the data: how S3
 * produces a FULL_OBJECT checksum of a multipart upload from its parts.
 */
export function combineCrc(algorithm: keyof typeof crcSpecs, crcA: Buffer, crcB: Buffer, lengthB: number): Buffer {
  const { poly, width } = crcSpecs[algorithm];
  const table = powers(algorithm);
  // x^(8 * lengthB) mod p: multiply the powers x^(2^k) for the set bits of lengthB, starting at k = 3.
  let n = BigInt(lengthB);
  let k = 3;
  let xn = 1n << BigInt(width - 1);
  while (n > 0n) {
    if (n & 1n) xn = multModP(table[k & 63], xn, poly, width);
    n >>= 1n;
    k++;
  }
  const a = BigInt(`0x${crcA.toString('hex')}`);
  const b = BigInt(`0x${crcB.toString('hex')}`);
  const combined = multModP(xn, a, poly, width) ^ b;
  return Buffer.from(combined.toString(16).padStart(width / 4, '0'), 'hex');
}
