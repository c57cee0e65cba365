import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { withRevocation } from '../../../src/credentials/revocations.js';
import { sessionArnOf } from '../../../src/credentials/session-name.js';

const now = new Date('2026-03-01T12:00:00.000Z');
const until = new Date('2026-03-01T13:05:00.000Z');

describe('revocation policy', () => {
  it.each([
    ['arn:aws:iam::123456789012:role/lfs-upload', 'arn:aws:sts::123456789012:assumed-role/lfs-upload/lfs-f1'],
    ['arn:aws:iam::123456789012:role/service/uploads/lfs-upload', 'arn:aws:sts::123456789012:assumed-role/lfs-upload/lfs-f1'],
    ['arn:aws-cn:iam::123456789012:role/r', 'arn:aws-cn:sts::123456789012:assumed-role/r/lfs-f1'],
  ])('names the session of a file under %s as %s', (roleArn, sessionArn) => {
    expect(sessionArnOf(roleArn, 'f1')).toBe(sessionArn);
  });

  it('refuses something that is not a role ARN', () => {
    expect(() => sessionArnOf('arn:aws:iam::123456789012:user/bob', 'f1')).toThrow(/role ARN/);
  });

  it('adds a Deny for the session, self-expiring, and keeps foreign statements', () => {
    const foreign = { Sid: 'DenyInsecure', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::dock/*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
    const policy = withRevocation({ Version: '2012-10-17', Statement: [foreign] }, 'arn:s1', 'dock', until, now);
    expect(policy.Statement).toEqual([
      foreign,
      {
        Sid: 'LfsRevokedUntil202603011305',
        Effect: 'Deny',
        Principal: { AWS: ['arn:s1'] },
        Action: 's3:*',
        Resource: 'arn:aws:s3:::dock/uploads/*',
        Condition: { DateLessThan: { 'aws:CurrentTime': '2026-03-01T13:05:00.000Z' } },
      },
    ]);
  });

  it('groups sessions of one window, once each, and prunes windows that have passed', () => {
    let policy = withRevocation(undefined, 'arn:s1', 'dock', until, now);
    policy = withRevocation(policy, 'arn:s2', 'dock', until, now);
    policy = withRevocation(policy, 'arn:s2', 'dock', until, now);
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0].Principal).toEqual({ AWS: ['arn:s1', 'arn:s2'] });
    const later = new Date(until.getTime() + 1000);
    const next = withRevocation(policy, 'arn:s3', 'dock', new Date(until.getTime() + 3600_000), later);
    expect(next.Statement.map((statement) => statement.Principal)).toEqual([{ AWS: ['arn:s3'] }]);
  });

  it('fits about 200 revocations of one window in the 20 KiB bucket policy limit', () => {
    let policy = withRevocation(undefined, sessionArnOf('arn:aws:iam::123456789012:role/lfs-upload', randomUUID()), 'lfs-dock', until, now);
    let count = 1;
    while (Buffer.byteLength(JSON.stringify(policy)) <= 20 * 1024) {
      policy = withRevocation(policy, sessionArnOf('arn:aws:iam::123456789012:role/lfs-upload', randomUUID()), 'lfs-dock', until, now);
      count++;
    }
    expect(count - 1).toBeGreaterThanOrEqual(200);
  });
});
