import { combineCrc as combineCrcs, type CombinableCrc } from '@lfs/checksums/combine';
import { AwsError } from '../errors.js';

export { createDigester, type Digester } from '@lfs/checksums';
export { isCombinable } from '@lfs/checksums/combine';

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

/** The CRC of A‖B from crc(A), crc(B) and |B|, without the data: how S3 makes a FULL_OBJECT checksum from the parts'. */
export function combineCrc(algorithm: CombinableCrc, crcA: Buffer, crcB: Buffer, lengthB: number): Buffer {
  const combined = combineCrcs(algorithm, crcA, crcB, lengthB);
  return Buffer.from(combined.buffer, combined.byteOffset, combined.byteLength);
}
