import { XMLParser } from 'fast-xml-parser';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLocalDb, type LocalDb } from '../../../src/db.js';
import { isAwsError } from '../../../src/errors.js';
import { createCredentialStore, type CredentialStore } from '../../../src/iam/credentials.js';
import { createRoleStore, type RoleStore } from '../../../src/iam/roles.js';
import { createSts, type Sts } from '../../../src/sts/index.js';
import type { Principal } from '../../../src/types.js';
import { awsRequest } from './request.js';

const accountId = '000000000000';
const roleArn = `arn:aws:iam::${accountId}:role/uploader`;
const xml = new XMLParser({ parseTagValue: false });
const sessionPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::dock/uploads/1' }],
});

describe('STS', () => {
  let dataDir: string;
  let db: LocalDb;
  let roles: RoleStore;
  let credentials: CredentialStore;
  let sts: Sts;
  let root: Principal;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lfs-sts-'));
    db = openLocalDb(dataDir);
    roles = createRoleStore({ db, accountId });
    roles.put({ name: 'uploader', policies: [{ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }], maxSessionDurationSeconds: 7200 });
    roles.put({ name: 'assumer', policies: [{ Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn }] }] });
    credentials = createCredentialStore({ db, dataDir, accountId, roles });
    sts = createSts({ credentials, roles, accountId });
    root = credentials.resolve(credentials.root.accessKeyId, undefined).principal;
  });

  afterEach(async () => {
    db.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const call = async (principal: Principal, params: Record<string, string>) => {
    const response = await sts.handle(awsRequest(principal), new URLSearchParams({ Version: '2011-06-15', ...params }));
    return { response, parsed: xml.parse(String(response.body)) };
  };
  const codeOf = async (principal: Principal, params: Record<string, string>) => {
    try {
      await call(principal, params);
    } catch (error) {
      if (isAwsError(error)) return error.code;
      throw error;
    }
    return undefined;
  };

  it('AssumeRole issues credentials that resolve to the session with its policy', async () => {
    const { response, parsed } = await call(root, {
      Action: 'AssumeRole',
      RoleArn: roleArn,
      RoleSessionName: 'file-1',
      DurationSeconds: '900',
      Policy: sessionPolicy,
    });
    expect(response.status).toBe(200);
    expect(response.headers).toEqual({ 'content-type': 'text/xml' });
    const result = parsed.AssumeRoleResponse.AssumeRoleResult;
    expect(parsed.AssumeRoleResponse.ResponseMetadata.RequestId).toMatch(/^req-/);
    expect(result.AssumedRoleUser.Arn).toBe(`arn:aws:sts::${accountId}:assumed-role/uploader/file-1`);
    expect(result.AssumedRoleUser.AssumedRoleId).toMatch(/^AROA\w+:file-1$/);
    expect(Number(result.PackedPolicySize)).toBeGreaterThan(0);
    const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = result.Credentials;
    expect(Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const expiresIn = Date.parse(Expiration) - Date.now();
    expect(expiresIn).toBeGreaterThan(898_000);
    expect(expiresIn).toBeLessThan(902_000);
    const resolved = credentials.resolve(AccessKeyId, SessionToken);
    expect(resolved.secretAccessKey).toBe(SecretAccessKey);
    expect(resolved.principal).toMatchObject({ kind: 'assumed-role', sessionPolicy: JSON.parse(sessionPolicy) });
  });

  it('AssumeRole defaults to one hour and omits PackedPolicySize without a policy', async () => {
    const { parsed } = await call(root, { Action: 'AssumeRole', RoleArn: roleArn, RoleSessionName: 'no-policy' });
    const result = parsed.AssumeRoleResponse.AssumeRoleResult;
    expect(result.PackedPolicySize).toBeUndefined();
    expect(Date.parse(result.Credentials.Expiration) - Date.now()).toBeGreaterThan(3590_000);
  });

  it('lets a session allowed sts:AssumeRole on the role assume it, and nobody else', async () => {
    const issued = credentials.issue({ roleArn: `arn:aws:iam::${accountId}:role/assumer`, sessionName: 'a1', durationSeconds: 900 });
    const assumer = credentials.resolve(issued.accessKeyId, issued.sessionToken).principal;
    const { parsed } = await call(assumer, { Action: 'AssumeRole', RoleArn: roleArn, RoleSessionName: 'chained' });
    expect(parsed.AssumeRoleResponse.AssumeRoleResult.AssumedRoleUser.Arn).toContain('assumed-role/uploader/chained');
    const other = `arn:aws:iam::${accountId}:role/assumer`;
    expect(await codeOf(assumer, { Action: 'AssumeRole', RoleArn: other, RoleSessionName: 'self' })).toBe('AccessDenied');
    expect(await codeOf({ kind: 'anonymous' }, { Action: 'AssumeRole', RoleArn: roleArn, RoleSessionName: 'anon' })).toBe('AccessDenied');
  });

  it('GetCallerIdentity names root and sessions', async () => {
    const rootIdentity = (await call(root, { Action: 'GetCallerIdentity' })).parsed.GetCallerIdentityResponse.GetCallerIdentityResult;
    expect(rootIdentity).toEqual({ UserId: accountId, Account: accountId, Arn: `arn:aws:iam::${accountId}:root` });
    const issued = credentials.issue({ roleArn, sessionName: 'who', durationSeconds: 900 });
    const session = credentials.resolve(issued.accessKeyId, issued.sessionToken).principal;
    const sessionIdentity = (await call(session, { Action: 'GetCallerIdentity' })).parsed.GetCallerIdentityResponse.GetCallerIdentityResult;
    expect(sessionIdentity).toEqual({ UserId: issued.assumedRoleId, Account: accountId, Arn: issued.assumedRoleArn });
  });

  const bigPolicy = JSON.stringify({
    Statement: Array.from({ length: 40 }, (_, i) => ({ Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::dock/uploads/${i}` })),
  });
  const spacedPolicy = sessionPolicy.replace('{', `{${' '.repeat(3000)}`);
  it.each([
    ['no RoleArn', { RoleSessionName: 'x1' }, 'ValidationError'],
    ['no RoleSessionName', { RoleArn: roleArn }, 'ValidationError'],
    ['a one-character session name', { RoleArn: roleArn, RoleSessionName: 'x' }, 'ValidationError'],
    ['a session name with a space', { RoleArn: roleArn, RoleSessionName: 'a b' }, 'ValidationError'],
    ['a 65-character session name', { RoleArn: roleArn, RoleSessionName: 'a'.repeat(65) }, 'ValidationError'],
    ['a malformed role ARN', { RoleArn: 'uploader', RoleSessionName: 'x1' }, 'ValidationError'],
    ['an unknown role', { RoleArn: `arn:aws:iam::${accountId}:role/nobody`, RoleSessionName: 'x1' }, 'AccessDenied'],
    ['a too short duration', { RoleArn: roleArn, RoleSessionName: 'x1', DurationSeconds: '899' }, 'ValidationError'],
    ['a duration over the role maximum', { RoleArn: roleArn, RoleSessionName: 'x1', DurationSeconds: '7201' }, 'ValidationError'],
    ['a non-numeric duration', { RoleArn: roleArn, RoleSessionName: 'x1', DurationSeconds: '1h' }, 'ValidationError'],
    ['a malformed policy', { RoleArn: roleArn, RoleSessionName: 'x1', Policy: '{"Statement":[]}' }, 'MalformedPolicyDocument'],
    ['a policy that is not JSON', { RoleArn: roleArn, RoleSessionName: 'x1', Policy: 'allow all' }, 'MalformedPolicyDocument'],
    ['a policy too large once packed', { RoleArn: roleArn, RoleSessionName: 'x1', Policy: bigPolicy }, 'PackedPolicyTooLarge'],
  ])('AssumeRole rejects %s', async (_name, params, code) => {
    expect(await codeOf(root, { Action: 'AssumeRole', ...params })).toBe(code);
  });

  it('does not count whitespace toward the packed policy limit', async () => {
    expect(spacedPolicy.length).toBeGreaterThan(2048);
    const { response } = await call(root, { Action: 'AssumeRole', RoleArn: roleArn, RoleSessionName: 'spaced', Policy: spacedPolicy });
    expect(response.status).toBe(200);
  });

  it('honours a lower minimum duration', async () => {
    const quick = createSts({ credentials, roles, accountId, minSessionDurationSeconds: 1 });
    const response = await quick.handle(
      awsRequest(root),
      new URLSearchParams({ Action: 'AssumeRole', RoleArn: roleArn, RoleSessionName: 'quick', DurationSeconds: '1' }),
    );
    expect(response.status).toBe(200);
  });

  it.each([
    ['an unknown action', { Action: 'GetSessionToken' }, 'InvalidAction'],
    ['no action', {}, 'MissingParameter'],
  ])('rejects %s', async (_name, params, code) => {
    expect(await codeOf(root, params)).toBe(code);
  });
});
