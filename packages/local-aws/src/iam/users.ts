import { randomBytes } from 'node:crypto';
import type { LocalDb } from '../db.js';
import { AwsError } from '../errors.js';
import type { PolicyDocument } from '../types.js';
import { parseInlinePolicies, uniqueId } from './ids.js';

export interface User {
  accountId: string;
  name: string;
  path: string;
  arn: string;
  /** `AIDA...` */
  userId: string;
  inlinePolicies: Record<string, PolicyDocument>;
  createdAt: Date;
}

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  status: 'Active' | 'Inactive';
  createdAt: Date;
}

export interface UserStore {
  /** IAM CreateUser: throws EntityAlreadyExists. */
  create(accountId: string, name: string, path: string): User;
  /** Throws NoSuchEntity. */
  require(accountId: string, name: string): User;
  /** Creates or replaces one inline policy; `undefined` deletes it (NoSuchEntity when absent). */
  setInlinePolicy(user: User, name: string, policy: PolicyDocument | undefined): void;
  /** At most two keys per user, as IAM allows (LimitExceeded). */
  createAccessKey(user: User): AccessKey;
  accessKeys(user: User): AccessKey[];
  /** Throws NoSuchEntity when the user has no such key. */
  deleteAccessKey(user: User, accessKeyId: string): void;
  /** Throws DeleteConflict while the user has policies or keys, as IAM does. */
  delete(user: User): void;
  /** The active key and its user, for signature checks. */
  byAccessKey(accessKeyId: string): { user: User; secretAccessKey: string } | undefined;
}

interface UserRow {
  account_id: string;
  name: string;
  path: string;
  arn: string;
  user_id: string;
  policies: string;
  created_at: number;
}

interface KeyRow {
  access_key_id: string;
  account_id: string;
  user_name: string;
  secret: string;
  status: 'Active' | 'Inactive';
  created_at: number;
}

/** A user may hold two access keys at once in IAM. */
const MAX_KEYS = 2;

/**
 * IAM users and their access keys, in the metadata database (owner-only, like
 * `root-credentials.json`). Every signed request of a user reads its key and
 * policies, so both are cached; each write drops what it changed.
 */
export function createUserStore(db: LocalDb): UserStore {
  db.exec(`
    CREATE TABLE IF NOT EXISTS iam_users (
      account_id TEXT NOT NULL,
      name TEXT NOT NULL,
      path TEXT NOT NULL,
      arn TEXT NOT NULL UNIQUE,
      user_id TEXT NOT NULL,
      policies TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      PRIMARY KEY (account_id, name)
    );
    CREATE TABLE IF NOT EXISTS iam_access_keys (
      access_key_id TEXT PRIMARY KEY,
      account_id TEXT NOT NULL,
      user_name TEXT NOT NULL,
      secret TEXT NOT NULL,
      status TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      FOREIGN KEY (account_id, user_name) REFERENCES iam_users(account_id, name)
    );
  `);
  const statements = {
    insertUser: db.prepare('INSERT INTO iam_users (account_id, name, path, arn, user_id, policies, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    selectUser: db.prepare<[string, string], UserRow>('SELECT * FROM iam_users WHERE account_id = ? AND name = ?'),
    updatePolicies: db.prepare<[string, string, string]>('UPDATE iam_users SET policies = ? WHERE account_id = ? AND name = ?'),
    deleteUser: db.prepare<[string, string]>('DELETE FROM iam_users WHERE account_id = ? AND name = ?'),
    insertKey: db.prepare('INSERT INTO iam_access_keys (access_key_id, account_id, user_name, secret, status, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
    keysOf: db.prepare<[string, string], KeyRow>('SELECT * FROM iam_access_keys WHERE account_id = ? AND user_name = ? ORDER BY created_at'),
    selectKey: db.prepare<[string], KeyRow>('SELECT * FROM iam_access_keys WHERE access_key_id = ?'),
    deleteKey: db.prepare<[string]>('DELETE FROM iam_access_keys WHERE access_key_id = ?'),
  };
  const byKey = new Map<string, { user: User; secretAccessKey: string } | null>();
  const forget = () => byKey.clear();

  const toUser = (row: UserRow): User => ({
    accountId: row.account_id,
    name: row.name,
    path: row.path,
    arn: row.arn,
    userId: row.user_id,
    inlinePolicies: parseInlinePolicies<PolicyDocument>(row.policies),
    createdAt: new Date(row.created_at),
  });
  const toKey = (row: KeyRow): AccessKey => ({ accessKeyId: row.access_key_id, secretAccessKey: row.secret, status: row.status, createdAt: new Date(row.created_at) });

  const store: UserStore = {
    create(accountId, name, path) {
      if (statements.selectUser.get(accountId, name)) throw new AwsError('EntityAlreadyExists', `User with name ${name} already exists.`);
      statements.insertUser.run(accountId, name, path, `arn:aws:iam::${accountId}:user${path}${name}`, uniqueId('AIDA'), '{}', Date.now());
      return store.require(accountId, name);
    },
    require(accountId, name) {
      const row = statements.selectUser.get(accountId, name);
      if (!row) throw new AwsError('NoSuchEntity', `The user with name ${name} cannot be found.`);
      return toUser(row);
    },
    setInlinePolicy(user, name, policy) {
      const current = store.require(user.accountId, user.name).inlinePolicies;
      if (policy === undefined && !(name in current)) throw new AwsError('NoSuchEntity', `The user policy with name ${name} cannot be found.`);
      const next = { ...current };
      if (policy === undefined) delete next[name];
      else next[name] = policy;
      statements.updatePolicies.run(JSON.stringify(next), user.accountId, user.name);
      forget();
    },
    createAccessKey(user) {
      if (statements.keysOf.all(user.accountId, user.name).length >= MAX_KEYS) {
        throw new AwsError('LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: ${MAX_KEYS}`);
      }
      const accessKeyId = uniqueId('AKIA', 16);
      const secret = randomBytes(30).toString('base64');
      statements.insertKey.run(accessKeyId, user.accountId, user.name, secret, 'Active', Date.now());
      forget();
      return toKey(statements.selectKey.get(accessKeyId)!);
    },
    accessKeys(user) {
      return statements.keysOf.all(user.accountId, user.name).map(toKey);
    },
    deleteAccessKey(user, accessKeyId) {
      const row = statements.selectKey.get(accessKeyId);
      if (!row || row.account_id !== user.accountId || row.user_name !== user.name) {
        throw new AwsError('NoSuchEntity', `The Access Key with id ${accessKeyId} cannot be found.`);
      }
      statements.deleteKey.run(accessKeyId);
      forget();
    },
    delete(user) {
      const current = store.require(user.accountId, user.name);
      if (Object.keys(current.inlinePolicies).length > 0 || statements.keysOf.all(user.accountId, user.name).length > 0) {
        throw new AwsError('DeleteConflict', 'Cannot delete entity, must delete policies and access keys first.');
      }
      statements.deleteUser.run(user.accountId, user.name);
      forget();
    },
    byAccessKey(accessKeyId) {
      let found = byKey.get(accessKeyId);
      if (found === undefined) {
        const row = statements.selectKey.get(accessKeyId);
        const userRow = row && row.status === 'Active' ? statements.selectUser.get(row.account_id, row.user_name) : undefined;
        found = row && userRow ? { user: toUser(userRow), secretAccessKey: row.secret } : null;
        // Unknown ids are not cached: anyone could fill the map with them.
        if (found) byKey.set(accessKeyId, found);
      }
      return found ?? undefined;
    },
  };
  return store;
}
