import { randomBytes, randomUUID } from 'node:crypto';
import type { LocalDb } from '../db.js';
import { AwsError } from '../errors.js';
import { unwrapDataKey, wrapDataKey, wrappingKeyId, type DataKey } from './data-keys.js';
import { checkMaterial, unwrapMaterial, wrapBareMaterial, wrapMaterial } from './key-material.js';

export type { DataKey } from './data-keys.js';

export interface KmsKey {
  keyId: string;
  arn: string;
  /** 32 bytes: wraps the per-object data keys when bodies are encrypted at rest. */
  material: Buffer;
}

/** What DescribeKey and the key policy checks read about a key. */
export interface KmsKeyInfo extends KmsKey {
  description: string;
  createdAt: Date;
  /** The key policy as stored (JSON text); null means the default key policy of the account. */
  policy: string | null;
  /** S3's own keys (`aws/s3` and the service key) are AWS managed. */
  managed: boolean;
  /** Recorded for GetKeyRotationStatus; the key ring never rotates material (old data keys must keep opening). */
  rotation: boolean;
}

export interface KmsAlias {
  alias: string;
  keyId: string;
}

export interface KeyRing {
  /** Returns the key behind `alias/<name>` (or a bare name), creating it on first use. */
  ensure(aliasOrId: string): KmsKey;
  /**
   * Finds a key by id, key ARN, `alias/<name>` or alias ARN, as S3 accepts them
   * in `x-amz-server-side-encryption-aws-kms-key-id`. Throws KMS.NotFoundException.
   */
  resolve(reference: string): KmsKey;
  /**
   * S3's own key for SSE-S3 (`AES256`) and for objects written without any
   * SSE. It has no alias a client can name (`alias/...`), so no request can
   * pick it as an SSE-KMS key.
   */
  serviceKey(): KmsKey;
  /** A fresh random data key and its copy wrapped by `key`, bound to `context` (GenerateDataKey). */
  generateDataKey(key: KmsKey, context: Buffer): DataKey;
  /** Unwraps a data key with whichever key-ring key wrapped it (Decrypt); throws when it does not open. */
  decryptDataKey(wrapped: Buffer, context: Buffer): Buffer;
  /** The key's metadata and policy (`resolve` rules); throws KMS_NotFoundException. */
  info(reference: string): KmsKeyInfo;
  /** A new key without alias (CreateKey); `policy` null = the default key policy. */
  create(options: { description: string; policy: string | null }): KmsKeyInfo;
  setPolicy(keyId: string, policy: string): void;
  setRotation(keyId: string, enabled: boolean): void;
  /** Points a new alias at a key; false when the alias exists. */
  createAlias(alias: string, keyId: string): boolean;
  deleteAlias(alias: string): boolean;
  /** Aliases a client can see (`alias/...`), by name. */
  aliases(): KmsAlias[];
  /** Every key a client can see (not S3's internal service key), by id. */
  keyIds(): string[];
}

export interface KeyRingOptions {
  db: LocalDb;
  region: string;
  accountId: string;
  /** 32 bytes (`kms-master.key`): wraps every key's material in the database. */
  masterKey: Buffer;
  /** Told how many rows of an older version it wrapped at start. */
  onWrapped?: (count: number) => void;
}

interface KeyRow {
  key_id: string;
  material: Buffer;
}

interface InfoRow extends KeyRow {
  created_at: string;
  policy: string | null;
  description: string;
  rotation: number;
}

/**
 * The local stand-in for AWS KMS: symmetric keys persisted in the metadata
 * database (wrapped by the master key: key-material.ts), addressed the way
 * S3 requests address them.
 */
