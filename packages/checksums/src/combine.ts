/**
 * CRCs combine: crc(A‖B) follows from crc(A), crc(B) and the length of B,
 * without the data. S3 makes a multipart upload's FULL_OBJECT checksum that
 * way from its parts' CRCs, and the client does the same with parts hashed
 * concurrently, in any order. SHA-256 does not combine. No Node module is
 * used here: the client runs it in browsers.
 */

/** The generator polynomials, bit-reflected, and widths of the CRCs that combine. */
const crcSpecs = {
  CRC32: { poly: 0xedb88320n, width: 32 },
  CRC32C: { poly: 0x82f63b78n, width: 32 },
  CRC64NVME: { poly: 0x9a6c9329ac4bc9b5n, width: 64 },
} as const;

export type CombinableCrc = keyof typeof crcSpecs;

export function isCombinable(algorithm: string): algorithm is CombinableCrc {
  return algorithm in crcSpecs;
}

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

const powerTables = new Map<CombinableCrc, bigint[]>();

/** x^(2^k) mod p for k = 0..63, built once per polynomial. */
function powers(algorithm: CombinableCrc): bigint[] {
  let table = powerTables.get(algorithm);
  if (!table) {
    const { poly, width } = crcSpecs[algorithm];
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

/** crc(A‖B) from crc(A), crc(B) (big-endian bytes, as S3 sends them) and the length of B. */
export function combineCrc(algorithm: CombinableCrc, crcA: Uint8Array, crcB: Uint8Array, lengthB: number): Uint8Array {
  const { poly, width } = crcSpecs[algorithm];
  const table = powers(algorithm);
  // x^(8 * lengthB) mod p, from the powers x^(2^k) of the set bits of lengthB (starting at k = 3: bytes, not bits).
  let xn = 1n << BigInt(width - 1);
  for (let n = BigInt(lengthB), k = 3; n > 0n; n >>= 1n, k++) if (n & 1n) xn = multModP(table[k & 63], xn, poly, width);
  return fromBigInt(multModP(xn, toBigInt(crcA), poly, width) ^ toBigInt(crcB), width);
}

/** The CRC of a whole object from its parts' CRCs, in part order. */
export function combineParts(algorithm: CombinableCrc, parts: ReadonlyArray<{ crc: Uint8Array; size: number }>): Uint8Array {
  return parts.slice(1).reduce((combined, part) => combineCrc(algorithm, combined, part.crc, part.size), parts[0].crc);
}
