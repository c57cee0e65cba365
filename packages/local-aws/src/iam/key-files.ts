import { hkdfSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateDir, PRIVATE_FILE_MODE } from '@lfs/private-files';
import type { RootCredentials } from '../types.js';
import { uniqueId } from './ids.js';

/**
 * Reads a secret file, or creates it with `create()` when absent. `wx` makes
 * creation exclusive, so two processes starting at once agree on one value.
 */
function readOrCreate(path: string, create: () => string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const value = create();
  try {
    writeFileSync(path, value, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    return value;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readFileSync(path, 'utf8');
  }
}

export function loadRootCredentials(dataDir: string, file = 'root-credentials.json'): RootCredentials {
  makePrivateDir(dataDir);
  const text = readOrCreate(join(dataDir, file), () => {
    const secretAccessKey = randomBytes(30).toString('base64');
    return `${JSON.stringify({ accessKeyId: uniqueId('AKIA', 16), secretAccessKey }, null, 2)}\n`;
  });
  const parsed = JSON.parse(text) as Partial<RootCredentials>;
  if (typeof parsed.accessKeyId !== 'string' || typeof parsed.secretAccessKey !== 'string') {
    throw new Error(`${join(dataDir, file)} must hold accessKeyId and secretAccessKey`);
  }
  return { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey };
}

/** A 32-byte key kept base64 in its own file of the data dir, generated on first use. */
function loadMasterKey(dataDir: string, name: string): Buffer {
  makePrivateDir(dataDir);
  const path = join(dataDir, name);
  const key = Buffer.from(readOrCreate(path, () => `${randomBytes(32).toString('base64')}\n`).trim(), 'base64');
  if (key.length !== 32) throw new Error(`${path} must hold 32 base64 bytes`);
  return key;
}

/**
 * The keys of STS sessions, both derived from one master key in the data dir:
 * `token` encrypts session tokens, `secret` derives each session's secret
 * access key from its key id. (The HKDF labels are fixed: changing one ends
 * every open session.)
 */
export function loadSessionKeys(dataDir: string): { token: Buffer; secret: Buffer } {
  const master = loadMasterKey(dataDir, 'sts-master.key');
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
  return { token: derive('session-token-seal'), secret: derive('session-secret') };
}

/**
 * The key that wraps the key ring's material in the metadata database, so a
 * copy of the database and blobs without this file opens nothing. A file of
 * its own, not a subkey of `sts-master.key`: losing that one only ends the
 * open sessions, losing this one loses every stored object.
 */
export function loadKmsMasterKey(dataDir: string): Buffer {
  return loadMasterKey(dataDir, 'kms-master.key');
}
