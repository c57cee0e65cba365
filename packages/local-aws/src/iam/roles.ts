import type { LocalDb } from '../db.js';
import { AwsError } from '../errors.js';
import type { PolicyDocument } from '../types.js';
import { IAM_NAME, parseInlinePolicies, uniqueId } from './ids.js';
import { validatePolicy } from './validate.js';

export { uniqueId } from './ids.js';

export interface RoleDefinition {
  /** Role name; the ARN is arn:aws:iam::<account>:role/<name>. */
  name: string;
  /** Identity policies attached to the role (inline, replacing any it had). */
  policies: PolicyDocument[];
  /**
   * Who may assume the role. When a new role is given none, it trusts its own
   * account (`arn:aws:iam::<account>:root`): the account's root, and its
   * users and roles whose policies allow `sts:AssumeRole` on it. An existing
   * role keeps its trust policy. @default the account
   */
  trustPolicy?: PolicyDocument;
  /** Longest session AssumeRole may grant. @default 3600 */
  maxSessionDurationSeconds?: number;
}

export interface Role {
  name: string;
  arn: string;
  roleId: string;
  accountId: string;
  path: string;
  description: string;
  /** Every inline policy, by name. */
  inlinePolicies: Record<string, PolicyDocument>;
  /** The same policies as a list, for evaluation. */
  policies: PolicyDocument[];
  trustPolicy: PolicyDocument;
  maxSessionDurationSeconds: number;
  createdAt: Date;
}

export interface NewRole {
  accountId: string;
  name: string;
  path: string;
  trustPolicy: PolicyDocument;
  maxSessionDurationSeconds: number;
  description: string;
}

export interface RoleStore {
  /** Creates the role in the main account, or replaces its policies when it exists. Persisted. */
  put(definition: RoleDefinition): Role;
  /** IAM CreateRole: throws EntityAlreadyExists. */
  create(role: NewRole, policies?: Record<string, PolicyDocument>): Role;
  get(arn: string): Role | undefined;
  /** By account and name; throws NoSuchEntity. */
  require(accountId: string, name: string): Role;
  setTrustPolicy(role: Role, policy: PolicyDocument): void;
  /** IAM UpdateRole: the longest session and the description. */
  update(role: Role, changes: { maxSessionDurationSeconds?: number; description?: string }): void;
  /** Creates or replaces one inline policy; `undefined` deletes it (NoSuchEntity when absent). */
  setInlinePolicy(role: Role, name: string, policy: PolicyDocument | undefined): void;
  /** Throws DeleteConflict while the role has inline policies, as IAM does. */
  delete(role: Role): void;
}

export interface RoleStoreOptions {
  db: LocalDb;
  /** The account of roles made by `put`. */
  accountId: string;
}

interface RoleRow {
  account_id: string;
  name: string;
  arn: string;
  role_id: string;
  path: string;
  description: string;
  policies: string;
  trust_policy: string;
  max_session_duration: number;
  created_at: number;
}

