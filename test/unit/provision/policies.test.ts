import { simulatePolicy, type PolicyDocument } from '@lfs/local-aws';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { buildSessionPolicy } from '../../../src/credentials/session-policy.js';
import { desiredState, type Target } from '../../../src/provision/desired.js';
import type { Refs } from '../../../src/provision/values.js';

const account = '123456789012';
const refs: Refs = {
  accountId: account,
  region: 'us-east-1',
  accountRootArn: `arn:aws:iam::${account}:root`,
  lfsPrincipalArn: `arn:aws:iam::${account}:role/lfs-service`,
  uploadRoleArn: `arn:aws:iam::${account}:role/lfs-upload`,
  dockKeyArn: `arn:aws:kms:us-east-1:${account}:key/dock`,
  vaultKeyArn: `arn:aws:kms:us-east-1:${account}:key/vault`,
  dockEventsQueueArn: `arn:aws:sqs:us-east-1:${account}:lfs-dock-events`,
  deadLetterQueueArn: `arn:aws:sqs:us-east-1:${account}:lfs-dock-events-dlq`,
  fileEventsQueueArn: `arn:aws:sqs:us-east-1:${account}:lfs-file-events`,
};
const stateFor = (target: Target) => desiredState(loadConfig({}), refs, target);
const state = stateFor({ aws: true, tls: true });
const bucketPolicy = (which: 'dock' | 'vault', s = state) => ({ Version: '2012-10-17', Statement: s.buckets.find((b) => b.which === which)!.statements }) as PolicyDocument;
const lfs = { roleArn: refs.lfsPrincipalArn as string, sessionName: 'i-0123' };
const upload = { roleArn: refs.uploadRoleArn as string, sessionName: 'file-abc' };
const asLfs = (action: string, resource: string, context = {}, resourcePolicy?: PolicyDocument) =>
  simulatePolicy({ rolePolicies: [state.lfsPolicy as PolicyDocument], action, resource, caller: lfs, context: { 'aws:SecureTransport': 'true', ...context }, resourcePolicy });

describe("LFS's policy", () => {
  it.each([
    ['s3:PutObject', 'arn:aws:s3:::lfs-dock/uploads/f1'],
    ['s3:GetObject', 'arn:aws:s3:::lfs-dock/uploads/f1'],
    ['s3:DeleteObject', 'arn:aws:s3:::lfs-dock/uploads/f1'],
    ['s3:ListBucket', 'arn:aws:s3:::lfs-dock'],
    ['s3:PutBucketPolicy', 'arn:aws:s3:::lfs-dock'],
    ['s3:PutObject', 'arn:aws:s3:::lfs-vault/files/f1'],
    ['s3:GetObject', 'arn:aws:s3:::lfs-vault/files/f1'],
    ['s3:DeleteObject', 'arn:aws:s3:::lfs-vault/files/f1'],
    ['s3:AbortMultipartUpload', 'arn:aws:s3:::lfs-vault/files/f1'],
    ['kms:GenerateDataKey', refs.vaultKeyArn as string],
    ['kms:Decrypt', refs.dockKeyArn as string],
    ['sts:AssumeRole', refs.uploadRoleArn as string],
    ['sqs:ReceiveMessage', refs.dockEventsQueueArn as string],
    ['sqs:ChangeMessageVisibility', refs.dockEventsQueueArn as string],
    ['sqs:SendMessage', refs.fileEventsQueueArn as string],
  ])('allows what LFS does: %s on %s', (action, resource) => {
    expect(asLfs(action, resource)).toBe('Allow');
  });

  it.each([
    ['s3:GetObject', 'arn:aws:s3:::another-bucket/secret'],
    ['s3:DeleteBucket', 'arn:aws:s3:::lfs-vault'],
    ['s3:PutBucketPolicy', 'arn:aws:s3:::lfs-vault'],
    ['s3:PutEncryptionConfiguration', 'arn:aws:s3:::lfs-dock'],
    ['kms:Decrypt', `arn:aws:kms:us-east-1:${account}:key/another`],
    ['kms:PutKeyPolicy', refs.dockKeyArn as string],
    ['sqs:SendMessage', refs.dockEventsQueueArn as string],
    ['sqs:DeleteQueue', refs.fileEventsQueueArn as string],
    ['iam:PutRolePolicy', refs.uploadRoleArn as string],
    ['sts:AssumeRole', `arn:aws:iam::${account}:role/admin`],
  ])('refuses what it does not need: %s on %s', (action, resource) => {
    expect(asLfs(action, resource)).not.toBe('Allow');
  });
});

