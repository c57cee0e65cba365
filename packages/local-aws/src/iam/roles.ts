import { randomBytes } from 'node:crypto';
import type { LocalDb } from '../db.js';
import { AwsError } from '../errors.js';
import type { PolicyDocument } from '../types.js';
import { validatePolicy } from './validate.js';

export interface RoleDefinition {
  /** Role name; the ARN is arn:aws:iam::<account>:role/<name>. */
  name: string;
  /** Identity policies attached to the role. */
  policies: PolicyDocument[];
  /** Longest session AssumeRole may grant. @default 3600 */
  maxSessionDurationSeconds?: number;
}

export interface Role extends Required<RoleDefinition> {
  arn: string;
  roleId: string;
}

export interface RoleStore {
  /** Creates the role, or replaces its policies when it exists. Persisted. */
  put(definition: RoleDefinition): Role;
  get(arn: string): Role | undefined;
}

export interface RoleStoreOptions {
  db: LocalDb;
  accountId: string;
}

interface RoleRow {
  name: string;
  arn: string;
  role_id: string;
  policies: string;
  max_session_duration: number;
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** AWS-style unique ids: a four-letter kind prefix and 17 base32 characters. */
export function uniqueId(prefix: string, length = 17): string {
  const bytes = randomBytes(length);
  let id = prefix;
  for (const byte of bytes) id += ID_ALPHABET[byte % 32];
  return id;
}

/**
 * Roles live in the shared SQLite db. Every signed request of an assumed-role
 * session reads its role's current policies, so rows are cached in memory;
 * this process is the only writer, and `put` refreshes the cache.
 */
export function createRoleStore({ db, accountId }: RoleStoreOptions): RoleStore {
  db.exec(`CREATE TABLE IF NOT EXISTS iam_roles (
    name TEXT PRIMARY KEY,
    arn TEXT NOT NULL UNIQUE,
    role_id TEXT NOT NULL,
    policies TEXT NOT NULL,
    max_session_duration INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  )`);
  const upsert = db.prepare(
    `INSERT INTO iam_roles (name, arn, role_id, policies, max_session_duration, created_at)
     VALUES (@name, @arn, @role_id, @policies, @max_session_duration, @created_at)
     ON CONFLICT(name) DO UPDATE SET policies = excluded.policies, max_session_duration = excluded.max_session_duration`,
  );
  const selectByArn = db.prepare<[string], RoleRow>('SELECT * FROM iam_roles WHERE arn = ?');
  const cache = new Map<string, Role>();

  const toRole = (row: RoleRow): Role => ({
    name: row.name,
    arn: row.arn,
    roleId: row.role_id,
    policies: JSON.parse(row.policies) as PolicyDocument[],
    maxSessionDurationSeconds: row.max_session_duration,
  });

  return {
    put(definition) {
      if (!ROLE_NAME.test(definition.name)) throw new AwsError('ValidationError', `Invalid role name: ${definition.name}`);
      const max = definition.maxSessionDurationSeconds ?? 3600;
      if (!Number.isInteger(max) || max < 1 || max > 43200) {
        throw new AwsError('ValidationError', 'MaxSessionDuration must be an integer between 1 and 43200 seconds');
      }
      const policies = definition.policies.map((policy) => validatePolicy(policy, 'MalformedPolicyDocument', 'identity'));
      const arn = `arn:aws:iam::${accountId}:role/${definition.name}`;
      upsert.run({
        name: definition.name,
        arn,
        role_id: uniqueId('AROA'),
        policies: JSON.stringify(policies),
        max_session_duration: max,
        created_at: Date.now(),
      });
      cache.delete(arn);
      const role = this.get(arn);
      if (!role) throw new AwsError('InternalError', 'role vanished after write');
      return role;
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
  };
}
