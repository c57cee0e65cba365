import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AwsError } from '../errors.js';

/**
 * The ciphertext blobs of the KMS API (Encrypt, GenerateDataKey, Decrypt):
 * `magic(2) | idLength(1) | keyId | nonce(12) | tag(16) | ciphertext`,
 * AES-256-GCM under the key's material. The AAD binds the key id and the
 * encryption context, so Decrypt with another context fails as in KMS. A
 * format apart from the blobs' wrapped data keys: one can never be passed
 * off as the other.
 */
const MAGIC = Buffer.from([0x4b, 0x01]);
const NONCE = 12;
const TAG = 16;
const LABEL = Buffer.from('lfs-kms-ciphertext-v1');

/** The context as KMS canonicalises it: keys sorted, so `{a,b}` and `{b,a}` are one context. */
export function canonicalContext(context: Record<string, string>): Buffer {
  const sorted = Object.keys(context).sort().map((key) => [key, context[key]]);
  return Buffer.from(JSON.stringify(sorted), 'utf8');
}

function aad(id: Buffer, context: Record<string, string>): Buffer {
  return Buffer.concat([LABEL, Buffer.from([id.length]), id, canonicalContext(context)]);
}

export function seal(keyId: string, material: Buffer, plaintext: Buffer, context: Record<string, string>): Buffer {
  const id = Buffer.from(keyId, 'utf8');
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', material, nonce, { authTagLength: TAG });
  cipher.setAAD(aad(id, context));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([MAGIC, Buffer.from([id.length]), id, nonce, cipher.getAuthTag(), ciphertext]);
}

/** The id of the key a blob was sealed with; throws InvalidCiphertextException for anything else. */
export function sealedKeyId(blob: Buffer): string {
  if (blob.length < 3 || !blob.subarray(0, 2).equals(MAGIC) || blob.length < 3 + blob[2] + NONCE + TAG) {
    throw new AwsError('InvalidCiphertextException');
  }
  return blob.subarray(3, 3 + blob[2]).toString('utf8');
}

export function open(blob: Buffer, material: Buffer, context: Record<string, string>): Buffer {
  sealedKeyId(blob);
  const idEnd = 3 + blob[2];
  const id = blob.subarray(3, idEnd);
  const nonce = blob.subarray(idEnd, idEnd + NONCE);
  const tag = blob.subarray(idEnd + NONCE, idEnd + NONCE + TAG);
  try {
    const decipher = createDecipheriv('aes-256-gcm', material, nonce, { authTagLength: TAG });
    decipher.setAAD(aad(id, context));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(blob.subarray(idEnd + NONCE + TAG)), decipher.final()]);
  } catch {
    throw new AwsError('InvalidCiphertextException');
  }
}
