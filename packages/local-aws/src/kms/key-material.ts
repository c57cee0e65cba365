import type { LocalDb } from '../db.js';
import { unwrapDataKey, wrapDataKey } from './data-keys.js';

/**
 * Key-ring material at rest: wrapped by the master key (`kms-master.key`,
 * beside the database, never in it) the way data keys are wrapped by
 * key-ring keys, bound to the key's id, so a copied database opens no blob
 * and one key's material cannot be passed off as another's.
 */
const MASTER_ID = 'kms-master';
/** Bare material, as rows held it before it was wrapped; a wrapped row is always longer. */
const BARE_LENGTH = 32;

interface KeyRow {
  key_id: string;
  material: Buffer;
}

const contextOf = (keyId: string) => Buffer.from(`kms-key/${keyId}`, 'utf8');

export function wrapMaterial(master: Buffer, keyId: string, material: Buffer): Buffer {
  return wrapDataKey(MASTER_ID, master, contextOf(keyId), material).wrapped;
}

/** Throws when `stored` was wrapped by another master key, or for another key id. */
export function unwrapMaterial(master: Buffer, keyId: string, stored: Buffer): Buffer {
  return unwrapDataKey(stored, master, contextOf(keyId));
}

/**
 * Wraps the rows an older version stored bare, in place and in one
 * transaction, so an upgraded data folder keeps opening its blobs. Returns
 * how many rows it wrapped.
 */
export function wrapBareMaterial(db: LocalDb, master: Buffer): number {
  const bare = db.prepare<[number], KeyRow>('SELECT key_id, material FROM kms_keys WHERE length(material) = ?').all(BARE_LENGTH);
  if (bare.length === 0) return 0;
  const update = db.prepare('UPDATE kms_keys SET material = ? WHERE key_id = ? AND length(material) = ?');
  // SQLite leaves replaced bytes in the page's free space, and the old pages in the file until a
  // checkpoint: zero them, and checkpoint, so the bare material is gone from the files.
  const secureDelete = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  db.transaction(() => {
    for (const row of bare) update.run(wrapMaterial(master, row.key_id, row.material), row.key_id, BARE_LENGTH);
  })();
  db.pragma(`secure_delete = ${secureDelete}`);
  db.pragma('wal_checkpoint(TRUNCATE)');
  return bare.length;
}

/** Opens every row, so a database moved without its master key fails at start rather than on each read. */
export function checkMaterial(db: LocalDb, master: Buffer): void {
  for (const row of db.prepare<[], KeyRow>('SELECT key_id, material FROM kms_keys').all()) {
    try {
      unwrapMaterial(master, row.key_id, row.material);
    } catch {
      throw new Error(`kms-master.key does not open key ${row.key_id} of this key ring: was the database moved without it?`);
    }
  }
}