/** The trust policy of a role that was given none: its own account, as the console's "this account" choice writes it. */
export function accountTrustPolicy(accountId: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'sts:AssumeRole' }],
  };
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS iam_roles (
  account_id TEXT NOT NULL,
  name TEXT NOT NULL,
  arn TEXT NOT NULL UNIQUE,
  role_id TEXT NOT NULL,
  path TEXT NOT NULL DEFAULT '/',
  description TEXT NOT NULL DEFAULT '',
  policies TEXT NOT NULL,
  trust_policy TEXT NOT NULL,
  max_session_duration INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, name)
)`;

/**
 * Roles of before trust policies (one account, name the key): rebuilt with
 * their account read from the ARN and the trust policy that reproduces what
 * they allowed (their account's root, and sessions allowed sts:AssumeRole).
 */
function migrate(db: LocalDb): void {
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(iam_roles)').all().map((c) => c.name);
  if (columns.length === 0 || columns.includes('trust_policy')) return;
  db.transaction(() => {
    const old = db.prepare<[], { name: string; arn: string; role_id: string; policies: string; max_session_duration: number; created_at: number }>('SELECT * FROM iam_roles').all();
    db.exec('DROP TABLE iam_roles');
    db.exec(CREATE_TABLE);
    const insert = db.prepare('INSERT INTO iam_roles (account_id, name, arn, role_id, policies, trust_policy, max_session_duration, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    for (const row of old) {
      const accountId = row.arn.split(':')[4];
      insert.run(accountId, row.name, row.arn, row.role_id, row.policies, JSON.stringify(accountTrustPolicy(accountId)), row.max_session_duration, row.created_at);
    }
  })();
}

function checkMaxSession(max: number): void {
  if (!Number.isInteger(max) || max < 1 || max > 43200) {
    throw new AwsError('ValidationError', 'MaxSessionDuration must be an integer between 1 and 43200 seconds');
  }
}

/**
 * Roles live in the shared SQLite db. Every signed request of an assumed-role
 * session reads its role's current policies, so rows are cached in memory;
 * this process is the only writer, and every write drops the cached row.
 */
export function createRoleStore({ db, accountId }: RoleStoreOptions): RoleStore {
  migrate(db);
  db.exec(CREATE_TABLE);
  const insert = db.prepare(
    `INSERT INTO iam_roles (account_id, name, arn, role_id, path, description, policies, trust_policy, max_session_duration, created_at)
     VALUES (@account_id, @name, @arn, @role_id, @path, @description, @policies, @trust_policy, @max_session_duration, @created_at)`,
  );
  const selectByArn = db.prepare<[string], RoleRow>('SELECT * FROM iam_roles WHERE arn = ?');
  const selectByName = db.prepare<[string, string], RoleRow>('SELECT * FROM iam_roles WHERE account_id = ? AND name = ?');
  const update = (column: 'policies' | 'trust_policy' | 'max_session_duration') =>
    db.prepare<[string | number, string]>(`UPDATE iam_roles SET ${column} = ? WHERE arn = ?`);
  const updates = { policies: update('policies'), trust: update('trust_policy'), max: update('max_session_duration') };
  const remove = db.prepare<[string]>('DELETE FROM iam_roles WHERE arn = ?');
  const cache = new Map<string, Role>();

  const toRole = (row: RoleRow): Role => {
    const inlinePolicies = parseInlinePolicies<PolicyDocument>(row.policies);
    return {
      name: row.name,
      arn: row.arn,
      roleId: row.role_id,
      accountId: row.account_id,
      path: row.path,
      description: row.description,
      inlinePolicies,
      policies: Object.values(inlinePolicies),
      trustPolicy: JSON.parse(row.trust_policy) as PolicyDocument,
      maxSessionDurationSeconds: row.max_session_duration,
      createdAt: new Date(row.created_at),
    };
  };

  const store: RoleStore = {
    put(definition) {
      if (!IAM_NAME.test(definition.name)) throw new AwsError('ValidationError', `Invalid role name: ${definition.name}`);
      const max = definition.maxSessionDurationSeconds ?? 3600;
      checkMaxSession(max);
      const policies = definition.policies.map((policy) => validatePolicy(policy, 'MalformedPolicyDocument', 'identity'));
      const trust = definition.trustPolicy && validatePolicy(definition.trustPolicy, 'MalformedPolicyDocument', 'trust');
      const named = Object.fromEntries(policies.map((policy, index) => [`policy-${index + 1}`, policy]));
      const existing = selectByName.get(accountId, definition.name);
      if (!existing) {
        return store.create({ accountId, name: definition.name, path: '/', trustPolicy: trust ?? accountTrustPolicy(accountId), maxSessionDurationSeconds: max, description: '' }, named);
      }
      db.transaction(() => {
        updates.policies.run(JSON.stringify(named), existing.arn);
        updates.max.run(max, existing.arn);
        if (trust) updates.trust.run(JSON.stringify(trust), existing.arn);
      })();
      cache.delete(existing.arn);
      return store.get(existing.arn)!;
    },
    create(role, policies = {}) {
      checkMaxSession(role.maxSessionDurationSeconds);
      if (selectByName.get(role.accountId, role.name)) throw new AwsError('EntityAlreadyExists', `Role with name ${role.name} already exists.`);
      const arn = `arn:aws:iam::${role.accountId}:role${role.path}${role.name}`;
      insert.run({
        account_id: role.accountId,
        name: role.name,
        arn,
        role_id: uniqueId('AROA'),
        path: role.path,
        description: role.description,
        policies: JSON.stringify(policies),
        trust_policy: JSON.stringify(role.trustPolicy),
        max_session_duration: role.maxSessionDurationSeconds,
        created_at: Date.now(),
      });
      return store.get(arn)!;
    },
    get(arn) {
      let role = cache.get(arn);
      if (!role) {
        const row = selectByArn.get(arn);
        if (!row) return undefined;
        role = toRole(row);
        cache.set(arn, role);
      }
      return role;
    },
    require(account, name) {
      const row = selectByName.get(account, name);
      if (!row) throw new AwsError('NoSuchEntity', `The role with name ${name} cannot be found.`);
      return store.get(row.arn)!;
    },
    setTrustPolicy(role, policy) {
      updates.trust.run(JSON.stringify(policy), role.arn);
      cache.delete(role.arn);
    },
    update(role, changes) {
      if (changes.maxSessionDurationSeconds !== undefined) {
        checkMaxSession(changes.maxSessionDurationSeconds);
        updates.max.run(changes.maxSessionDurationSeconds, role.arn);
      }
      if (changes.description !== undefined) db.prepare<[string, string]>('UPDATE iam_roles SET description = ? WHERE arn = ?').run(changes.description, role.arn);
      cache.delete(role.arn);
    },
    setInlinePolicy(role, name, policy) {
      const current = store.get(role.arn)?.inlinePolicies ?? {};
      if (policy === undefined && !(name in current)) throw new AwsError('NoSuchEntity', `The role policy with name ${name} cannot be found.`);
      const next = { ...current };
      if (policy === undefined) delete next[name];
      else next[name] = policy;
      updates.policies.run(JSON.stringify(next), role.arn);
      cache.delete(role.arn);
    },
    delete(role) {
      if (Object.keys(store.get(role.arn)?.inlinePolicies ?? {}).length > 0) {
        throw new AwsError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
      }
      remove.run(role.arn);
      cache.delete(role.arn);
    },
  };
  return store;
}
