import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { PolicyDocument } from '../types.js';

/** What a session token carries; nothing about a session is stored elsewhere. */
export interface SessionClaims {
  accessKeyId: string;
  roleArn: string;
  sessionName: string;
  sessionPolicy?: PolicyDocument;
  /** Epoch milliseconds. */
  expiration: number;
}

const VERSION = 'LFS1';
// Binds the ciphertext to its purpose, so bytes encrypted for something else never open as a token.
const AAD = Buffer.from('lfs-sts-session-token-v1');

/** AES-256-GCM: the tag makes a forged or altered token fail to decrypt. */
export function encryptToken(key: Buffer, claims: SessionClaims): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(AAD);
  const body = Buffer.concat([cipher.update(JSON.stringify(claims), 'utf8'), cipher.final()]);
  return VERSION + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

export function decryptToken(key: Buffer, token: string): SessionClaims | undefined {
  if (!token.startsWith(VERSION)) return undefined;
  const raw = Buffer.from(token.slice(VERSION.length), 'base64url');
  if (raw.length < 12 + 16 + 2) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(AAD);
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    const json = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
    const claims = JSON.parse(json) as SessionClaims;
    return typeof claims.accessKeyId === 'string' && typeof claims.expiration === 'number' ? claims : undefined;
  } catch {
    return undefined;
  }
}

/** The secret is a function of the key id, so it need not be stored or carried. */
export function deriveSecret(key: Buffer, accessKeyId: string): string {
  return createHmac('sha256', key).update(accessKeyId).digest('base64').slice(0, 40);
}