describe('the dock bucket policy', () => {
  const session = buildSessionPolicy({ dockBucket: 'lfs-dock', key: 'uploads/f1', dockKmsKeyArn: refs.dockKeyArn as string });
  const write = (context: Record<string, string>, s = state) =>
    simulatePolicy({
      rolePolicies: [s.uploadRole.policy as PolicyDocument],
      sessionPolicy: session as PolicyDocument,
      resourcePolicy: bucketPolicy('dock', s),
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::lfs-dock/uploads/f1',
      caller: upload,
      context: { 'aws:SecureTransport': 'true', ...context },
    });
  it('lets an upload session write its key naming the dock key, or nothing (the default applies)', () => {
    expect(write({ 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': refs.dockKeyArn as string })).toBe('Allow');
    expect(write({})).toBe('Allow');
  });
  it('refuses a write naming AES256 or another KMS key', () => {
    expect(write({ 's3:x-amz-server-side-encryption': 'AES256' })).toBe('ExplicitDeny');
    expect(write({ 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': refs.vaultKeyArn as string })).toBe('ExplicitDeny');
  });
  it('refuses plain HTTP on AWS, and has no TLS statement (saying so) on a plain HTTP endpoint', () => {
    expect(write({ 'aws:SecureTransport': 'false' })).toBe('ExplicitDeny');
    const plain = stateFor({ aws: false, tls: false });
    expect(write({ 'aws:SecureTransport': 'false' }, plain)).toBe('Allow');
    expect(plain.notes.join('\n')).toMatch(/plain HTTP: the buckets get no TLS-only statement/);
  });
});

describe('the vault bucket policy', () => {
  const everything = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } as PolicyDocument;
  const act = (caller: { roleArn: string; sessionName: string }, action: string, resource = 'arn:aws:s3:::lfs-vault/files/f1') =>
    simulatePolicy({ rolePolicies: [everything], resourcePolicy: bucketPolicy('vault'), action, resource, caller, context: { 'aws:SecureTransport': 'true' } });
  it('refuses everyone but LFS, whatever their own policies allow', () => {
    expect(act(upload, 's3:PutObject')).toBe('ExplicitDeny');
    expect(act({ roleArn: `arn:aws:iam::${account}:role/admin`, sessionName: 'a' }, 's3:GetObject')).toBe('ExplicitDeny');
    expect(act({ roleArn: `arn:aws:iam::${account}:role/admin`, sessionName: 'a' }, 's3:ListBucket', 'arn:aws:s3:::lfs-vault')).toBe('ExplicitDeny');
    expect(act(lfs, 's3:GetObject')).toBe('Allow');
    expect(act(lfs, 's3:ListBucket', 'arn:aws:s3:::lfs-vault')).toBe('Allow');
  });
});

describe('the upload role and the keys', () => {
  const role = (action: string, resource: string) => simulatePolicy({ rolePolicies: [state.uploadRole.policy as PolicyDocument], action, resource, caller: upload });
  it('lets the upload role write only under the dock uploads/, and use only the dock key', () => {
    expect(role('s3:PutObject', 'arn:aws:s3:::lfs-dock/uploads/f1')).toBe('Allow');
    expect(role('s3:GetObject', 'arn:aws:s3:::lfs-dock/uploads/f1')).toBe('ImplicitDeny');
    expect(role('s3:PutObject', 'arn:aws:s3:::lfs-dock/elsewhere')).toBe('ImplicitDeny');
    expect(role('s3:PutObject', 'arn:aws:s3:::lfs-vault/files/f1')).toBe('ImplicitDeny');
    expect(role('kms:GenerateDataKey', refs.dockKeyArn as string)).toBe('Allow');
    expect(role('kms:Decrypt', refs.vaultKeyArn as string)).toBe('ImplicitDeny');
  });
  it('names the upload role in the dock key policy only', () => {
    const keyPolicy = (which: 'dock' | 'vault') => state.keys.find((key) => key.which === which)!.policy as PolicyDocument;
    const use = (which: 'dock' | 'vault', caller: typeof upload) =>
      simulatePolicy({ rolePolicies: [], resourcePolicy: keyPolicy(which), action: 'kms:GenerateDataKey', resource: refs.dockKeyArn as string, caller });
    expect(use('dock', upload)).toBe('Allow');
    expect(use('vault', upload)).toBe('ImplicitDeny');
    expect(use('vault', lfs)).toBe('Allow');
    expect(use('dock', { roleArn: `arn:aws:iam::${account}:role/admin`, sessionName: 'a' })).toBe('ImplicitDeny');
  });
  it('lets only the dock bucket of this account send to the dock-events queue', () => {
    const policy = state.queues.find((queue) => queue.which === 'dock-events')!.attributes.Policy as unknown as PolicyDocument;
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::lfs-dock' }, StringEquals: { 'aws:SourceAccount': account } },
      }),
    ]);
    expect(simulatePolicy({ rolePolicies: [], resourcePolicy: policy, action: 'sqs:SendMessage', resource: refs.dockEventsQueueArn as string, caller: lfs })).toBe('ImplicitDeny');
  });
});