export function createKeyRing({ db, region, accountId, masterKey, onWrapped }: KeyRingOptions): KeyRing {
  db.exec(`
    CREATE TABLE IF NOT EXISTS kms_keys (
      key_id TEXT PRIMARY KEY,
      material BLOB NOT NULL,
      created_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS kms_aliases (
      alias TEXT PRIMARY KEY,
      key_id TEXT NOT NULL REFERENCES kms_keys(key_id)
    );
  `);
  // Key policies and descriptions came with the KMS API; older rows get the default policy (NULL).
  const columns = new Set(db.prepare<[], { name: string }>('PRAGMA table_info(kms_keys)').all().map((c) => c.name));
  if (!columns.has('policy')) db.exec('ALTER TABLE kms_keys ADD COLUMN policy TEXT');
  if (!columns.has('description')) db.exec("ALTER TABLE kms_keys ADD COLUMN description TEXT NOT NULL DEFAULT ''");
  if (!columns.has('rotation')) db.exec('ALTER TABLE kms_keys ADD COLUMN rotation INTEGER NOT NULL DEFAULT 0');
  const wrapped = wrapBareMaterial(db, masterKey);
  if (wrapped > 0) onWrapped?.(wrapped);
  checkMaterial(db, masterKey);
  const byId = db.prepare<[string], KeyRow>('SELECT key_id, material FROM kms_keys WHERE key_id = ?');
  const byAlias = db.prepare<[string], KeyRow>(
    'SELECT k.key_id, k.material FROM kms_aliases a JOIN kms_keys k ON k.key_id = a.key_id WHERE a.alias = ?',
  );
  const insertKey = db.prepare('INSERT INTO kms_keys (key_id, material, created_at) VALUES (?, ?, ?)');
  const insertAlias = db.prepare('INSERT INTO kms_aliases (alias, key_id) VALUES (?, ?)');
  const insertAliasIfNew = db.prepare('INSERT OR IGNORE INTO kms_aliases (alias, key_id) VALUES (?, ?)');
  const removeAlias = db.prepare<[string]>('DELETE FROM kms_aliases WHERE alias = ?');
  const infoById = db.prepare<[string], InfoRow>('SELECT key_id, material, created_at, policy, description, rotation FROM kms_keys WHERE key_id = ?');
  const updateRotation = db.prepare<[number, string]>('UPDATE kms_keys SET rotation = ? WHERE key_id = ?');
  const updatePolicy = db.prepare<[string, string]>('UPDATE kms_keys SET policy = ? WHERE key_id = ?');
  const listAliases = db.prepare<[], { alias: string; key_id: string }>("SELECT alias, key_id FROM kms_aliases WHERE alias LIKE 'alias/%' ORDER BY alias");
  const listKeys = db.prepare<[string], { key_id: string }>(
    'SELECT key_id FROM kms_keys WHERE key_id NOT IN (SELECT key_id FROM kms_aliases WHERE alias = ?) ORDER BY key_id',
  );
  const SERVICE_ALIAS = 'internal/s3-service-key';
  const arnPrefix = `arn:aws:kms:${region}:${accountId}:`;

  // Material never changes once created, so each key is unwrapped once.
  const materials = new Map<string, Buffer>();
  const materialOf = (row: KeyRow): Buffer => {
    let material = materials.get(row.key_id);
    if (!material) materials.set(row.key_id, (material = unwrapMaterial(masterKey, row.key_id, row.material)));
    return material;
  };
  const keyOf = (keyId: string, material: Buffer): KmsKey => ({ keyId, arn: `${arnPrefix}key/${keyId}`, material });
  const toKey = (row: KeyRow): KmsKey => keyOf(row.key_id, materialOf(row));

  function find(reference: string): KmsKey | undefined {
    const local = reference.startsWith('arn:aws:kms:') ? localPart(reference) : reference;
    if (local === undefined) return undefined;
    const row = local.startsWith('alias/') ? byAlias.get(local) : byId.get(local.startsWith('key/') ? local.slice(4) : local);
    return row ? toKey(row) : undefined;
  }

  function localPart(arn: string): string | undefined {
    return arn.startsWith(arnPrefix) ? arn.slice(arnPrefix.length) : undefined;
  }

  const create = db.transaction((alias: string): KmsKey => {
    const existing = byAlias.get(alias);
    if (existing) return toKey(existing);
    const keyId = randomUUID();
    const material = randomBytes(32);
    insertKey.run(keyId, wrapMaterial(masterKey, keyId, material), new Date().toISOString());
    insertAlias.run(alias, keyId);
    return keyOf(keyId, material);
  });

  let service: KmsKey | undefined;

  return {
    serviceKey() {
      service ??= create(SERVICE_ALIAS);
      return service;
    },
    generateDataKey(key, context) {
      return wrapDataKey(key.keyId, key.material, context);
    },
    decryptDataKey(wrapped, context) {
      const row = byId.get(wrappingKeyId(wrapped));
      if (!row) throw new Error('the key that wrapped this data key is not in the key ring');
      return unwrapDataKey(wrapped, materialOf(row), context);
    },
    ensure(aliasOrId) {
      const found = find(aliasOrId);
      if (found) return found;
      const name = aliasOrId.startsWith('alias/') ? aliasOrId.slice(6) : aliasOrId;
      if (!/^[a-zA-Z0-9/_-]{1,250}$/.test(name) || aliasOrId.startsWith('arn:')) {
        throw new AwsError('KMS_NotFoundException', `Invalid keyId ${aliasOrId}`);
      }
      return create(`alias/${name}`);
    },
    resolve(reference) {
      const found = find(reference);
      if (!found) throw new AwsError('KMS_NotFoundException', `Invalid keyId ${reference}`);
      return found;
    },
    info(reference) {
      const key = this.resolve(reference);
      const row = infoById.get(key.keyId)!;
      const managed = byAlias.get('alias/aws/s3')?.key_id === key.keyId || byAlias.get(SERVICE_ALIAS)?.key_id === key.keyId;
      return { ...key, description: row.description, createdAt: new Date(row.created_at), policy: row.policy, managed, rotation: row.rotation === 1 };
    },
    create({ description, policy }) {
      const keyId = randomUUID();
      const material = randomBytes(32);
      db.transaction(() => {
        insertKey.run(keyId, wrapMaterial(masterKey, keyId, material), new Date().toISOString());
        db.prepare('UPDATE kms_keys SET policy = ?, description = ? WHERE key_id = ?').run(policy, description, keyId);
      })();
      return this.info(keyId);
    },
    setPolicy(keyId, policy) {
      updatePolicy.run(policy, keyId);
    },
    setRotation(keyId, enabled) {
      updateRotation.run(enabled ? 1 : 0, keyId);
    },
    createAlias(alias, keyId) {
      return insertAliasIfNew.run(alias, keyId).changes === 1;
    },
    deleteAlias(alias) {
      return removeAlias.run(alias).changes === 1;
    },
    aliases() {
      return listAliases.all().map((row) => ({ alias: row.alias, keyId: row.key_id }));
    },
    keyIds() {
      return listKeys.all(SERVICE_ALIAS).map((row) => row.key_id);
    },
  };
}
