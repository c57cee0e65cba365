import { Crc32, Crc32c, Crc64Nvme } from '@aws-sdk/checksums/crc';
import { Sha256Js } from '@aws-sdk/checksums/sha';

export { combineCrc, combineParts } from '@lfs/checksums/combine';

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

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}
