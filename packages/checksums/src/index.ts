import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Crc32c } from '@aws-crypto/crc32c';
import { Crc64NvmeJs } from '@aws-sdk/checksums/crc';

/**
 * Streaming digests of the algorithms S3 speaks, shared by the embedded
 * endpoint (verifying uploads) and LFS (verifying promotions). CRC32 is
 * Node's native zlib; CRC32C and CRC64NVME are the AWS SDK's own.
 */
export type DigestAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256' | 'MD5';

/** Incremental digest over a stream of buffers. */
export interface Digester {
  update(data: Buffer): void;
  digest(): Promise<Buffer>;
}

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

export function createDigester(algorithm: DigestAlgorithm): Digester {
  switch (algorithm) {
    case 'CRC32': {
      let value = 0;
      return { update: (data) => void (value = crc32(data, value)), digest: async () => uint32(value) };
    }
    case 'CRC32C': {
      const crc = new Crc32c();
      return { update: (data) => void crc.update(data), digest: async () => uint32(crc.digest()) };
    }
    case 'CRC64NVME': {
      const crc = new Crc64NvmeJs();
      return { update: (data) => crc.update(data), digest: async () => Buffer.from(await crc.digest()) };
    }
    case 'SHA1':
    case 'SHA256':
    case 'MD5': {
      const hash = createHash(algorithm.toLowerCase());
      return { update: (data) => void hash.update(data), digest: async () => hash.digest() };
    }
  }
}

/** The base64 digest of a stream, read chunk by chunk (never buffered whole). */
export async function digestStream(algorithm: DigestAlgorithm, stream: AsyncIterable<Uint8Array>): Promise<string> {
  const digester = createDigester(algorithm);
  for await (const chunk of stream) digester.update(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return (await digester.digest()).toString('base64');
}
