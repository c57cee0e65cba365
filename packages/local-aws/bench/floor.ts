import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { GiB, MiB } from './data.js';

/**
 * CPU seconds (user + system) of this process for `work`: the least of
 * three runs, the best estimate of the work itself on a machine others use.
 */
function cpuSeconds(work: () => void): number {
  let least = Infinity;
  for (let run = 0; run < 3; run++) {
    const before = process.cpuUsage();
    work();
    const used = process.cpuUsage(before);
    least = Math.min(least, (used.user + used.system) / 1e6);
  }
  return least;
}

export interface Floor {
  /** CPU seconds per GiB of each necessary step, and their sum. */
  sha256: number;
  crc32: number;
  aes256gcm: number;
  total: number;
}

/**
 * The work an upload cannot avoid, per GiB, measured in this process on
 * the same machine in the same run: the SHA-256 of the signed payload, the
 * CRC32 the SDK sends, and AES-256-GCM of every byte, over one reused 1 MiB
 * block. AES-GCM is as cheap as Node makes it: 1 MiB frames updated 64 KiB
 * at a time (Node's Cipheriv has no way to encrypt into a buffer it is
 * given, and a fresh 1 MiB output per update costs page faults).
 */
export function measureFloor(bytes = GiB): Floor {
  const block = randomBytes(MiB);
  const blocks = Math.max(1, Math.round(bytes / MiB));
  const perGiB = (seconds: number) => seconds / ((blocks * MiB) / GiB);
  const sha256 = perGiB(
    cpuSeconds(() => {
      const hash = createHash('sha256');
      for (let i = 0; i < blocks; i++) hash.update(block);
      hash.digest();
    }),
  );
  const crc = perGiB(
    cpuSeconds(() => {
      let value = 0;
      for (let i = 0; i < blocks; i++) value = crc32(block, value);
    }),
  );
  const key = randomBytes(32);
  const aes256gcm = perGiB(
    cpuSeconds(() => {
      for (let i = 0; i < blocks; i++) {
        const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
        for (let offset = 0; offset < block.length; offset += 64 * 1024) cipher.update(block.subarray(offset, offset + 64 * 1024));
        cipher.final();
        cipher.getAuthTag();
      }
    }),
  );
  return { sha256, crc32: crc, aes256gcm, total: sha256 + crc + aes256gcm };
}
