import { Crc32, Crc32c, Crc64Nvme } from '@aws-sdk/checksums/crc';
import { Sha256Js } from '@aws-sdk/checksums/sha';

/** The whole-file checksums LFS verifies, and S3 checks part by part. */
export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA256';
export const checksumAlgorithms: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA256'];

/** An incremental digest; `digest` ends it. */
export interface Hasher {
  update(bytes: Uint8Array): void;
  digest(): Promise<Uint8Array>;
}

/** How a platform hashes SHA-256 (Node: native; browsers: the SDK's JS, as WebCrypto cannot digest incrementally). */
export type Sha256Factory = () => Hasher;
export const jsSha256: Sha256Factory = () => new Sha256Js();

export function hasherFor(algorithm: ChecksumAlgorithm, sha256: Sha256Factory): Hasher {
  switch (algorithm) {
    case 'CRC32':
      return new Crc32();
    case 'CRC32C':
      return new Crc32c();
    case 'CRC64NVME':
      return new Crc64Nvme();
    case 'SHA256':
      return sha256();
  }
}

/** The SDK field of a checksum (`ChecksumCRC64NVME`): in part inputs, ListParts and CompleteMultipartUpload. */
export function checksumField(algorithm: ChecksumAlgorithm): `Checksum${ChecksumAlgorithm}` {
  return `Checksum${algorithm}`;
}

/**
 * CRCs combine: S3 keeps a FULL_OBJECT checksum of a multipart upload, made
 * from the parts' CRCs without reading the data again, and so does the
 * client (parts are hashed concurrently, in any order). SHA-256 does not:
 * its whole-file value needs the bytes in order.
 */
export function combines(algorithm: ChecksumAlgorithm): algorithm is Exclude<ChecksumAlgorithm, 'SHA256'> {
  return algorithm !== 'SHA256';
}

/** The reflected polynomials and widths of the CRCs. */
const specs = {
  CRC32: { poly: 0xedb88320n, width: 32 },
  CRC32C: { poly: 0x82f63b78n, width: 32 },
  CRC64NVME: { poly: 0x9a6c9329ac4bc9b5n, width: 64 },
} as const;

/** a(x) * b(x) mod p, reflected (zlib's multmodp at any width). */
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

const powerTables = new Map<string, bigint[]>();

/** x^(2^k) mod p for k = 0..63. */
function powers(algorithm: keyof typeof specs): bigint[] {
  let table = powerTables.get(algorithm);
  if (!table) {
    const { poly, width } = specs[algorithm];
    table = [1n << BigInt(width - 2)];
    for (let k = 1; k < 64; k++) table.push(multModP(table[k - 1], table[k - 1], poly, width));
    powerTables.set(algorithm, table);
  }
  return table;
}

const toBigInt = (bytes: Uint8Array) => bytes.reduce((value, byte) => (value << 8n) | BigInt(byte), 0n);

function fromBigInt(value: bigint, width: number): Uint8Array {
  const bytes = new Uint8Array(width / 8);
  for (let i = bytes.length - 1; i >= 0; i--, value >>= 8n) bytes[i] = Number(value & 0xffn);
  return bytes;
}

/** crc(A‖B) from crc(A), crc(B) and the length of B. */
export function combineCrc(algorithm: keyof typeof specs, crcA: Uint8Array, crcB: Uint8Array, lengthB: number): Uint8Array {
  const { poly, width } = specs[algorithm];
  const table = powers(algorithm);
  // x^(8 * lengthB) mod p, from the powers x^(2^k) of the set bits of lengthB (starting at k = 3: bytes, not bits).
  let xn = 1n << BigInt(width - 1);
  for (let n = BigInt(lengthB), k = 3; n > 0n; n >>= 1n, k++) if (n & 1n) xn = multModP(table[k & 63], xn, poly, width);
  return fromBigInt(multModP(xn, toBigInt(crcA), poly, width) ^ toBigInt(crcB), width);
}

/** The CRC of the whole file from its parts' CRCs, in part order. */
export function combineParts(algorithm: keyof typeof specs, parts: ReadonlyArray<{ crc: Uint8Array; size: number }>): Uint8Array {
  return parts.slice(1).reduce((combined, part) => combineCrc(algorithm, combined, part.crc, part.size), parts[0].crc);
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}
