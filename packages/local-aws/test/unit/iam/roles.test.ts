import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLocalDb, type LocalDb } from '../../../src/db.js';
import { accountTrustPolicy, createRoleStore } from '../../../src/iam/roles.js';

const accountId = '000000000000';
const rolePolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Action: 's3:PutObject', Resource: '*' }] };

describe('role store: trust policies and the roles of older data folders', () => {
  let dir: string;
  let db: LocalDb;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lfs-roles-'));
    db = openLocalDb(dir);
  });
  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives a role of before trust policies the trust of its own account, and keeps its id and policies', () => {
    // The table as the endpoint wrote it before roles had trust policies.
    db.exec(`CREATE TABLE iam_roles (name TEXT PRIMARY KEY, arn TEXT NOT NULL UNIQUE, role_id TEXT NOT NULL, policies TEXT NOT NULL, max_session_duration INTEGER NOT NULL, created_at INTEGER NOT NULL)`);
    db.prepare('INSERT INTO iam_roles VALUES (?, ?, ?, ?, ?, ?)').run('uploader', `arn:aws:iam::${accountId}:role/uploader`, 'AROAOLD', JSON.stringify([rolePolicy]), 43_200, 1);
    const role = createRoleStore({ db, accountId }).get(`arn:aws:iam::${accountId}:role/uploader`)!;
    expect(role).toMatchObject({ roleId: 'AROAOLD', accountId, maxSessionDurationSeconds: 43_200, policies: [rolePolicy], trustPolicy: accountTrustPolicy(accountId) });
    // Opening again migrates nothing twice.
    expect(createRoleStore({ db, accountId }).get(role.arn)).toEqual(role);
  });

  it('putRole keeps a trust policy it is not given, and replaces one it is given', () => {
    const store = createRoleStore({ db, accountId });
    const created = store.put({ name: 'uploader', policies: [rolePolicy] });
    expect(created.trustPolicy).toEqual(accountTrustPolicy(accountId));
    const lfsOnly = { Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Principal: { AWS: `arn:aws:iam::${accountId}:user/lfs` }, Action: 'sts:AssumeRole' }] };
    expect(store.put({ name: 'uploader', policies: [rolePolicy], trustPolicy: lfsOnly }).trustPolicy).toEqual(lfsOnly);
    expect(store.put({ name: 'uploader', policies: [] }).trustPolicy).toEqual(lfsOnly);
    expect(() => store.put({ name: 'uploader', policies: [], trustPolicy: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] } })).toThrow(
      expect.objectContaining({ code: 'MalformedPolicyDocument' }),
    );
  });
});
