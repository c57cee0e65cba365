import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A fresh 256-bit data key and the same key wrapped by a key-ring key (what KMS GenerateDataKey returns). */
export interface DataKey {
  plaintext: Buffer;
  /** Self-describing: names the wrapping key, so unwrapping needs nothing but the key ring. */
  wrapped: Buffer;
}

const VERSION = 1;
const NONCE = 12;
const TAG = 16;
const KEY = 32;
const LABEL = Buffer.from('lfs-kms-data-key-v1');

/**
 * `version(1) | idLength(1) | keyId | nonce(12) | ciphertext(32) | tag(16)`,
 * AES-256-GCM under the key-ring key. The AAD binds the wrapping key's id and
 * the caller's context (e.g. the blob id), so a wrapped key moved to another
 * blob, or relabelled with another key id, no longer opens.
 */
export function wrapDataKey(keyId: string, material: Buffer, context: Buffer, plaintext: Buffer = randomBytes(KEY)): DataKey {
  const id = Buffer.from(keyId, 'utf8');
  if (id.length > 255) throw new Error('key id too long');
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', material, nonce, { authTagLength: TAG });
  cipher.setAAD(aad(id, context));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const wrapped = Buffer.concat([Buffer.from([VERSION, id.length]), id, nonce, ciphertext, cipher.getAuthTag()]);
  return { plaintext, wrapped };
}

/** The id of the key that wrapped `wrapped`, read without any key. */
export function wrappingKeyId(wrapped: Buffer): string {
  if (wrapped.length < 2 || wrapped[0] !== VERSION || wrapped.length !== 2 + wrapped[1] + NONCE + KEY + TAG) {
    throw new Error('not a wrapped data key');
  }
  return wrapped.subarray(2, 2 + wrapped[1]).toString('utf8');
}

/** Throws when the wrapped key was altered, or `material`/`context` are not the ones it was wrapped with. */
export function unwrapDataKey(wrapped: Buffer, material: Buffer, context: Buffer): Buffer {
  wrappingKeyId(wrapped);
  const idEnd = 2 + wrapped[1];
  const id = wrapped.subarray(2, idEnd);
  const nonce = wrapped.subarray(idEnd, idEnd + NONCE);
  const ciphertext = wrapped.subarray(idEnd + NONCE, idEnd + NONCE + KEY);
  const tag = wrapped.subarray(idEnd + NONCE + KEY);
  const decipher = createDecipheriv('aes-256-gcm', material, nonce, { authTagLength: TAG });
  decipher.setAAD(aad(id, context));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}

function aad(id: Buffer, context: Buffer): Buffer {
  return Buffer.concat([LABEL, Buffer.from([id.length]), id, context]);
}
