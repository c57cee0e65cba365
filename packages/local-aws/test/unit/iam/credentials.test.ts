import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLocalDb, type LocalDb } from '../../../src/db.js';
import { isAwsError } from '../../../src/errors.js';
import { createCredentialStore, type IssuedSession } from '../../../src/iam/credentials.js';
import { createRoleStore, type RoleStore } from '../../../src/iam/roles.js';
import type { PolicyDocument } from '../../../src/types.js';

const accountId = '000000000000';
const rolePolicy: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' }] };
const sessionPolicy: PolicyDocument = { Statement: { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::dock/uploads/1' } };

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (isAwsError(error)) return error.code;
    throw error;
  }
  return undefined;
}

describe('credential store', () => {
  let dataDir: string;
  let db: LocalDb;
  let roles: RoleStore;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lfs-iam-'));
    db = openLocalDb(dataDir);
    roles = createRoleStore({ db, accountId });
    roles.put({ name: 'uploader', policies: [rolePolicy], maxSessionDurationSeconds: 7200 });
  });

  afterEach(async () => {
    db.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const open = () => createCredentialStore({ db, dataDir, accountId, roles });
  const grant = { roleArn: `arn:aws:iam::${accountId}:role/uploader`, sessionName: 'file-1', durationSeconds: 900, sessionPolicy };

  it('generates root credentials once, private to the owner, and reuses them', async () => {
    const first = open();
    expect(first.root.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(first.root.secretAccessKey).toHaveLength(40);
    const path = join(dataDir, 'root-credentials.json');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(first.root);
    expect(open().root).toEqual(first.root);
    expect((await stat(join(dataDir, 'sts-master.key'))).mode & 0o777).toBe(0o600);
  });

  it('uses given root credentials and resolves them to the root principal', () => {
    const root = { accessKeyId: 'AKIAEXAMPLEEXAMPLE00', secretAccessKey: 's'.repeat(40) };
    const store = createCredentialStore({ db, dataDir, accountId, roles, root });
    expect(store.resolve(root.accessKeyId, undefined)).toEqual({
      secretAccessKey: root.secretAccessKey,
      principal: { kind: 'root', accessKeyId: root.accessKeyId, arn: `arn:aws:iam::${accountId}:root`, accountId },
    });
    expect(codeOf(() => store.resolve(root.accessKeyId, 'token'))).toBe('InvalidToken');
  });

  it('issues a session that resolves to the role with its policies and the session policy', () => {
    const store = open();
    const now = new Date('2030-01-01T00:00:00.250Z');
    const session = store.issue(grant, now);
    expect(session.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(session.secretAccessKey).toHaveLength(40);
    expect(session.expiration.toISOString()).toBe('2030-01-01T00:15:01.000Z');
    expect(session.assumedRoleArn).toBe(`arn:aws:sts::${accountId}:assumed-role/uploader/file-1`);
    expect(session.assumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:file-1$/);
    const resolved = store.resolve(session.accessKeyId, session.sessionToken, now);
    expect(resolved.secretAccessKey).toBe(session.secretAccessKey);
    expect(resolved.principal).toMatchObject({
      kind: 'assumed-role',
      arn: session.assumedRoleArn,
      roleArn: grant.roleArn,
      sessionName: 'file-1',
      rolePolicies: [rolePolicy],
      sessionPolicy,
      expiration: session.expiration,
    });
  });

  it('resolves a session issued before a restart', () => {
    const session = open().issue(grant);
    const reopenedRoles = createRoleStore({ db, accountId });
    const store = createCredentialStore({ db, dataDir, accountId, roles: reopenedRoles });
    expect(store.resolve(session.accessKeyId, session.sessionToken).secretAccessKey).toBe(session.secretAccessKey);
  });

  it('gives the session the role policies current at request time', () => {
    const store = open();
    const session = store.issue(grant);
    const widened: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    roles.put({ name: 'uploader', policies: [widened] });
    const principal = store.resolve(session.accessKeyId, session.sessionToken).principal;
    expect(principal.kind === 'assumed-role' && principal.rolePolicies).toEqual([widened]);
  });

  it.each([
    ['an unknown permanent key', (_s: IssuedSession): [string, string?] => ['AKIANOTKNOWN00000000'], 'InvalidAccessKeyId'],
    ['no token for a temporary key', (s: IssuedSession): [string, string?] => [s.accessKeyId], 'InvalidToken'],
    ['a forged token', (s: IssuedSession): [string, string?] => [s.accessKeyId, `${s.sessionToken.slice(0, -4)}AAAA`], 'InvalidToken'],
    ['junk as a token', (s: IssuedSession): [string, string?] => [s.accessKeyId, 'not-a-token'], 'InvalidToken'],
    ['the token of another key', (s: IssuedSession): [string, string?] => ['ASIAAAAAAAAAAAAAAAAA', s.sessionToken], 'InvalidToken'],
  ] as const)('rejects %s', (_name, pick, code) => {
    const store = open();
    const session = store.issue(grant);
    const [accessKeyId, token] = pick(session);
    expect(codeOf(() => store.resolve(accessKeyId, token))).toBe(code);
  });

  it('rejects a token encrypted under another data dir', async () => {
    const otherDir = await mkdtemp(join(tmpdir(), 'lfs-iam-other-'));
    try {
      const session = createCredentialStore({ db, dataDir: otherDir, accountId, roles }).issue(grant);
      expect(codeOf(() => open().resolve(session.accessKeyId, session.sessionToken))).toBe('InvalidToken');
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('rejects an expired session with ExpiredToken', () => {
    const store = open();
    const now = new Date('2030-01-01T00:00:00Z');
    const session = store.issue({ ...grant, durationSeconds: 1 }, now);
    expect(store.resolve(session.accessKeyId, session.sessionToken, new Date(now.getTime() + 999)).principal.kind).toBe('assumed-role');
    expect(codeOf(() => store.resolve(session.accessKeyId, session.sessionToken, session.expiration))).toBe('ExpiredToken');
  });

  it('refuses to issue for an unknown role', () => {
    expect(codeOf(() => open().issue({ ...grant, roleArn: `arn:aws:iam::${accountId}:role/nobody` }))).toBe('NoSuchEntity');
  });
});

describe('role store', () => {
  let dataDir: string;
  let db: LocalDb;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lfs-roles-'));
    db = openLocalDb(dataDir);
  });

  afterEach(async () => {
    db.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('persists roles and keeps the role id when the policies are replaced', () => {
    const created = createRoleStore({ db, accountId }).put({ name: 'uploader', policies: [rolePolicy] });
    expect(created).toMatchObject({ arn: `arn:aws:iam::${accountId}:role/uploader`, maxSessionDurationSeconds: 3600 });
    const reopened = createRoleStore({ db, accountId });
    expect(reopened.get(created.arn)).toEqual(created);
    const replaced = reopened.put({ name: 'uploader', policies: [], maxSessionDurationSeconds: 900 });
    expect(replaced).toEqual({ ...created, policies: [], inlinePolicies: {}, maxSessionDurationSeconds: 900 });
    expect(reopened.get(`arn:aws:iam::${accountId}:role/other`)).toBeUndefined();
  });

  it.each([
    ['a bad name', { name: 'no spaces', policies: [] }, 'ValidationError'],
    ['a bad duration', { name: 'r', policies: [], maxSessionDurationSeconds: 50000 }, 'ValidationError'],
    ['a malformed policy', { name: 'r', policies: [{ Statement: [] }] }, 'MalformedPolicyDocument'],
  ] as const)('rejects %s', (_name, definition, code) => {
    const store = createRoleStore({ db, accountId });
    expect(codeOf(() => store.put(definition as never))).toBe(code);
  });
});
