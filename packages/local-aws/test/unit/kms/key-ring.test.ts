import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLocalDb, type LocalDb } from '../../../src/db.js';
import { createKeyRing, type KeyRing } from '../../../src/kms/index.js';
import { wrapDataKey, wrappingKeyId } from '../../../src/kms/data-keys.js';

describe('KMS key ring: data keys', () => {
  let dir: string;
  let db: LocalDb;
  let ring: KeyRing;
  const masterKey = randomBytes(32);
  const open = (master = masterKey) => createKeyRing({ db, region: 'us-east-1', accountId: '000000000000', masterKey: master });
  const stored = (keyId: string) => db.prepare<[string], { material: Buffer }>('SELECT material FROM kms_keys WHERE key_id = ?').get(keyId)!.material;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lfs-kms-'));
    db = openLocalDb(dir);
    ring = open();
  });
  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('generates a fresh 256-bit data key each time and unwraps it with the same context', () => {
    const key = ring.ensure('alias/dock');
    const context = Buffer.from('blob-1');
    const a = ring.generateDataKey(key, context);
    const b = ring.generateDataKey(key, context);
    expect(a.plaintext).toHaveLength(32);
    expect(a.plaintext.equals(b.plaintext)).toBe(false);
    expect(a.wrapped.includes(a.plaintext)).toBe(false);
    expect(wrappingKeyId(a.wrapped)).toBe(key.keyId);
    expect(ring.decryptDataKey(a.wrapped, context).equals(a.plaintext)).toBe(true);
  });

  it('refuses to unwrap with another context, an altered wrapping, or an unknown key', () => {
    const key = ring.ensure('alias/dock');
    const { wrapped } = ring.generateDataKey(key, Buffer.from('blob-1'));
    expect(() => ring.decryptDataKey(wrapped, Buffer.from('blob-2'))).toThrow();
    for (const position of [wrapped.length - 1, wrapped.length - 20, wrapped.length - 40]) {
      const altered = Buffer.from(wrapped);
      altered[position] ^= 1;
      expect(() => ring.decryptDataKey(altered, Buffer.from('blob-1'))).toThrow();
    }
    const other = ring.ensure('alias/vault');
    const relabelled = Buffer.from(wrapped.toString('latin1').replace(key.keyId, other.keyId), 'latin1');
    expect(() => ring.decryptDataKey(relabelled, Buffer.from('blob-1'))).toThrow();
    expect(() => ring.decryptDataKey(randomBytes(wrapped.length), Buffer.from('blob-1'))).toThrow();
  });

  it('keeps keys across a reopen, so stored objects stay readable after a restart', () => {
    const key = ring.ensure('alias/dock');
    const service = ring.serviceKey();
    const context = Buffer.from('blob-1');
    const kms = ring.generateDataKey(key, context);
    const sse = ring.generateDataKey(service, context);
    db.close();
    db = openLocalDb(dir);
    ring = open();
    expect(ring.decryptDataKey(kms.wrapped, context).equals(kms.plaintext)).toBe(true);
    expect(ring.decryptDataKey(sse.wrapped, context).equals(sse.plaintext)).toBe(true);
    expect(ring.serviceKey().keyId).toBe(service.keyId);
  });

  it('gives the service key no alias a request can name', () => {
    const service = ring.serviceKey();
    expect(ring.serviceKey()).toBe(service);
    expect(ring.ensure('alias/aws/s3').keyId).not.toBe(service.keyId);
    expect(() => ring.resolve('alias/internal/s3-service-key')).toThrow();
    expect(ring.ensure('internal/s3-service-key').keyId).not.toBe(service.keyId);
  });

  it('stores material only wrapped by the master key: the database alone holds no key', () => {
    const key = ring.ensure('alias/dock');
    expect(stored(key.keyId).includes(key.material)).toBe(false);
    db.close();
    db = openLocalDb(dir);
    expect(() => open(randomBytes(32))).toThrow(/kms-master\.key does not open key/);
    expect(open().resolve('alias/dock').material.equals(key.material)).toBe(true);
  });

  it('wraps the bare rows of an older version in place, and the data keys they wrapped still open', () => {
    // An older version's row: the material stored as is.
    const keyId = randomUUID();
    const material = randomBytes(32);
    db.prepare('INSERT INTO kms_keys (key_id, material, created_at) VALUES (?, ?, ?)').run(keyId, material, new Date().toISOString());
    db.prepare('INSERT INTO kms_aliases (alias, key_id) VALUES (?, ?)').run('alias/old', keyId);
    const context = Buffer.from('blob-1');
    const old = wrapDataKey(keyId, material, context);

    for (let start = 0; start < 2; start++) {
      ring = open();
      expect(stored(keyId).includes(material)).toBe(false);
      expect(ring.resolve('alias/old').material.equals(material)).toBe(true);
      expect(ring.decryptDataKey(old.wrapped, context).equals(old.plaintext)).toBe(true);
    }
  });
});
